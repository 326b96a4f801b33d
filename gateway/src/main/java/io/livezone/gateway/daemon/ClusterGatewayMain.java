package io.livezone.gateway.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.livezone.core.InvalidInputException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.gateway.DatagramCheck;
import io.livezone.gateway.Gateway;
import io.livezone.gateway.GatewayConfig;
import io.livezone.gateway.GatewayControl;
import io.livezone.gateway.latency.RegionLatency;
import io.livezone.link.PlayerRegions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The players' gateway of a cluster, as its own process: stable endpoints for every zone the
 * coordinator knows, holds at switchovers on the migrating hosts' request, and players' RTTs passed
 * on to the coordinator's zone mapping ({@code POST /v1/clients/rtt}, with the site the zone runs
 * at).
 */
@Command(name = "livezone-gateway", mixinStandardHelpOptions = true)
public final class ClusterGatewayMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ClusterGatewayMain.class);

    @Option(names = "--address", required = true, description = "address of the control API")
    String address;

    @Option(names = "--port", defaultValue = "7650")
    int port;

    @Option(names = "--public-address", defaultValue = "127.0.0.1", description = "players' side")
    String publicAddress;

    @Option(names = "--first-port", defaultValue = "27000", description = "first endpoint port")
    int firstPort;

    @Option(names = "--ports-file", required = true, description = "zone → endpoint port")
    Path portsFile;

    @Option(names = "--coordinator", required = true, description = "coordinator base URL")
    URI coordinator;

    @Option(names = "--token-file", required = true)
    Path tokenFile;

    @Option(names = "--config", description = "cluster YAML: its players section sets regions")
    Path config;

    @Option(names = "--max-hold-ms", defaultValue = "2000")
    long maxHoldMillis;

    @Option(names = "--replay-ms", defaultValue = "250")
    long replayMillis;

    @Option(names = "--poll-ms", defaultValue = "250")
    long pollMillis;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterGatewayMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (firstPort < 1024 || firstPort > 65000) {
            throw new InvalidInputException("--first-port must be 1024..65000");
        }
        if (pollMillis < 20 || pollMillis > 60_000) {
            throw new InvalidInputException("--poll-ms must be 20..60000");
        }
        String token = Files.readString(tokenFile).strip();
        JsonHttpClient api = new JsonHttpClient(coordinator, token);
        InetAddress players = InetAddress.getByName(publicAddress);
        // LiveZone's zone servers discard repeated inputs, and their bots take the UDP port from
        // the WELCOME line: replay at switchovers and rewrite that port.
        GatewayConfig.Builder builder =
                GatewayConfig.defaults().toBuilder()
                        .bindAddress(players)
                        .rewriteWelcomeUdpPort(true)
                        .datagramCheck(DatagramCheck.LIVEZONE_HEADER)
                        .maxHold(Duration.ofMillis(maxHoldMillis))
                        .switchoverReplay(Duration.ofMillis(replayMillis));
        PlayerRegions regions = config == null ? null : playersOf(config);
        if (regions != null) {
            builder.regionOf(client -> regions.region()).regionLatency(regionLatency(regions));
        }
        GatewayConfig gatewayConfig = builder.build();
        CountDownLatch stop = new CountDownLatch(1);
        try (Gateway gateway = Gateway.start(gatewayConfig)) {
            GatewayControl control =
                    new GatewayControl(gateway, report -> forwardRtts(api, gateway, report));
            PlacementFollower follower =
                    new PlacementFollower(gateway, control, api, portsFile, firstPort);
            try (JsonHttpServer server =
                    control.routes(
                                    new JsonHttpServer(
                                            new InetSocketAddress(
                                                    InetAddress.getByName(address), port),
                                            token))
                            .start()) {
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                log.info(
                        "gateway control on http://{}:{}, players' endpoints on {}",
                        address,
                        port,
                        publicAddress);
                String lastProblem = null;
                while (!stop.await(pollMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    try {
                        follower.sync();
                        lastProblem = null;
                    } catch (Exception e) {
                        String problem = e.getMessage();
                        if (!java.util.Objects.equals(problem, lastProblem)) {
                            log.warn("cannot follow the coordinator: {}", problem);
                        }
                        lastProblem = problem;
                    }
                }
            }
        }
        return 0;
    }

    static RegionLatency regionLatency(PlayerRegions players) {
        RegionLatency.Builder b = RegionLatency.builder();
        players.latency()
                .forEach(
                        (region, sites) ->
                                sites.forEach(
                                        (site, text) ->
                                                b.oneWay(
                                                        region,
                                                        site,
                                                        PlayerRegions.oneWay(region, site, text))));
        return b.build();
    }

    /**
     * The {@code players:} section of the cluster YAML (the coordinator validated the whole file
     * before the gateway started); the gateway reads only the part it applies.
     */
    static PlayerRegions playersOf(Path clusterYaml) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode players = yaml.readTree(clusterYaml.toFile()).path("players");
        if (players.isMissingNode() || players.isNull()) {
            return null;
        }
        try {
            return yaml.treeToValue(players, PlayerRegions.class);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof InvalidInputException bad ? bad : e;
            throw new InvalidInputException(clusterYaml + ": players: " + cause.getMessage());
        }
    }

    /** Players' RTTs to where their zone runs now: the zone-mapping policy's input. */
    private static void forwardRtts(
            JsonHttpClient api, Gateway gateway, GatewayControl.RttReport report) {
        List<Map<String, Object>> samples = new ArrayList<>();
        for (GatewayControl.RttSample s : report.samples()) {
            gateway.location(s.zone())
                    .ifPresent(
                            l ->
                                    samples.add(
                                            Map.of(
                                                    "client", s.client(),
                                                    "zone", s.zone(),
                                                    "site", l.site(),
                                                    "rttMs", s.rttMs())));
        }
        if (!samples.isEmpty()) {
            try {
                api.post("/v1/clients/rtt", Map.of("samples", samples), Void.class);
            } catch (RuntimeException e) {
                // The gateway's own QoS has the samples; the coordinator misses one round.
                log.warn("cannot pass RTTs on to the coordinator: {}", e.getMessage());
            }
        }
    }
}
