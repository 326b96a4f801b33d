package io.livezone.sim.scenario;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.EquiPingChoice;
import io.livezone.policy.EquiPingDecision;
import io.livezone.policy.EquiPingPlacement;
import io.livezone.sim.engine.EventLoop;
import io.livezone.sim.output.ChartSpec;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.output.Table;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A stream of match requests placed by {@link EquiPingPlacement}. Sites and players sit on a plane
 * measured in milliseconds; a player's RTT to a server is a base plus their distance plus a fixed
 * per-pair jitter. Most groups come from one region, some mix regions, and some are rematches of a
 * recent group — those the placement answers from its cache.
 */
public final class MatchmakingScenario implements Scenario {
    public static final String NAME = "matchmaking";

    /** A server site at (x, y) ms on the latency plane; players of its region crowd around it. */
    public record Site(String id, double x, double y, double playerShare) {
        public Site {
            Objects.requireNonNull(id, "id is null");
            if (!(playerShare >= 0)) {
                throw new InvalidInputException(
                        "site " + id + ": player share must be >= 0, got " + playerShare);
            }
        }
    }

    /**
     * @param regionSpreadMs standard deviation of players' distance from their region's site
     * @param localShare share of a group's players from the group's own region
     * @param rematchShare share of requests that replay one of the last 64 groups
     */
    public record Config(
            List<Site> sites,
            int players,
            double regionSpreadMs,
            double baseRttMs,
            double jitterMs,
            double matchesPerSecond,
            int minGroup,
            int maxGroup,
            double localShare,
            double rematchShare,
            double maxRttMs,
            Duration duration,
            Duration samplePeriod) {
        public Config {
            sites = List.copyOf(Objects.requireNonNull(sites, "sites is null"));
            if (sites.isEmpty()) {
                throw new InvalidInputException("no sites: matchmaking needs at least 1 server");
            }
            if (players < maxGroup || minGroup < 1 || maxGroup < minGroup) {
                throw new InvalidInputException(
                        "need 1 <= min group <= max group <= players, got "
                                + minGroup
                                + ", "
                                + maxGroup
                                + ", "
                                + players);
            }
            if (!(matchesPerSecond > 0)
                    || !(localShare >= 0 && localShare <= 1)
                    || !(rematchShare >= 0 && rematchShare < 1)) {
                throw new InvalidInputException(
                        "need a match rate > 0/s and shares in [0, 1], got rate "
                                + matchesPerSecond
                                + ", local "
                                + localShare
                                + ", rematch "
                                + rematchShare);
            }
            Durations.positiveMs(duration, "duration");
            Durations.positiveMs(samplePeriod, "sample period");
        }

        /** Seven sites, 20,000 players, 20 matches/s of 2–8 players for 10 minutes. */
        public static Config defaults() {
            return new Config(
                    List.of(
                            new Site("eu-west", 0, 0, 0.20),
                            new Site("eu-central", 18, 4, 0.15),
                            new Site("us-east", 80, 0, 0.20),
                            new Site("us-west", 150, 0, 0.15),
                            new Site("sa-east", 105, -60, 0.10),
                            new Site("asia-east", -160, 30, 0.15),
                            new Site("oceania", -170, -70, 0.05)),
                    20_000,
                    15,
                    8,
                    10,
                    20,
                    2,
                    8,
                    0.85,
                    0.15,
                    EquiPingPlacement.DEFAULT_MAX_RTT_MS,
                    Duration.ofMinutes(10),
                    Duration.ofSeconds(10));
        }
    }

    /** One match request: its players and every server's RTT to each of them. */
    record Request(List<String> players, Map<String, Map<String, Double>> rttMs) {}

    private final Config config;

    public MatchmakingScenario() {
        this(Config.defaults());
    }

