package io.livezone.agent.balance;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.LoadBalancerConfig;

import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent's load-balancing options (a picocli mixin). A conductor runs when {@code
 * --conductor-peers} is given; it proposes moves only with {@code --balance}. Thresholds left out
 * take {@link LoadBalancerConfig}'s defaults.
 */
public final class ConductorOptions {
    public static final int DEFAULT_PORT = 7800;

    @Option(
            names = "--conductor-peers",
            split = ",",
            paramLabel = "ADDRESS[:PORT]",
            description =
                    "every load-balancing conductor's address (this host's included); starts this"
                            + " host's conductor")
    List<String> peers;

    @Option(
            names = "--conductor-port",
            defaultValue = "" + DEFAULT_PORT,
            description = "the conductor's TCP port on --address (default: ${DEFAULT-VALUE})")
    int port;

    @Option(
            names = "--conductor-group",
            defaultValue = "livezone",
            description = "the conductors' group name (default: ${DEFAULT-VALUE})")
    String group;

    @Option(
            names = "--balance",
            description = "let the conductor move zones; without it, it only reports its load")
    boolean balance;

    @Option(names = "--balance-critical-pct", paramLabel = "PCT")
    Double criticalLoadPct;

    @Option(names = "--balance-delta-pct", paramLabel = "PCT")
    Double deltaPct;

    @Option(names = "--balance-calm-down-ms", paramLabel = "MS")
    Long calmDownMillis;

    @Option(names = "--balance-report-max-age-ms", paramLabel = "MS")
    Long reportMaxAgeMillis;

    @Option(names = "--balance-reservation-timeout-ms", paramLabel = "MS")
    Long reservationTimeoutMillis;

    @Option(names = "--balance-period-ms", paramLabel = "MS", defaultValue = "1000")
    long periodMillis;

    /**
     * The conductor this agent runs, if any.
     *
     * @throws InvalidInputException for a bad address, port or threshold, before anything starts
     */
    public Optional<ConductorSettings> settings(String host, InetAddress address) {
        if (peers == null || peers.isEmpty()) {
            if (balance) {
                throw new InvalidInputException(
                        "--balance needs --conductor-peers (the conductors' addresses)");
            }
            return Optional.empty();
        }
        if (port < 1 || port > 65535) {
            throw new InvalidInputException("--conductor-port must be 1..65535, got " + port);
        }
        List<InetSocketAddress> peerAddresses = new ArrayList<>();
        for (String peer : peers) {
            peerAddresses.add(parsePeer(peer.strip()));
        }
        LoadBalancerConfig config =
                new LoadBalancerConfig(
                        criticalLoadPct == null
                                ? LoadBalancerConfig.DEFAULT_CRITICAL_LOAD_PCT
                                : criticalLoadPct,
                        deltaPct == null ? LoadBalancerConfig.DEFAULT_DELTA_PCT : deltaPct,
                        calmDownMillis == null
                                ? LoadBalancerConfig.DEFAULT_CALM_DOWN
                                : Duration.ofMillis(calmDownMillis),
                        reportMaxAgeMillis == null
                                ? LoadBalancerConfig.DEFAULT_REPORT_MAX_AGE
                                : Duration.ofMillis(reportMaxAgeMillis),
                        reservationTimeoutMillis == null
                                ? LoadBalancerConfig.DEFAULT_RESERVATION_TIMEOUT
                                : Duration.ofMillis(reservationTimeoutMillis));
        return Optional.of(
                new ConductorSettings(
                        host,
                        new InetSocketAddress(address, port),
                        peerAddresses,
                        group,
                        Duration.ofMillis(periodMillis),
                        balance,
                        config));
    }

    private InetSocketAddress parsePeer(String text) {
        String hostPart = text;
        int peerPort = port;
        int colon = text.lastIndexOf(':');
        if (colon >= 0) {
            hostPart = text.substring(0, colon);
            try {
                peerPort = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                peerPort = -1;
            }
            if (peerPort < 1 || peerPort > 65535) {
                throw new InvalidInputException(
                        "--conductor-peers: bad port in '" + text + "'; use ADDRESS[:PORT]");
            }
        }
        if (!hostPart.matches("[0-9.]+")) {
            throw new InvalidInputException(
                    "--conductor-peers: '" + text + "' is not an IPv4 address[:port]");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(hostPart), peerPort);
        } catch (UnknownHostException e) {
            throw new InvalidInputException(
                    "--conductor-peers: '" + text + "' is not an IPv4 address[:port]");
        }
    }
}
