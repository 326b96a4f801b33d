package io.livezone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationOptions;
import io.livezone.core.ZoneSpec;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotStats;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.dve.bot.LatencyPool;
import io.livezone.dve.bot.LatencySummary;
import io.livezone.dve.bot.SwarmStats;
import io.livezone.dve.bot.ZoneQuery;
import io.livezone.dve.server.InputDelivery;
import io.livezone.gateway.DatagramCheck;
import io.livezone.gateway.GatewayBenchmark;
import io.livezone.gateway.GatewayConfig;
import io.livezone.gateway.HoldHandle;
import io.livezone.gateway.ZoneTraffic;
import io.livezone.gateway.latency.ClientRegions;
import io.livezone.gateway.latency.RegionLatency;
import io.livezone.lab.HostState;
import io.livezone.lab.LabGateway;
import io.livezone.lab.LocalZoneLab;
import io.livezone.lab.MigrationOptionsMixin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

/**
 * {@code livezone bench continuity}: "players never notice". One zone VM behind the gateway, UDP
 * bots and long-lived TCP echo sessions (checksummed streams) playing through it, and a series of
 * live migrations, every {@code --cross-site-every}-th of them to the other of two emulated sites
 * (client regions near one site are far from the other, so players feel the move in their RTT).
 * Each migration's switchover hook is the gateway's hold; the hold is released at the hand-over.
 *
 * <p>Measurement starts after a warm-up ({@code --warmup-seconds}): the zone server's JIT in a TCG
 * guest takes seconds, during which it drops datagrams with or without migrations. What it reports,
 * and how it is measured:
 *
 * <ul>
 *   <li>lost client datagrams: sequence numbers of the bots' inputs that never reached the zone
 *       server (its {@code INPUTS} report, queried in the guest), split into the windows around
 *       migrations and the play in between, with the guest kernel's and the host tap's drop
 *       counters to tell where they were lost;
 *   <li>TCP resets: TCP connections (echo sessions, bots' control channels) that broke;
 *   <li>client reconnects: sessions a client had to open again (an echo session that broke is
 *       reopened; a bot that lost its session would have to rejoin);
 *   <li>extra delay: each state update's lateness against the 50 ms tick schedule (see {@link
 *       BotStats#updateLateness()}), over every update after the warm-up, and separately over the
 *       migration windows (from a migration's start to {@link #SETTLE} after it) and the play
 *       windows (the play before each migration), every window of a kind pooled: the p99 target
 *       applies to the migration windows, the play windows show the zone's own jitter;
 *   <li>the gateway's own overhead: {@link GatewayBenchmark} on the loopback before the VM boots.
 * </ul>
 */
@Command(
        name = "continuity",
        mixinStandardHelpOptions = true,
        description =
                "Players never notice: one zone behind the gateway, UDP bots and TCP echo sessions,"
                        + " live migrations (some across emulated sites); JSON on the last line.")
public final class BenchContinuity implements Callable<Integer> {
    private static final List<String> SITES = List.of("site-a", "site-b");

    /** Each region is near one site and far from the other. */
    private static final List<String> REGIONS = List.of("eu", "us");

    private static final int TICK_HZ = 20;
    private static final double EXTRA_DELAY_P99_TARGET_MS = 40;
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--json", description = "Only JSON on stdout (progress goes to stderr).")
    boolean json;

    @Option(
            names = "--migrations",
            defaultValue = "10",
            description = "Live migrations (default: ${DEFAULT-VALUE}).")
    int migrations;

    @Option(
            names = "--bots",
            defaultValue = "20",
            description = "UDP bots (default: ${DEFAULT-VALUE}).")
    int bots;

    @Option(
            names = "--tcp-sessions",
            defaultValue = "5",
            description = "Long-lived TCP echo sessions (default: ${DEFAULT-VALUE}).")
    int tcpSessions;

    @Option(
            names = "--memory",
            defaultValue = "256M",
            description = "Guest RAM (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(
            names = "--cross-site-every",
            defaultValue = "2",
            description =
                    "Every n-th migration moves the zone to the other site (default:"
                            + " ${DEFAULT-VALUE}; 1: every one).")
    int crossSiteEvery;

