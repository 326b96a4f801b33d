package io.livezone.sim.scenario;

import io.livezone.core.InvalidInputException;
import io.livezone.policy.CpuSample;
import io.livezone.policy.HostCpu;
import io.livezone.policy.ServerResume;
import io.livezone.policy.ServerSwitchingConfig;
import io.livezone.policy.ServerSwitchingDecision;
import io.livezone.policy.ServerSwitchingPolicy;
import io.livezone.policy.ServiceLoadView;
import io.livezone.policy.ServiceServer;
import io.livezone.policy.ServiceServerState;
import io.livezone.sim.engine.EventLoop;
import io.livezone.sim.output.ChartSpec;
import io.livezone.sim.output.ScenarioResult;
import io.livezone.sim.output.Table;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A flash crowd on one service, met by {@link ServerSwitchingPolicy}: demand (in % of one VM's CPU)
 * ramps from a base to a peak, holds, and decays; hibernated VMs are resumed on idle hosts while
 * the active VMs run hot, and retired again as the crowd leaves. A resumed VM serves only after
 * {@code resumeTime}; a retired one stops serving at once and rejoins the pool after {@code
 * drainTime}. Served share = min(1, active capacity / demand).
 */
public final class FlashCrowdScenario implements Scenario {
    public static final String NAME = "flash-crowd";

    /**
     * @param hosts hosts that may run a resumed VM; each has a fixed background load drawn from [0,
     *     maxBackgroundCpuPct)
     * @param initialActive VMs active at the start, on the first hosts
     * @param poolSize hibernated VMs in the pool at the start
     * @param baseDemandPct demand outside the crowd, % of one VM
     * @param peakDemandPct demand at the crowd's peak
     * @param demandNoisePct each sample's demand varies by up to ± this share of itself
     */
    public record Config(
            int hosts,
            double maxBackgroundCpuPct,
            int initialActive,
            int poolSize,
            double baseDemandPct,
            double peakDemandPct,
            double demandNoisePct,
            Duration crowdStart,
            Duration rampUp,
            Duration peakHold,
            Duration rampDown,
            Duration resumeTime,
            Duration drainTime,
            ServerSwitchingConfig switching,
            Duration decisionPeriod,
            Duration duration) {
        public Config {
            if (hosts < 1) {
                throw new InvalidInputException(
                        "no hosts: the flash-crowd scenario needs at least 1 host, got " + hosts);
            }
            if (initialActive < 1 || initialActive > hosts || poolSize < 0) {
                throw new InvalidInputException(
                        "need 1 <= initial active VMs <= hosts and a pool >= 0, got "
                                + initialActive
                                + " active, "
                                + poolSize
                                + " pooled, "
                                + hosts
                                + " hosts");
            }
            if (!(maxBackgroundCpuPct >= 0 && maxBackgroundCpuPct <= 100)
                    || !(baseDemandPct >= 0)
                    || !(peakDemandPct >= baseDemandPct)
                    || !(demandNoisePct >= 0 && demandNoisePct < 1)) {
                throw new InvalidInputException(
                        "need background in [0, 100] %, 0 <= base <= peak demand and noise in"
                                + " [0, 1)");
            }
            Objects.requireNonNull(switching, "switching is null");
            Durations.nonNegativeMs(crowdStart, "crowd start");
            Durations.nonNegativeMs(rampUp, "ramp up");
            Durations.nonNegativeMs(peakHold, "peak hold");
            Durations.nonNegativeMs(rampDown, "ramp down");
            Durations.nonNegativeMs(resumeTime, "resume time");
            Durations.nonNegativeMs(drainTime, "drain time");
            Durations.positiveMs(decisionPeriod, "decision period");
            Durations.positiveMs(duration, "duration");
        }

        /**
         * 20 hosts, 2 active VMs and 12 hibernated ones; demand 120 % of a VM, ramping to 900 %
         * over a minute from minute 2, held 5 min, gone again by minute 11; 15 min in all.
         */
        public static Config defaults() {
            return new Config(
                    20,
                    50,
                    2,
                    12,
                    120,
                    900,
                    0.05,
                    Duration.ofMinutes(2),
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(3),
                    Duration.ofSeconds(8),
                    Duration.ofSeconds(20),
                    ServerSwitchingConfig.defaults(),
                    Duration.ofSeconds(5),
                    Duration.ofMinutes(15));
        }
    }

    private final Config config;

    public FlashCrowdScenario() {
        this(Config.defaults());
    }

    public FlashCrowdScenario(Config config) {
        this.config = Objects.requireNonNull(config, "config is null");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "flash crowd from "
                + Math.round(config.baseDemandPct())
                + " % to "
                + Math.round(config.peakDemandPct())
                + " % of one VM; server switching over a pool of "
                + config.poolSize()
                + " hibernated VMs on "
                + config.hosts()
                + " hosts";
    }

    @Override
    public ScenarioResult run(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        EventLoop loop = new EventLoop();
        ServerSwitchingPolicy policy = new ServerSwitchingPolicy();
        List<HostCpu> hosts = new ArrayList<>();
        for (int h = 0; h < config.hosts(); h++) {
            hosts.add(
                    new HostCpu(
                            String.format("h%02d", h + 1),
                            random.nextDouble() * config.maxBackgroundCpuPct()));
        }
        Map<String, ServiceServer> vms = new LinkedHashMap<>();
        for (int v = 0; v < config.initialActive() + config.poolSize(); v++) {
            String id = String.format("vm%02d", v + 1);
            vms.put(
                    id,
                    v < config.initialActive()
                            ? ServiceServer.on(id, ServiceServerState.ACTIVE, hosts.get(v).hostId())
                            : ServiceServer.hibernated(id));
        }
        Deque<CpuSample> samples = new ArrayDeque<>();
        Tally tally = new Tally();
        Table.Builder series =
                Table.builder(
                        "series",
                        List.of(
                                "time_s",
                                "demand_pct",
                                "active_vms",
                                "resuming_vms",
                                "draining_vms",
                                "vm_cpu_pct",
                                "served_share",
                                "resumes",
                                "retires"));
        Table.Builder log = Table.builder("decisions", List.of("time_s", "decision"));
        long windowMs = config.switching().window().toMillis();
        loop.every(
                0,
                config.decisionPeriod().toMillis(),
                () -> {
                    long now = loop.now();
                    double demand =
                            demand(now)
                                    * (1 + config.demandNoisePct() * (2 * random.nextDouble() - 1));
                    long active = count(vms, ServiceServerState.ACTIVE);
                    double capacity = 100.0 * active;
                    double vmCpu = active == 0 ? 0 : Math.min(100, demand / active);
                    double share = demand <= 0 ? 1 : Math.min(1, capacity / demand);
                    tally.servedDemand += Math.min(demand, capacity);
                    tally.totalDemand += demand;
                    tally.minShare = Math.min(tally.minShare, share);
                    if (share < 1) {
                        tally.secondsShort += config.decisionPeriod().toMillis() / 1000.0;
                    }
                    tally.maxActive = Math.max(tally.maxActive, (int) active);
                    samples.add(new CpuSample(Instant.ofEpochMilli(now), vmCpu));
                    while (samples.peek().at().toEpochMilli() < now - windowMs) {
                        samples.poll();
                    }
                    series.add(
                            now / 1000.0,
                            demand,
                            (int) active,
                            (int) count(vms, ServiceServerState.RESUMING),
                            (int) count(vms, ServiceServerState.DRAINING),
                            vmCpu,
                            share,
                            tally.resumes,
                            tally.retires);

                    ServerSwitchingDecision decision =
                            policy.decide(
                                    new ServiceLoadView(
                                            Instant.ofEpochMilli(now),
                                            List.copyOf(vms.values()),
                                            List.copyOf(samples),
                                            hosts,
                                            Instant.ofEpochMilli(tally.stableSinceMs)),
                                    config.switching());
                    if (!decision.switches()) {
                        return;
                    }
                    log.add(now / 1000.0, decision.reason());
                    for (ServerResume resume : decision.resume()) {
                        tally.resumes++;
                        vms.put(
                                resume.vmId(),
                                ServiceServer.on(
                                        resume.vmId(),
                                        ServiceServerState.RESUMING,
                                        resume.hostId()));
                        loop.after(
                                config.resumeTime().toMillis(),
                                () -> {
                                    vms.put(
                                            resume.vmId(),
                                            ServiceServer.on(
                                                    resume.vmId(),
                                                    ServiceServerState.ACTIVE,
                                                    resume.hostId()));
                                    tally.stableSinceMs = loop.now();
                                });
                    }
                    for (String vmId : decision.retire()) {
                        tally.retires++;
                        String host = vms.get(vmId).hostId().orElseThrow();
                        vms.put(vmId, ServiceServer.on(vmId, ServiceServerState.DRAINING, host));
                        tally.stableSinceMs = loop.now();
                        loop.after(
                                config.drainTime().toMillis(),
                                () -> vms.put(vmId, ServiceServer.hibernated(vmId)));
                    }
                });
        loop.runUntil(config.duration().toMillis());

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("peak_demand_pct", config.peakDemandPct());
        summary.put("max_active_vms", tally.maxActive);
        summary.put("resumes", tally.resumes);
        summary.put("retires", tally.retires);
        summary.put("min_served_share", tally.minShare);
        summary.put(
                "served_share_overall",
                tally.totalDemand == 0 ? 1.0 : tally.servedDemand / tally.totalDemand);
        summary.put("seconds_not_fully_served", tally.secondsShort);
        summary.put("active_vms_at_end", (int) count(vms, ServiceServerState.ACTIVE));
        return new ScenarioResult(
                NAME,
                seed,
                description(),
                summary,
                List.of(series.build(), log.build()),
                List.of(
                        new ChartSpec(
                                "vms",
                                "Flash crowd: demand and active VMs",
                                "% of one VM / VMs × 100",
                                List.of(
                                        new ChartSpec.Series("series", "demand_pct", "demand"),
                                        new ChartSpec.Series(
                                                "series", "vm_cpu_pct", "CPU per active VM"))),
                        new ChartSpec(
                                "active",
                                "Active VMs",
                                "VMs",
                                List.of(
                                        new ChartSpec.Series("series", "active_vms", "active"),
                                        new ChartSpec.Series(
                                                "series", "resuming_vms", "resuming"))),
                        new ChartSpec(
                                "served",
                                "Share of demand served",
                                "served share",
                                List.of(
                                        new ChartSpec.Series(
                                                "series", "served_share", "served")))));
    }

    /** Demand without noise: base, linear ramp up, hold, linear ramp down, base. */
    double demand(long nowMs) {
        double base = config.baseDemandPct();
        double peak = config.peakDemandPct();
        long start = config.crowdStart().toMillis();
        long up = config.rampUp().toMillis();
        long hold = config.peakHold().toMillis();
        long down = config.rampDown().toMillis();
        if (nowMs < start) {
            return base;
        }
        if (nowMs < start + up) {
            return base + (peak - base) * (nowMs - start) / (double) up;
        }
        if (nowMs < start + up + hold) {
            return peak;
        }
        if (nowMs < start + up + hold + down) {
            return peak - (peak - base) * (nowMs - start - up - hold) / (double) down;
        }
        return base;
    }

    /** Running totals of one run. */
    private static final class Tally {
        double servedDemand;
        double totalDemand;
        double minShare = 1;
        double secondsShort;
        int maxActive;
        int resumes;
        int retires;
        long stableSinceMs;
    }

    private static long count(Map<String, ServiceServer> vms, ServiceServerState state) {
        return vms.values().stream().filter(v -> v.state() == state).count();
    }
}