    public MatchmakingScenario(Config config) {
        this.config = Objects.requireNonNull(config, "config is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return Math.round(config.matchesPerSecond())
                + " matches/s of "
                + config.minGroup()
                + "–"
                + config.maxGroup()
                + " players from "
                + config.players()
                + " over "
                + config.sites().size()
                + " sites, placed by EquiPing";
    }

    /**
     * Places {@code matches} pre-generated requests with a fresh {@link EquiPingPlacement}; returns
     * the time spent in {@link EquiPingPlacement#choose}, in ms. Generation is not timed.
     */
    public double placementMillis(long seed, int matches) {
        RequestStream stream = new RequestStream(config, new SplittableRandom(seed));
        List<Request> requests = new ArrayList<>(matches);
        for (int i = 0; i < matches; i++) {
            requests.add(stream.next());
        }
        List<String> servers = stream.serverIds;
        EquiPingPlacement placement = new EquiPingPlacement(config.maxRttMs(), 256);
        long start = System.nanoTime();
        int placed = 0;
        for (Request request : requests) {
            if (placement
                    .choose(request.players(), servers, request.rttMs())
                    .choice()
                    .isPresent()) {
                placed++;
            }
        }
        double elapsedMs = (System.nanoTime() - start) / 1e6;
        if (placed == 0 && matches > 0) {
            throw new IllegalStateException("no match could be placed: the benchmark is broken");
        }
        return elapsedMs;
    }

    @Override
    public ScenarioResult run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RequestStream stream = new RequestStream(config, random.split());
        EventLoop loop = new EventLoop();
        EquiPingPlacement placement = new EquiPingPlacement(config.maxRttMs(), 256);
        List<String> servers = stream.serverIds;
        Interval interval = new Interval(servers.size());
        Interval total = new Interval(servers.size());
        Runnable arrival =
                new Runnable() {
                    @Override
                    public void run() {
                        Request request = stream.next();
                        EquiPingDecision decision =
                                placement.choose(request.players(), servers, request.rttMs());
                        interval.add(decision, servers);
                        total.add(decision, servers);
                        loop.after(nextGapMs(random), this);
                    }
                };
        loop.after(nextGapMs(random), arrival);

        List<String> columns =
                new ArrayList<>(
                        List.of(
                                "time_s",
                                "matches",
                                "placed",
                                "unplaced",
                                "mean_closeness_ms",
                                "mean_rtt_ms",
                                "cache_hits"));
        for (String server : servers) {
            columns.add("placed_" + server);
        }
        Table.Builder series = Table.builder("series", columns);
        loop.every(
                config.samplePeriod().toMillis(),
                config.samplePeriod().toMillis(),
                () -> {
                    List<Object> row = new ArrayList<>();
                    row.add(loop.now() / 1000.0);
                    row.add(interval.matches);
                    row.add(interval.placed);
                    row.add(interval.matches - interval.placed);
                    row.add(interval.meanCloseness());
                    row.add(interval.meanRtt());
                    row.add(placement.cacheHits());
                    for (int s = 0; s < servers.size(); s++) {
                        row.add(interval.perServer[s]);
                    }
                    series.add(row);
                    interval.reset();
                });
        loop.runUntil(config.duration().toMillis());

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("matches", total.matches);
        summary.put("placed", total.placed);
        summary.put("unplaced", total.matches - total.placed);
        summary.put("mean_closeness_ms", total.meanCloseness());
        summary.put("mean_rtt_ms", total.meanRtt());
        summary.put("cache_hits", placement.cacheHits());
        List<ChartSpec.Series> perServer = new ArrayList<>();
        for (String server : servers) {
            perServer.add(new ChartSpec.Series("series", "placed_" + server, server));
        }
        return new ScenarioResult(
                NAME,
                seed,
                description(),
                summary,
                List.of(series.build()),
                List.of(
                        new ChartSpec(
                                "latency",
                                "EquiPing: closeness factor and mean RTT per interval",
                                "ms",
                                List.of(
                                        new ChartSpec.Series(
                                                "series", "mean_closeness_ms", "closeness"),
                                        new ChartSpec.Series("series", "mean_rtt_ms", "mean RTT"))),
                        new ChartSpec(
                                "servers",
                                "Matches placed per server per interval",
                                "matches",
                                perServer)));
    }

    private long nextGapMs(SplittableRandom random) {
        // Poisson arrivals; at least 1 ms apart so the clock always advances.
        double gapS = -Math.log(1 - random.nextDouble()) / config.matchesPerSecond();
        return Math.max(1, Math.round(gapS * 1000));
    }

    /** Placement tallies over a sampling interval or the whole run. */
    private static final class Interval {
        final int[] perServer;
        int matches;
        int placed;
        double closeness;
        double rtt;

