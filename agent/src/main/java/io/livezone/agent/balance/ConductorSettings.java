package io.livezone.agent.balance;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.LoadBalancerConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one host's conductor runs.
 *
 * @param bind the host's own address and the conductor's TCP port; the group's traffic stays on the
 *     interface that carries this address
 * @param peers every conductor's address and port, this one's included (TCPPING's initial hosts)
 * @param group the JGroups cluster name: conductors with another name never join this group
 * @param reportPeriod how often the load is broadcast and a decision taken
 * @param balancing false: broadcast and take part in the group, never propose a move
 */
public record ConductorSettings(
        String host,
        InetSocketAddress bind,
        List<InetSocketAddress> peers,
        String group,
        Duration reportPeriod,
        boolean balancing,
        LoadBalancerConfig balancer) {
    public ConductorSettings {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(bind, "bind is null");
        Objects.requireNonNull(group, "group is null");
        Objects.requireNonNull(reportPeriod, "reportPeriod is null");
        Objects.requireNonNull(balancer, "balancer is null");
        peers = List.copyOf(Objects.requireNonNull(peers, "peers is null"));
        if (peers.isEmpty()) {
            throw new InvalidInputException("a conductor needs at least one peer address");
        }
        if (bind.isUnresolved() || bind.getAddress().isAnyLocalAddress()) {
            throw new InvalidInputException(
                    "the conductor must bind to the host's own address, not " + bind);
        }
        if (reportPeriod.compareTo(Duration.ofMillis(100)) < 0) {
            throw new InvalidInputException(
                    "conductor report period must be at least 100 ms, got "
                            + reportPeriod.toMillis()
                            + " ms");
        }
        if (reportPeriod.compareTo(balancer.reportMaxAge()) >= 0) {
            throw new InvalidInputException(
                    "conductor report period ("
                            + reportPeriod.toMillis()
                            + " ms) must be shorter than the load report max age ("
                            + balancer.reportMaxAge().toMillis()
                            + " ms), or every report is stale on arrival");
        }
    }

    public InetAddress bindAddress() {
        return bind.getAddress();
    }
}
