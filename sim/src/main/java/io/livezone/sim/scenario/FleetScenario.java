package io.livezone.sim.scenario;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.LoadBalancerConfig;
import io.livezone.sim.cluster.MigrationCost;
import io.livezone.sim.cluster.SimCluster;
import io.livezone.sim.engine.EventLoop;
import io.livezone.sim.output.ChartSpec;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.output.Table;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Decentralised load balancing at fleet scale: thousands of zones placed at random on hundreds of
 * hosts, zone loads drawn from a log-normal distribution, some zones flaring up for a few minutes
 * (an in-game event), a batch of empty hosts joining and a batch of hosts draining and leaving
 * part-way through.
 */
public final class FleetScenario implements Scenario {
    public static final String NAME = "fleet";

    /**
     * @param zoneCpuSigma σ of the log-normal zone load (its mean is {@code meanZoneCpuPct})
     * @param hotZoneShare share of zones that flare up once, at a random time, for {@code
     *     hotDuration}, their load times {@code hotFactor}
     */
    public record Config(
            int hosts,
            int zones,
            double meanZoneCpuPct,
            double zoneCpuSigma,
            double hotZoneShare,
            double hotFactor,
            Duration hotDuration,
            Duration joinAt,
            int joiningHosts,
            Duration drainAt,
            int drainingHosts,
            LoadBalancerConfig balancer,
            Duration reportPeriod,
            Duration messageDelay,
            MigrationCost migration,
            Duration loadUpdatePeriod,
            Duration samplePeriod,
            Duration duration) {
        public Config {
            if (hosts < 1) {
                throw new InvalidInputException(
                        "no hosts: the fleet scenario needs at least 1 host, got " + hosts);
            }
            if (zones < 0 || joiningHosts < 0 || drainingHosts < 0 || drainingHosts >= hosts) {
                throw new InvalidInputException(
                        "need zones >= 0, joining hosts >= 0 and 0 <= draining hosts < hosts, got "
                                + zones
                                + ", "
                                + joiningHosts
                                + ", "
                                + drainingHosts);
            }
            if (!(meanZoneCpuPct > 0)
                    || !(zoneCpuSigma >= 0)
                    || !(hotZoneShare >= 0 && hotZoneShare <= 1)
                    || !(hotFactor >= 1)) {
                throw new InvalidInputException(
                        "need mean zone CPU > 0, σ >= 0, hot share in [0, 1] and hot factor >= 1");
            }
            Objects.requireNonNull(balancer, "balancer is null");
            Objects.requireNonNull(migration, "migration is null");
            Durations.nonNegativeMs(hotDuration, "hot duration");
            Durations.nonNegativeMs(joinAt, "join time");
            Durations.nonNegativeMs(drainAt, "drain time");
            Durations.positiveMs(reportPeriod, "report period");
            Durations.nonNegativeMs(messageDelay, "message delay");
            Durations.positiveMs(loadUpdatePeriod, "load update period");
            Durations.positiveMs(samplePeriod, "sample period");
            Durations.positiveMs(duration, "duration");
        }

        /**
         * 200 hosts and 4,000 zones (about 50 % mean load); 20 hosts join at minute 5, 10 drain
         * from minute 10; 10 % of zones flare to 3× for 3 minutes; 15 minutes.
         */
        public static Config defaults() {
            return new Config(
                    200,
                    4000,
                    2.5,
                    0.6,
                    0.1,
                    3,
                    Duration.ofMinutes(3),
                    Duration.ofMinutes(5),
                    20,
                    Duration.ofMinutes(10),
                    10,
                    LoadBalancerConfig.defaults(),
                    Duration.ofSeconds(5),
                    Duration.ofMillis(1),
                    MigrationCost.defaults(),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofMinutes(15));
        }
    }

    private final Config config;

    public FleetScenario() {
        this(Config.defaults());
    }