        Interval(int servers) {
            perServer = new int[servers];
        }

        void add(EquiPingDecision decision, List<String> servers) {
            matches++;
            if (decision.choice().isPresent()) {
                EquiPingChoice choice = decision.choice().get();
                placed++;
                closeness += choice.closenessMs();
                rtt += choice.meanRttMs();
                perServer[servers.indexOf(choice.serverId())]++;
            }
        }

        double meanCloseness() {
            return placed == 0 ? 0 : closeness / placed;
        }

        double meanRtt() {
            return placed == 0 ? 0 : rtt / placed;
        }

        void reset() {
            Arrays.fill(perServer, 0);
            matches = 0;
            placed = 0;
            closeness = 0;
            rtt = 0;
        }
    }

    /** Generates requests: the player population, their RTTs, groups and rematches. */
    private static final class RequestStream {
        private static final int RECENT_GROUPS = 64;

        final List<String> serverIds;
        private final Config config;
        private final SplittableRandom random;
        private final double[][] rtt;
        private final List<List<Integer>> playersByRegion = new ArrayList<>();
        private final double[] cumulativeShare;
        private final List<List<Integer>> recent = new ArrayList<>();

        RequestStream(Config config, SplittableRandom random) {
            this.config = config;
            this.random = random;
            List<Site> sites = config.sites();
            serverIds = sites.stream().map(Site::id).toList();
            cumulativeShare = new double[sites.size()];
            double shares = 0;
            for (int s = 0; s < sites.size(); s++) {
                shares += sites.get(s).playerShare();
                cumulativeShare[s] = shares;
                playersByRegion.add(new ArrayList<>());
            }
            if (!(shares > 0)) {
                throw new InvalidInputException("sites' player shares must add up to > 0");
            }
            rtt = new double[config.players()][sites.size()];
            for (int p = 0; p < config.players(); p++) {
                int region = pickRegion();
                playersByRegion.get(region).add(p);
                double x = sites.get(region).x() + random.nextGaussian() * config.regionSpreadMs();
                double y = sites.get(region).y() + random.nextGaussian() * config.regionSpreadMs();
                for (int s = 0; s < sites.size(); s++) {
                    rtt[p][s] =
                            config.baseRttMs()
                                    + Math.hypot(x - sites.get(s).x(), y - sites.get(s).y())
                                    + random.nextDouble() * config.jitterMs();
                }
            }
        }

        private int pickRegion() {
            double u = random.nextDouble() * cumulativeShare[cumulativeShare.length - 1];
            for (int s = 0; s < cumulativeShare.length; s++) {
                if (u < cumulativeShare[s]) {
                    return s;
                }
            }
            return cumulativeShare.length - 1;
        }

        Request next() {
            List<Integer> group;
            if (!recent.isEmpty() && random.nextDouble() < config.rematchShare()) {
                group = recent.get(random.nextInt(recent.size()));
            } else {
                group = newGroup();
                if (recent.size() == RECENT_GROUPS) {
                    recent.remove(0);
                }
                recent.add(group);
            }
            List<String> players = new ArrayList<>(group.size());
            for (int p : group) {
                players.add("p" + p);
            }
            Map<String, Map<String, Double>> rttMs = new HashMap<>();
            for (int s = 0; s < serverIds.size(); s++) {
                Map<String, Double> row = new HashMap<>();
                for (int p : group) {
                    row.put("p" + p, rtt[p][s]);
                }
                rttMs.put(serverIds.get(s), row);
            }
            return new Request(players, rttMs);
        }

        private List<Integer> newGroup() {
            int size =
                    config.minGroup() + random.nextInt(config.maxGroup() - config.minGroup() + 1);
            int home = pickRegion();
            Set<Integer> group = new LinkedHashSet<>();
            for (int attempt = 0; group.size() < size; attempt++) {
                if (attempt > 50 * size) {
                    // A region too small for the group: fill it from everyone.
                    group.add(random.nextInt(config.players()));
                    continue;
                }
                List<Integer> region =
                        random.nextDouble() < config.localShare()
                                ? playersByRegion.get(home)
                                : playersByRegion.get(pickRegion());
                if (!region.isEmpty()) {
                    group.add(region.get(random.nextInt(region.size())));
                }
            }
            return List.copyOf(group);
        }
    }
}