    @Option(
            names = "--play-seconds",
            defaultValue = "3",
            description = "Play between migrations, s (default: ${DEFAULT-VALUE}).")
    int playSeconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "10",
            description =
                    "Play before measuring, s: the zone server's JIT in a TCG guest takes a while"
                            + " (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(
            names = "--near-ms",
            defaultValue = "5",
            description = "One-way delay between a region and its near site (default: 5).")
    long nearMillis;

    @Option(
            names = "--far-ms",
            defaultValue = "35",
            description = "One-way delay between a region and its far site (default: 35).")
    long farMillis;

    @Option(
            names = "--replay-ms",
            defaultValue = "250",
            description =
                    "Gateway switchover replay window, ms (default: ${DEFAULT-VALUE}; 0: off).")
    long replayMillis;

    @Option(
            names = "--max-hold-ms",
            defaultValue = "2000",
            description = "A longer hold aborts the migration (default: ${DEFAULT-VALUE}).")
    long maxHoldMillis;

    @Option(
            names = "--overhead-seconds",
            defaultValue = "8",
            description = "Gateway overhead benchmark duration, s (default: ${DEFAULT-VALUE}).")
    int overheadSeconds;

    @Option(
            names = "--overhead-clients",
            defaultValue = "100",
            description = "Clients in the gateway overhead benchmark (default: ${DEFAULT-VALUE}).")
    int overheadClients;

    @Mixin MigrationOptionsMixin tuning = new MigrationOptionsMixin();

    @Override
    public Integer call() throws Exception {
        HostState.requireRoot();
        validate();
        PrintStream progress = json ? System.err : System.out;
        MigrationOptions options = tuning.toOptions();

        progress.printf(
                "gateway overhead on the loopback: %d clients, %d s%n",
                overheadClients, overheadSeconds);
        GatewayBenchmark.Result overhead = GatewayBenchmark.run(overheadClients, overheadSeconds);
        progress.printf(
                "  added latency p50 %.0f us, p99 %.0f us; %.0f packets/s (%.0f per gateway CPU"
                        + " second)%n",
                overhead.addedLatencyP50Micros(),
                overhead.addedLatencyP99Micros(),
                overhead.packetsPerSecond(),
                overhead.packetsPerGatewayCpuSecond());

        Outcome outcome = run(options, progress);
        ObjectNode out = report(outcome, overhead);
        System.out.println(new ObjectMapper().writeValueAsString(out));
        return 0;
    }

    private void validate() {
        if (migrations < 1 || migrations > 1000) {
            throw new InvalidInputException("--migrations must be 1..1000, got " + migrations);
        }
        if (bots < 1 || bots > 5000) {
            throw new InvalidInputException("--bots must be 1..5000, got " + bots);
        }
        if (tcpSessions < 0 || tcpSessions > 100) {
            throw new InvalidInputException("--tcp-sessions must be 0..100, got " + tcpSessions);
        }
        if (crossSiteEvery < 1) {
            throw new InvalidInputException(
                    "--cross-site-every must be >= 1, got " + crossSiteEvery);
        }
        if (warmupSeconds < 0 || warmupSeconds > 600) {
            throw new InvalidInputException(
                    "--warmup-seconds must be 0..600, got " + warmupSeconds);
        }
        if (playSeconds < 1 || playSeconds > 600) {
            throw new InvalidInputException("--play-seconds must be 1..600, got " + playSeconds);
        }
        if (overheadSeconds < 1 || overheadSeconds > 600) {
            throw new InvalidInputException(
                    "--overhead-seconds must be 1..600, got " + overheadSeconds);
        }
        MemorySize.parse(memory);
        gatewayConfig(); // validates delays, replay and hold limits
    }

    GatewayConfig gatewayConfig() {
        RegionLatency.Builder latency = RegionLatency.builder();
        for (int r = 0; r < REGIONS.size(); r++) {
            for (int s = 0; s < SITES.size(); s++) {
                latency.oneWay(
                        REGIONS.get(r),
                        SITES.get(s),
                        Duration.ofMillis(r == s ? nearMillis : farMillis));
            }
        }
        return GatewayConfig.defaults().toBuilder()
                .rewriteWelcomeUdpPort(true)
                .datagramCheck(DatagramCheck.LIVEZONE_HEADER)
                .regionLatency(latency.build())
                .regionOf(ClientRegions.byPort(REGIONS))
                .switchoverReplay(Duration.ofMillis(replayMillis))
                .maxHold(Duration.ofMillis(maxHoldMillis))
                .build();
    }

    /**
     * What the zone and its host saw so far, read at the boundaries of play and migration phases:
     * client datagrams missing at the zone server, datagrams the guest kernel dropped because the
     * server's socket buffer was full, datagrams the host dropped at the zone's tap because the
     * guest did not take them, and ticks the server ran late to catch up with its schedule.
     */
    private record ZoneProbe(
            long missing, long late, long kernelDrops, long tapDrops, long catchUpTicks) {
        ZoneProbe minus(ZoneProbe o) {
            return new ZoneProbe(
                    missing - o.missing,
                    late - o.late,
                    kernelDrops - o.kernelDrops,
                    tapDrops - o.tapDrops,
                    catchUpTicks - o.catchUpTicks);
        }
    }

    /**
     * One migration: QEMU's figures, the gateway's hold, what the players saw in the window from
     * the migration to {@link #SETTLE} after it ({@code migration}), and what happened while they
     * played before it ({@code play}).
     */
    private record Run(
            int index,
            String fromSite,
            String toSite,
            LabGateway.Move move,
            String failure,
            AggregateStats playPlayers,
            AggregateStats players,
            ZoneProbe play,
            ZoneProbe migration,
            double echoPlayRttMaxMs,
            double echoRttMaxMs) {}

    private record Outcome(
            String accelerator,
            long guestMiB,
            long bootMillis,
            List<Run> runs,
            SwarmStats overall,
            ZoneProbe atStart,
            ZoneProbe atEnd,
            InputDelivery inputs,
            EchoClients.Totals echo,
            ZoneTraffic traffic,
            Map<String, List<Double>> echoRttByRegionAndSite,
            LatencySummary migrationLateness,
            LatencySummary playLateness) {

        long failedMigrations() {
            return runs.stream().filter(r -> r.move() == null).count();
        }
    }

    private Outcome run(MigrationOptions options, PrintStream progress)
            throws IOException, InterruptedException {
        try (LocalZoneLab lab = LocalZoneLab.open("lzc")) {
            ZoneSpec spec = lab.zoneSpec("zone1", MemorySize.parse(memory), 0, TICK_HZ);
            progress.printf(
                    "booting zone %s: %s guest, accelerator %s, address %s%n",
                    spec.name(),
                    spec.memory(),
                    lab.accelerator().id(),
                    spec.nic().address().addressText());
            long t0 = System.nanoTime();
            lab.driver().start(spec);
            lab.driver().awaitReady(spec.name(), Duration.ofMinutes(3));
            long bootMillis = (System.nanoTime() - t0) / 1_000_000;
            TapDrops tapDrops = new TapDrops(lab.network().namespace());
            try (LabGateway gw = LabGateway.start(lab, spec, SITES.get(0), gatewayConfig());
                    BotSwarm swarm =
                            BotSwarm.start(
                                    gw.endpoint().tcp(),
                                    bots,
                                    BotConfig.defaults().withNamePrefix("bot"));
                    EchoClients echoes = EchoClients.open(gw, REGIONS, tcpSessions)) {
                progress.printf(
                        "zone up after %.1f s; gateway endpoint %s; %d bots and %d TCP echo"
                                + " sessions through it%n",
                        bootMillis / 1000.0, gw.endpoint().udp(), bots, tcpSessions);
                if (!swarm.awaitAllReceiving(Duration.ofSeconds(60))) {
                    throw new LiveZoneException(
                            "only "
                                    + swarm.receivingCount()
                                    + " of "
                                    + bots
                                    + " bots receive updates through the gateway");
                }
                progress.printf("warming up for %d s%n", warmupSeconds);
                Thread.sleep(Duration.ofSeconds(warmupSeconds));
                swarm.cutWindow();
                swarm.resetTotals();
                echoes.reconnectBroken();
                echoes.cutWindows();
                ZoneProbe atStart = probe(gw, tapDrops);
                ZoneProbe last = atStart;
                List<Run> runs = new ArrayList<>();
                Map<String, List<Double>> rttByRegionSite = new LinkedHashMap<>();
                LatencyPool playLateness = new LatencyPool();
                LatencyPool migrationLateness = new LatencyPool();
                for (int i = 1; i <= migrations; i++) {
                    Thread.sleep(Duration.ofSeconds(playSeconds));
                    SwarmStats before = swarm.cutWindow(playLateness);
                    requireAlive(lab, spec, before, i);
                    ZoneProbe beforeMigration = probe(gw, tapDrops);
                    echoes.reconnectBroken();
                    double echoPlayRttMax = 0;
                    for (EchoClients.Window w : echoes.cutWindows()) {
                        echoPlayRttMax = Math.max(echoPlayRttMax, w.stats().chunkRtt().maxMs());
                        rttByRegionSite
                                .computeIfAbsent(
                                        w.region() + "@" + gw.site(), k -> new ArrayList<>())
                                .add(w.stats().chunkRtt().p50Ms());
                    }
                    String from = gw.site();
                    boolean across = i % crossSiteEvery == 0;
                    String to = across ? SITES.get(1 - SITES.indexOf(from)) : from;
                    progress.printf(
                            "migration %d/%d %s -> %s; while playing: rtt p50 %.1f ms, extra"
                                    + " delay p99 %.1f ms, lost inputs %d%n",
                            i,
                            migrations,
                            from,
                            to,
                            before.aggregate().rtt().p50Ms(),
                            before.aggregate().updateLateness().p99Ms(),
                            beforeMigration.minus(last).missing());
                    LabGateway.Move move = null;
                    String failure = null;
                    try {
                        move = gw.migrate(to, options, progressBar(progress));
                    } catch (LiveZoneException e) {
                        // Aborted (the zone runs on at its source) or failed after the hand-over
                        // (e.g. tearing the source down): counted, and the run goes on.
                        failure = e.getMessage();
                    }
                    progress.println();
                    Thread.sleep(SETTLE);
                    AggregateStats players = swarm.cutWindow(migrationLateness).aggregate();
                    ZoneProbe after = probe(gw, tapDrops);
                    double echoRttMax =
                            echoes.cutWindows().stream()
                                    .mapToDouble(w -> w.stats().chunkRtt().maxMs())
                                    .max()
                                    .orElse(0);
                    Run run =
                            new Run(
                                    i,
                                    from,
                                    to,
                                    move,
                                    failure,
                                    before.aggregate(),
                                    players,
                                    beforeMigration.minus(last),
                                    after.minus(beforeMigration),
                                    echoPlayRttMax,
                                    echoRttMax);
                    last = after;
                    runs.add(run);
                    printRun(progress, run);
                }
                Thread.sleep(SETTLE);
                ZoneProbe atEnd = probe(gw, tapDrops);
                InputDelivery inputs = ZoneQuery.inputs(gw.zoneControl(), PROBE_TIMEOUT);
                EchoClients.Totals echo = echoes.finish(Duration.ofSeconds(30));
                SwarmStats overall = swarm.total();
                ZoneTraffic traffic = gw.gateway().traffic(spec.name());
                return new Outcome(
                        lab.accelerator().id(),
                        spec.memory().mib(),
                        bootMillis,
                        runs,
                        overall,
                        atStart,
                        atEnd,
                        inputs,
                        echo,
                        traffic,
                        rttByRegionSite,
                        migrationLateness.summary(),
                        playLateness.summary());
            } catch (IOException e) {
                throw new LiveZoneException(
                        "clients could not reach the zone through the gateway: " + e.getMessage(),
                        e);
            }
        }
    }

    private static ZoneProbe probe(LabGateway gw, TapDrops tapDrops) throws IOException {
        InputDelivery inputs = ZoneQuery.inputs(gw.zoneControl(), PROBE_TIMEOUT);
        Map<String, Long> stats = fields(ZoneQuery.call(gw.zoneControl(), "STATS", PROBE_TIMEOUT));
        Map<String, Long> net = fields(ZoneQuery.call(gw.zoneControl(), "NETSTATS", PROBE_TIMEOUT));
        return new ZoneProbe(
                inputs.missing() + inputs.tooOld(),
                inputs.late(),
                net.getOrDefault("udpRcvbufErrors", -1L),
                tapDrops.sample(),
                stats.getOrDefault("catchUpTicks", -1L));
    }

    /** {@code WORD key=value key=value ...} as a map (values that are not numbers skipped). */
    private static Map<String, Long> fields(String line) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                try {
                    out.put(word.substring(0, eq), Long.parseLong(word.substring(eq + 1)));
                } catch (NumberFormatException e) {
                    // not a counter
                }
            }
        }
        return out;
    }

    private static void printRun(PrintStream progress, Run run) {
        if (run.move() == null) {
            progress.printf("  FAILED: %s%n", run.failure());
            return;
        }
        var m = run.move().report();
        HoldHandle hold = run.move().hold().orElse(null);
        progress.printf(
                "  total %d ms, downtime %d ms, hold %s ms (%s packets held, %s replayed);"
                        + " players: extra delay max %.0f ms, lost inputs %d, disconnected %d;"
                        + " tcp echo rtt max %.0f ms; guest drops %d, tap drops %d, zone"
                        + " catch-up ticks %d%n",
                m.totalMillis(),
                m.downtimeMillis(),
                hold == null ? "-" : Long.toString(hold.duration().toMillis()),
                hold == null ? "-" : Long.toString(hold.totalHeldPackets()),
                hold == null ? "-" : Long.toString(hold.replayedPackets()),
                run.players().updateLateness().maxMs(),
                run.migration().missing(),
                run.players().disconnected(),
                run.echoRttMaxMs(),
                run.migration().kernelDrops(),
                run.migration().tapDrops(),
                run.migration().catchUpTicks());
    }

    private ObjectNode report(Outcome o, GatewayBenchmark.Result overhead) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        AggregateStats all = o.overall().aggregate();
        ZoneProbe measured = o.atEnd().minus(o.atStart());
        long lost = measured.missing();
        long lostInMigrations = o.runs().stream().mapToLong(r -> r.migration().missing()).sum();
        // A bot whose control connection broke lost its TCP session; any disconnected bot would
        // have to rejoin.
        long botTcpFailures =
                o.overall().bots().stream()
                        .filter(
                                b ->
                                        b.disconnected()
                                                && b.disconnectReason()
                                                        .startsWith("control connection"))
                        .count();
        long tcpResets = o.echo().failures() + botTcpFailures;
        long reconnects = o.echo().reconnects() + all.disconnected();
        int maxHeld =
                o.runs().stream()
                        .filter(r -> r.move() != null)
                        .flatMap(r -> r.move().hold().stream())
                        .mapToInt(HoldHandle::maxHeldPackets)
                        .max()
                        .orElse(0);
        out.put("migrations", o.runs().size() - o.failedMigrations());
        out.put("lost_client_datagrams", lost);
        out.put("tcp_resets", tcpResets);
        out.put("client_reconnects", reconnects);
        out.put("extra_delay_ms_p50", round(all.updateLateness().p50Ms()));
        out.put("extra_delay_ms_p99", round(all.updateLateness().p99Ms()));
        out.put("extra_delay_ms_max", round(all.updateLateness().maxMs()));
        // Every update of every window of a kind pooled: migration windows run from a
        // migration's start to SETTLE after it, play windows are the play before each migration.
        putLateness(out.putObject("extra_delay_ms_migration_windows"), o.migrationLateness());
        putLateness(out.putObject("extra_delay_ms_play_windows"), o.playLateness());
        out.put("migration_window_settle_s", SETTLE.toSeconds());
        out.put("play_window_s", playSeconds);
        out.put("gateway_held_packets_max", Math.max(maxHeld, o.traffic().heldPacketsMax()));
        ObjectNode targets = out.putObject("targets_met");
        targets.put("zero_lost_client_datagrams", lost == 0);
        targets.put("zero_tcp_resets", tcpResets == 0);
        targets.put("zero_client_reconnects", reconnects == 0);
        // The target is about what migrations do to players: it applies to the migration windows.
        targets.put(
                "extra_delay_p99_migration_windows_le_40ms",
                o.migrationLateness().count() > 0
                        && o.migrationLateness().p99Ms() <= EXTRA_DELAY_P99_TARGET_MS);
        targets.put("all_migrations_completed", o.failedMigrations() == 0);
        targets.put("tcp_streams_intact", o.echo().intact());

        ObjectNode gw = out.putObject("gateway_overhead");
        gw.put("clients", overhead.clients());
        gw.put("added_latency_us_p50", round(overhead.addedLatencyP50Micros()));
        gw.put("added_latency_us_p99", round(overhead.addedLatencyP99Micros()));
        gw.put("direct_rtt_us_p50", round(overhead.directP50Micros()));
        gw.put("gateway_rtt_us_p50", round(overhead.gatewayP50Micros()));
        gw.put("packets_per_s", Math.round(overhead.packetsPerSecond()));
        gw.put("packets_per_gateway_cpu_s", Math.round(overhead.packetsPerGatewayCpuSecond()));
        gw.put("lost_packets", overhead.lostPackets());
        gw.put("gateway_drops", overhead.gatewayDrops());

        out.put("accel", o.accelerator());
        out.put("guest_mib", o.guestMiB());
        out.put("boot_ms", o.bootMillis());
        out.put("bots", bots);
        out.put("tcp_sessions", tcpSessions);
        out.put("warmup_s", warmupSeconds);
        out.put("failed_migrations", o.failedMigrations());
        // Where datagrams were lost: in the windows around migrations or while playing, and
        // whether the guest kernel (full socket buffer) or the host (tap queue) dropped them.
        out.put("lost_client_datagrams_in_migration_windows", lostInMigrations);
        out.put("lost_client_datagrams_while_playing", lost - lostInMigrations);
        out.put("lost_client_datagrams_during_warmup", o.atStart().missing());
        out.put("guest_kernel_udp_rcvbuf_drops", measured.kernelDrops());
        out.put("host_tap_drops", measured.tapDrops());
        out.put("zone_catch_up_ticks", measured.catchUpTicks());
        out.put("late_client_datagrams", measured.late());
        out.put("duplicate_client_datagrams", o.inputs().duplicates());
        out.put("client_datagrams_received", o.inputs().received());
        out.put("replayed_datagrams", o.traffic().replayedUdp());
        out.put("gateway_dropped_hold_overflow", o.traffic().droppedHoldOverflow());
        out.put(
                "bot_send_errors",
                o.overall().bots().stream().mapToLong(BotStats::sendErrors).sum());
        out.put("updates_received", all.updatesReceived());
        out.put("updates_lost", all.lost());
        out.put("update_gap_ms_max", round(all.updateGap().maxMs()));
        out.put("tick_continuity_ok", all.tickContinuityOk());
        out.put("bots_disconnected", all.disconnected());
        // Per-window p99 of the lateness, in windows with a migration and in windows without:
        // what the migrations add to the zone's own jitter.
        out.put(
                "extra_delay_ms_p99_median_of_migration_windows",
                round(median(o.runs(), r -> r.players().updateLateness().p99Ms())));
        out.put(
                "extra_delay_ms_p99_median_of_play_windows",
                round(median(o.runs(), r -> r.playPlayers().updateLateness().p99Ms())));
        out.put(
                "extra_delay_ms_max_median_of_migration_windows",
                round(median(o.runs(), r -> r.players().updateLateness().maxMs())));
        out.put(
                "extra_delay_ms_max_median_of_play_windows",
                round(median(o.runs(), r -> r.playPlayers().updateLateness().maxMs())));
        out.put("tcp_bytes_echoed", o.echo().bytesEchoed());
        out.put("tcp_mismatched_bytes", o.echo().mismatches());
        // After the warm-up: the largest round trip of a chunk of any echo session, in windows
        // with a migration and in windows without.
        out.put(
                "tcp_chunk_rtt_ms_max_in_migration_windows",
                round(o.runs().stream().mapToDouble(Run::echoRttMaxMs).max().orElse(0)));
        out.put(
                "tcp_chunk_rtt_ms_max_while_playing",
                round(o.runs().stream().mapToDouble(Run::echoPlayRttMaxMs).max().orElse(0)));
        ObjectNode regions = out.putObject("echo_rtt_ms_p50_by_region_at_site");
        o.echoRttByRegionAndSite()
                .forEach(
                        (key, values) ->
                                regions.put(key, round(median(values, Double::doubleValue))));
        ObjectNode delays = out.putObject("emulated_one_way_delay_ms");
        for (int r = 0; r < REGIONS.size(); r++) {
            for (int s = 0; s < SITES.size(); s++) {
                delays.put(REGIONS.get(r) + "@" + SITES.get(s), r == s ? nearMillis : farMillis);
            }
        }
        out.put("replay_window_ms", replayMillis);
        out.put("max_hold_ms", maxHoldMillis);
        ArrayNode runs = out.putArray("runs");
        for (Run run : o.runs()) {
            ObjectNode r = runs.addObject();
            r.put("index", run.index());
            r.put("from_site", run.fromSite());
            r.put("to_site", run.toSite());
            r.put("across_sites", !run.fromSite().equals(run.toSite()));
            if (run.move() == null) {
                r.put("failed", run.failure());
            } else {
                var m = run.move().report();
                r.put("total_ms", m.totalMillis());
                r.put("downtime_ms", m.downtimeMillis());
                r.put("pause_to_resume_ms", m.pauseToResumeMillis());
                r.put("switchover_hook_ms", m.switchoverHookMillis());
                run.move()
                        .hold()
                        .ifPresent(
                                h -> {
                                    r.put("hold_ms", h.duration().toMillis());
                                    r.put("held_packets", h.totalHeldPackets());
                                    r.put("held_packets_max", h.maxHeldPackets());
                                    r.put("replayed_packets", h.replayedPackets());
                                    r.put("hold_problem", h.problem().map(Enum::name).orElse(null));
                                });
                r.put("released_at_handover", run.move().releasedAtHandover());
            }
            r.put("lost_client_datagrams", run.migration().missing());
            r.put("lost_client_datagrams_while_playing_before", run.play().missing());
            r.put("guest_kernel_udp_rcvbuf_drops", run.migration().kernelDrops());
            r.put("host_tap_drops", run.migration().tapDrops());
            r.put("zone_catch_up_ticks", run.migration().catchUpTicks());
            r.put("extra_delay_ms_max", round(run.players().updateLateness().maxMs()));
            r.put("extra_delay_ms_p99", round(run.players().updateLateness().p99Ms()));
            r.put("play_extra_delay_ms_p99", round(run.playPlayers().updateLateness().p99Ms()));
            r.put("play_extra_delay_ms_max", round(run.playPlayers().updateLateness().maxMs()));
            r.put("update_gap_ms_max", round(run.players().updateGap().maxMs()));
            r.put("bots_disconnected", run.players().disconnected());
            r.put("tcp_chunk_rtt_ms_max", round(run.echoRttMaxMs()));
        }
        out.put("host", hostName());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("date", ZonedDateTime.now().toString());
        return out;
    }

    private static void putLateness(ObjectNode node, LatencySummary lateness) {
        node.put("p50", round(lateness.p50Ms()));
        node.put("p99", round(lateness.p99Ms()));
        node.put("max", round(lateness.maxMs()));
        node.put("updates", lateness.count());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A zone that players no longer hear from is a failure to report, not a row of zeros. */
    private static void requireAlive(
            LocalZoneLab lab, ZoneSpec spec, SwarmStats window, int migration) {
        if (window.aggregate().updatesReceived() == 0) {
            throw new LiveZoneException(
                    "players received nothing from zone "
                            + spec.name()
                            + " before migration "
                            + migration
                            + "; zone status "
                            + lab.driver().status(spec.name())
                            + "; console:\n"
                            + lab.driver().console(spec.name()));
        }
    }

    private static MigrationListener progressBar(PrintStream progress) {
        return p -> {
            int width = 30;
            int filled = (int) Math.round(p.percent() / 100 * width);
            progress.printf(
                    "\r  [%s%s] %5.1f%% %-15s %7.1f MB",
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    p.percent(),
                    p.status(),
                    p.transferredBytes() / 1e6);
        };
    }

    private static <T> double median(List<T> items, ToDoubleFunction<T> value) {
        double[] v = items.stream().mapToDouble(value).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
