package io.livezone.sim.scenario;

import io.livezone.core.InvalidInputException;
import io.livezone.core.snapshot.ClientInfo;
import io.livezone.core.snapshot.ClusterSnapshot;
import io.livezone.core.snapshot.ServerInfo;
import io.livezone.core.snapshot.ZonePlacement;
import io.livezone.policy.ZoneMappingConfig;
import io.livezone.policy.ZoneMappingDecision;
import io.livezone.policy.ZoneMappingPolicy;
import io.livezone.policy.ZoneMove;
import io.livezone.sim.cluster.MigrationCost;
import io.livezone.sim.engine.EventLoop;
import io.livezone.sim.output.ChartSpec;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.output.Table;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The zone migration paper's §6.3 case: zones spread over servers, but every client is near one
 * server only. {@link ZoneMappingPolicy} runs every {@code checkPeriod} on a snapshot of the
 * simulated cluster, with the servers' real capacities, and its moves are executed as timed
 * migrations; QoS (share of clients whose zone's server is under the RTT threshold) is sampled
 * throughout.
 *
 * <p>Moves are started only when the destination has room, counting zones still arriving, since a
 * migrating zone occupies both ends; a cycle of moves between full servers would wait forever and
 * is reported as blocked.
 */
public final class ZoneMappingScenario implements Scenario {
    public static final String NAME = "zone-mapping";

    /**
     * @param servers servers with their zone capacities
     * @param initialPlacement zone id → server id at the start, in the order zones are listed
     * @param clientsPerZone clients playing in each zone
     * @param rttMsByServer every client's RTT to each server
     */
    public record Config(
            List<ServerInfo> servers,
            Map<String, String> initialPlacement,
            int clientsPerZone,
            Map<String, Double> rttMsByServer,
            ZoneMappingConfig mapping,
            Duration checkPeriod,
            MigrationCost migration,
            Duration duration,
            Duration samplePeriod) {
        public Config {
            servers = List.copyOf(Objects.requireNonNull(servers, "servers is null"));
            initialPlacement =
                    Collections.unmodifiableMap(
                            new LinkedHashMap<>(
                                    Objects.requireNonNull(
                                            initialPlacement, "initialPlacement is null")));
            rttMsByServer = Map.copyOf(Objects.requireNonNull(rttMsByServer, "rtt is null"));
            Objects.requireNonNull(mapping, "mapping is null");
            Objects.requireNonNull(migration, "migration is null");
            if (servers.isEmpty()) {
                throw new InvalidInputException(
                        "no servers: the zone-mapping scenario needs at least 1 server");
            }
            if (clientsPerZone < 0) {
                throw new InvalidInputException(
                        "clients per zone must be >= 0, got " + clientsPerZone);
            }
            Durations.positiveMs(checkPeriod, "check period");
            Durations.positiveMs(duration, "duration");
            Durations.positiveMs(samplePeriod, "sample period");
            // The snapshot validates the rest (unknown servers, over-capacity placement).
        }

        /**
         * §6.3: z1..z3 on s1..s3, every client 50/100/200 ms from s1/s2/s3, threshold 80 ms. Each
         * server has room for all three zones, so the policy may gather them on s1.
         */
        public static Config paper() {
            return paper(3);
        }

        /** The §6.3 case with {@code s1Capacity} zones of room on s1 (s2 and s3 keep 3). */
        public static Config paper(int s1Capacity) {
            Map<String, String> placement = new LinkedHashMap<>();
            placement.put("z1", "s1");
            placement.put("z2", "s2");
            placement.put("z3", "s3");
            return new Config(
                    List.of(
                            new ServerInfo("s1", "site-1", s1Capacity),
                            new ServerInfo("s2", "site-2", 3),
                            new ServerInfo("s3", "site-3", 3)),
                    placement,
                    100,
                    Map.of("s1", 50.0, "s2", 100.0, "s3", 200.0),
                    ZoneMappingConfig.defaults(),
                    Duration.ofSeconds(30),
                    MigrationCost.defaults(),
                    Duration.ofMinutes(2),
                    Duration.ofSeconds(1));
        }
    }

    /** The first decision and what was measured. */
    public record Outcome(
            ZoneMappingDecision firstDecision,
            double measuredQosStart,
            double measuredQosEnd,
            int migrations,
            int blockedMoves,
            Optional<Double> fullQosAtS,
            Table series,
            Table moves) {}

    private final Config config;

    public ZoneMappingScenario() {
        this(Config.paper());
    }

    public ZoneMappingScenario(Config config) {
        this.config = Objects.requireNonNull(config, "config is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return config.initialPlacement().size()
                + " zones on "
                + config.servers().size()
                + " servers, "
                + config.clientsPerZone()
                + " clients per zone with RTTs "
                + config.rttMsByServer()
                + "; ZoneMappingPolicy every "
                + config.checkPeriod().toSeconds()
                + " s";
    }

    /** The seed is unused: every input of this case is fixed. */
    public Outcome simulate() {
        EventLoop loop = new EventLoop();
        ZoneMappingPolicy policy = new ZoneMappingPolicy();
        Map<String, String> placement = new LinkedHashMap<>(config.initialPlacement());
        List<ClientInfo> clients = new ArrayList<>();
        for (String zone : placement.keySet()) {
            for (int c = 0; c < config.clientsPerZone(); c++) {
                clients.add(new ClientInfo(zone + "-c" + c, zone, config.rttMsByServer()));
            }
        }
        // Validates ids and capacities up front.
        snapshot(placement, clients);

        Map<String, Integer> arriving = new HashMap<>();
        Deque<ZoneMove> pending = new ArrayDeque<>();
        List<ZoneMappingDecision> decisions = new ArrayList<>();
        Table.Builder moves =
                Table.builder("moves", List.of("start_s", "end_s", "zone", "from", "to"));
        int[] inFlight = {0};
        Runnable startMoves =
                new Runnable() {
                    @Override
                    public void run() {
                        int waiting = pending.size();
                        for (int i = 0; i < waiting; i++) {
                            ZoneMove move = pending.poll();
                            if (occupancy(placement, arriving, move.toServerId())
                                    >= capacity(move.toServerId())) {
                                pending.add(move);
                                continue;
                            }
                            arriving.merge(move.toServerId(), 1, Integer::sum);
                            inFlight[0]++;
                            long start = loop.now();
                            Runnable self = this;
                            loop.after(
                                    config.migration().durationMs(),
                                    () -> {
                                        placement.put(move.zoneId(), move.toServerId());
                                        arriving.merge(move.toServerId(), -1, Integer::sum);
                                        inFlight[0]--;
                                        moves.add(
                                                start / 1000.0,
                                                loop.now() / 1000.0,
                                                move.zoneId(),
                                                move.fromServerId(),
                                                move.toServerId());
                                        self.run();
                                    });
                        }
                    }
                };
        long period = config.checkPeriod().toMillis();
        loop.every(
                period,
                period,
                () -> {
                    if (inFlight[0] > 0 || !pending.isEmpty()) {
                        return;
                    }
                    ZoneMappingDecision decision =
                            policy.decide(snapshot(placement, clients), config.mapping());
                    decisions.add(decision);
                    pending.addAll(decision.moves());
                    startMoves.run();
                });

        List<String> columns = new ArrayList<>(List.of("time_s", "qos"));
        for (ServerInfo server : config.servers()) {
            columns.add("zones_" + server.id());
        }
        columns.add("migrations");
        Table.Builder series = Table.builder("series", columns);
        double[] firstLast = {Double.NaN, Double.NaN};
        Double[] fullAt = {null};
        loop.every(
                0,
                config.samplePeriod().toMillis(),
                () -> {
                    double qos = qos(placement);
                    if (Double.isNaN(firstLast[0])) {
                        firstLast[0] = qos;
                    }
                    firstLast[1] = qos;
                    if (qos == 1.0 && fullAt[0] == null) {
                        fullAt[0] = loop.now() / 1000.0;
                    }
                    List<Object> row = new ArrayList<>(List.of(loop.now() / 1000.0, qos));
                    for (ServerInfo server : config.servers()) {
                        row.add(
                                (int)
                                        placement.values().stream()
                                                .filter(server.id()::equals)
                                                .count());
                    }
                    row.add(moves.size());
                    series.add(row);
                });
        loop.runUntil(config.duration().toMillis());
        if (decisions.isEmpty()) {
            throw new InvalidInputException(
                    "the zone-mapping scenario ended before its first check: duration "
                            + config.duration()
                            + " < check period "
                            + config.checkPeriod());
        }
        return new Outcome(
                decisions.get(0),
                firstLast[0],
                firstLast[1],
                moves.size(),
                pending.size(),
                Optional.ofNullable(fullAt[0]),
                series.build(),
                moves.build());
    }

    @Override
    public ScenarioResult run(long seed) {
        Outcome outcome = simulate();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("qos_before", outcome.firstDecision().qosBefore());
        summary.put("qos_after_decision", outcome.firstDecision().qosAfter());
        summary.put("qos_measured_start", outcome.measuredQosStart());
        summary.put("qos_measured_end", outcome.measuredQosEnd());
        summary.put("migrations", outcome.migrations());
        summary.put("blocked_moves", outcome.blockedMoves());
        summary.put("full_qos_at_s", outcome.fullQosAtS().orElse(Double.NaN));
        summary.put("decision", outcome.firstDecision().reason());
        List<ChartSpec.Series> zones = new ArrayList<>();
        for (ServerInfo server : config.servers()) {
            zones.add(new ChartSpec.Series("series", "zones_" + server.id(), server.id()));
        }
        return new ScenarioResult(
                NAME,
                seed,
                description(),
                summary,
                List.of(outcome.series(), outcome.moves()),
                List.of(
                        new ChartSpec(
                                "qos",
                                "Clients under "
                                        + Math.round(config.mapping().rttThresholdMs())
                                        + " ms to their zone's server",
                                "QoS (share of clients)",
                                List.of(new ChartSpec.Series("series", "qos", "QoS"))),
                        new ChartSpec("zones", "Zones per server", "zones", zones)));
    }

    private ClusterSnapshot snapshot(Map<String, String> placement, List<ClientInfo> clients) {
        List<ZonePlacement> placements = new ArrayList<>();
        placement.forEach((zone, server) -> placements.add(new ZonePlacement(zone, server)));
        return new ClusterSnapshot(config.servers(), placements, clients);
    }

    private int capacity(String serverId) {
        return config.servers().stream()
                .filter(s -> s.id().equals(serverId))
                .findFirst()
                .orElseThrow()
                .capacityZones();
    }

    private static int occupancy(
            Map<String, String> placement, Map<String, Integer> arriving, String serverId) {
        int zones = 0;
        for (String server : placement.values()) {
            if (server.equals(serverId)) {
                zones++;
            }
        }
        return zones + arriving.getOrDefault(serverId, 0);
    }

    private double qos(Map<String, String> placement) {
        long total = (long) placement.size() * config.clientsPerZone();
        if (total == 0) {
            return 1.0;
        }
        long good = 0;
        for (String server : placement.values()) {
            Double rtt = config.rttMsByServer().get(server);
            if (rtt != null && rtt < config.mapping().rttThresholdMs()) {
                good += config.clientsPerZone();
            }
        }
        return (double) good / total;
    }
}
