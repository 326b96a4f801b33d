package io.livezone.lab;

import io.livezone.core.LiveZoneException;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationListener;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.ZoneSpec;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.dve.bot.SwarmStats;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The foundation scenario behind {@code demo} and {@code bench single}: one zone VM with the zone
 * server, bots playing against it from the host, and a series of live migrations between two QEMU
 * instances. For each migration it pairs QEMU's figures with what the players saw in a window
 * around it.
 */
public final class SingleZoneScenario {
    /**
     * Bot stats of each migration cover this long after the switchover, so late effects (stalls)
     * are caught.
     */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    public record Settings(
            MemorySize memory,
            int bots,
            int migrations,
            Duration playBetween,
            int tickHz,
            MigrationOptions options) {
        public Settings {
            if (bots < 1 || bots > 5000) {
                throw new io.livezone.core.InvalidInputException(
                        "bots must be 1..5000, got " + bots);
            }
            if (migrations < 1 || migrations > 1000) {
                throw new io.livezone.core.InvalidInputException(
                        "migrations must be 1..1000, got " + migrations);
            }
        }
    }

    /** One migration as QEMU measured it and as the players felt it. */
    public record Run(MigrationReport migration, AggregateStats players) {}

    public record Outcome(
            String accelerator,
            long guestMiB,
            int bots,
            long bootMillis,
            List<Run> runs,
            AggregateStats overall) {}

    private final Settings settings;
    private final PrintStream progress;

    public SingleZoneScenario(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Outcome run() {
        try (LocalZoneLab lab = LocalZoneLab.open("lz")) {
            ZoneSpec spec = lab.zoneSpec("zone1", settings.memory(), 0, settings.tickHz());
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
            progress.printf(
                    "zone server up after %.1f s; attaching %d bots%n",
                    bootMillis / 1000.0, settings.bots());
            try (BotSwarm swarm =
                    BotSwarm.start(
                            lab.controlEndpoint(spec),
                            settings.bots(),
                            BotConfig.defaults().withNamePrefix("bot"))) {
                if (!swarm.awaitAllReceiving(Duration.ofSeconds(60))) {
                    throw new LiveZoneException(
                            "only "
                                    + swarm.receivingCount()
                                    + " of "
                                    + settings.bots()
                                    + " bots receive updates from the zone");
                }
                List<Run> runs = new ArrayList<>();
                for (int i = 1; i <= settings.migrations(); i++) {
                    sleep(settings.playBetween());
                    SwarmStats before = swarm.cutWindow();
                    requireAlive(lab, spec, before, i);
                    progress.printf(
                            "playing: %d bots, rtt p50 %.1f ms, update gap p99 %.1f ms; migration"
                                    + " %d/%d%n",
                            settings.bots(),
                            before.aggregate().rtt().p50Ms(),
                            before.aggregate().updateGap().p99Ms(),
                            i,
                            settings.migrations());
                    MigrationReport report =
                            lab.driver()
                                    .migrateLocal(
                                            spec.name(),
                                            settings.options(),
                                            SwitchoverHook.NONE,
                                            progressBar());
                    progress.println();
                    sleep(SETTLE);
                    AggregateStats players = swarm.cutWindow().aggregate();
                    progress.printf(
                            "  %s -> %s: total %d ms, downtime %d ms, players' max gap %.0f ms,"
                                    + " lost %d, disconnected %d%n",
                            report.fromInstance(),
                            report.toInstance(),
                            report.totalMillis(),
                            report.downtimeMillis(),
                            players.updateGap().maxMs(),
                            players.lost(),
                            players.disconnected());
                    runs.add(new Run(report, players));
                }
                return new Outcome(
                        lab.accelerator().id(),
                        spec.memory().mib(),
                        settings.bots(),
                        bootMillis,
                        runs,
                        swarm.total().aggregate());
            } catch (IOException e) {
                throw new LiveZoneException("bots could not join the zone: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LiveZoneException("interrupted");
            }
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

    private MigrationListener progressBar() {
        return p -> {
            int width = 30;
            int filled = (int) Math.round(p.percent() / 100 * width);
            progress.printf(
                    "\r  [%s%s] %5.1f%% %-15s %7.1f MB %8.0f Mbit/s",
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    p.percent(),
                    p.status(),
                    p.transferredBytes() / 1e6,
                    p.mbps());
        };
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