    public FleetScenario(Config config) {
        this.config = Objects.requireNonNull(config, "config is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return config.zones()
                + " zones on "
                + config.hosts()
                + " hosts, "
                + config.joiningHosts()
                + " joining and "
                + config.drainingHosts()
                + " leaving, with decentralised load balancing";
    }

    @Override
    public ScenarioResult run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        EventLoop loop = new EventLoop();
        SimCluster cluster =
                new SimCluster(
                        loop,
                        config.balancer(),
                        true,
                        config.reportPeriod().toMillis(),
                        config.messageDelay().toMillis(),
                        config.migration(),
                        random.split());
        for (int h = 0; h < config.hosts(); h++) {
            cluster.addHost(hostId(h));
        }
        double sigma = config.zoneCpuSigma();
        long durationMs = config.duration().toMillis();
        String[] zoneIds = new String[config.zones()];
        double[] baseCpu = new double[config.zones()];
        long[] hotFrom = new long[config.zones()];
        for (int z = 0; z < config.zones(); z++) {
            zoneIds[z] = String.format("z%05d", z);
            // E[exp(σN − σ²/2)] = 1, so the mean zone load is the configured one.
            baseCpu[z] =
                    config.meanZoneCpuPct()
                            * Math.exp(sigma * random.nextGaussian() - sigma * sigma / 2);
            hotFrom[z] =
                    random.nextDouble() < config.hotZoneShare()
                            ? random.nextLong(durationMs)
                            : Long.MAX_VALUE;
            cluster.addZone(zoneIds[z], hostId(random.nextInt(config.hosts())), baseCpu[z]);
        }
        long hotMs = config.hotDuration().toMillis();
        loop.every(
                config.loadUpdatePeriod().toMillis(),
                config.loadUpdatePeriod().toMillis(),
                () -> {
                    long now = loop.now();
                    for (int z = 0; z < zoneIds.length; z++) {
                        boolean hot = now >= hotFrom[z] && now < hotFrom[z] + hotMs;
                        cluster.setZoneCpu(zoneIds[z], baseCpu[z] * (hot ? config.hotFactor() : 1));
                    }
                });
        loop.at(
                config.joinAt().toMillis(),
                () -> {
                    for (int h = 0; h < config.joiningHosts(); h++) {
                        cluster.addHost(hostId(config.hosts() + h));
                    }
                });
        loop.at(
                config.drainAt().toMillis(),
                () -> {
                    for (int h = 0; h < config.drainingHosts(); h++) {
                        cluster.drain(hostId(h));
                    }
                });

        Table.Builder series =
                Table.builder(
                        "series",
                        List.of(
                                "time_s",
                                "hosts",
                                "draining_hosts",
                                "mean_cpu",
                                "min_cpu",
                                "max_cpu",
                                "stddev_cpu",
                                "max_abs_dev",
                                "hosts_over_critical",
                                "qos",
                                "migrations",
                                "in_flight"));
        double critical = config.balancer().criticalLoadPct();
        double[] firstDev = {Double.NaN};
        loop.every(
                0,
                config.samplePeriod().toMillis(),
                () -> {
                    // Leaving hosts empty out on purpose; the balance is judged on those staying.
                    List<String> hosts =
                            cluster.hostIds().stream().filter(h -> !cluster.isDraining(h)).toList();
                    int draining = cluster.hostIds().size() - hosts.size();
                    double sum = 0;
                    double min = Double.MAX_VALUE;
                    double max = 0;
                    int over = 0;
                    int zonesServed = 0;
                    int zonesTotal = 0;
                    double[] loads = new double[hosts.size()];
                    for (int i = 0; i < hosts.size(); i++) {
                        loads[i] = cluster.load(hosts.get(i));
                        sum += loads[i];
                        min = Math.min(min, loads[i]);
                        max = Math.max(max, loads[i]);
                        int zones = cluster.zoneCount(hosts.get(i));
                        zonesTotal += zones;
                        if (loads[i] > critical) {
                            over++;
                        } else {
                            zonesServed += zones;
                        }
                    }
                    double mean = sum / hosts.size();
                    double squares = 0;
                    double maxDev = 0;
                    for (double load : loads) {
                        squares += (load - mean) * (load - mean);
                        maxDev = Math.max(maxDev, Math.abs(load - mean));
                    }
                    if (Double.isNaN(firstDev[0])) {
                        firstDev[0] = maxDev;
                    }
                    series.add(
                            loop.now() / 1000.0,
                            hosts.size(),
                            draining,
                            mean,
                            min,
                            max,
                            Math.sqrt(squares / hosts.size()),
                            maxDev,
                            over,
                            zonesTotal == 0 ? 1.0 : (double) zonesServed / zonesTotal,
                            cluster.migrations().size(),
                            cluster.migrationsInFlight());
                });
        loop.runUntil(durationMs);

        Table.Builder finalHosts = Table.builder("hosts", List.of("host", "cpu_pct", "zones"));
        for (String host : cluster.hostIds()) {
            finalHosts.add(host, cluster.load(host), cluster.zoneCount(host));
        }
        Table seriesTable = series.build();
        List<Object> last = seriesTable.rows().get(seriesTable.rows().size() - 1);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("hosts_at_end", cluster.hostIds().size());
        summary.put("zones", config.zones());
        summary.put("initial_max_abs_dev_pct", firstDev[0]);
        summary.put("final_max_abs_dev_pct", last.get(seriesTable.columnIndex("max_abs_dev")));
        summary.put("final_stddev_cpu_pct", last.get(seriesTable.columnIndex("stddev_cpu")));
        summary.put("final_max_cpu_pct", last.get(seriesTable.columnIndex("max_cpu")));
        summary.put("migrations", cluster.migrations().size());
        summary.put("proposals", cluster.proposals());
        summary.put("rejected_proposals", cluster.rejections());
        cluster.rejectionsByCause().forEach((cause, n) -> summary.put("rejected: " + cause, n));
        summary.put(
                "drained_hosts_left",
                (int)
                        IntStream.range(0, config.drainingHosts())
                                .filter(h -> !cluster.isPresent(hostId(h)))
                                .count());
        summary.put("events", loop.processed());
        return new ScenarioResult(
                NAME,
                seed,
                description(),
                summary,
                List.of(seriesTable, finalHosts.build()),
                List.of(
                        new ChartSpec(
                                "cpu",
                                "Host CPU across the fleet (hosts not draining)",
                                "CPU (% of host)",
                                List.of(
                                        new ChartSpec.Series("series", "max_cpu", "max"),
                                        new ChartSpec.Series("series", "mean_cpu", "mean"),
                                        new ChartSpec.Series("series", "min_cpu", "min"),
                                        new ChartSpec.Series("series", "stddev_cpu", "std dev"))),
                        new ChartSpec(
                                "hosts",
                                "Hosts and migrations",
                                "count",
                                List.of(
                                        new ChartSpec.Series("series", "hosts", "hosts staying"),
                                        new ChartSpec.Series(
                                                "series", "draining_hosts", "hosts draining"),
                                        new ChartSpec.Series(
                                                "series", "hosts_over_critical", "over critical"),
                                        new ChartSpec.Series(
                                                "series", "in_flight", "migrations in flight"))),
                        new ChartSpec(
                                "qos",
                                "Zones on hosts at or below " + Math.round(critical) + " % CPU",
                                "QoS (share of zones)",
                                List.of(new ChartSpec.Series("series", "qos", "QoS")))));
    }

    private static String hostId(int h) {
        return String.format("h%03d", h);
    }
}
