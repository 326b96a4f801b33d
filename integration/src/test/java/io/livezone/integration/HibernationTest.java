package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.core.MemorySize;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneState;
import io.livezone.dve.bot.AggregateStats;
import io.livezone.dve.bot.BotConfig;
import io.livezone.dve.bot.BotSwarm;
import io.livezone.lab.LocalZoneLab;
import io.livezone.qemu.QemuZoneDriver;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Suspend a running zone to a file, resume it in another QEMU host context, and find its state
 * intact.
 */
class HibernationTest {

    @Test
    void suspendToFileAndResumeElsewhereKeepsTheZoneState() throws Exception {
        Path state;
        String network;
        Path otherHostState = Files.createTempDirectory(Path.of("/tmp"), "lzb");
        Path image = Files.createTempDirectory("lz-hibernate").resolve("arena.vmstate");
        try (LocalZoneLab lab = LocalZoneLab.open("hib")) {
            state = lab.stateDir();
            network = lab.network().name();
            ZoneSpec spec = lab.zoneSpec("sleeper", MemorySize.ofMiB(160), 0, 20);
            lab.driver().start(spec);
            lab.driver().awaitReady(spec.name(), Duration.ofMinutes(3));
            // Bots tolerate the nap: their sessions (TCP control + UDP) must survive it, as a
            // player's would.
            try (BotSwarm swarm =
                    BotSwarm.start(
                            lab.controlEndpoint(spec),
                            4,
                            BotConfig.defaults().withUpdateTimeout(Duration.ofSeconds(120)))) {
                assertThat(swarm.awaitAllReceiving(Duration.ofSeconds(60))).isTrue();
                Thread.sleep(1000);
                swarm.cutWindow();

                lab.driver().suspend(spec.name(), image);
                assertThat(image).isRegularFile();
                assertThat(Files.size(image)).isGreaterThan(1L << 20);
                assertThat(lab.driver().status(spec.name()).state()).isEqualTo(ZoneState.SUSPENDED);
                assertThat(Leftovers.qemuProcessesMentioning(state.toString()))
                        .as("no VM while suspended")
                        .isEmpty();
                AggregateStats untilSuspended = swarm.cutWindow().aggregate();
                assertThat(untilSuspended.updatesReceived())
                        .as("players were playing until the suspend")
                        .isPositive();
                long tickAtSuspend = untilSuspended.highestTick();
                Thread.sleep(1500);
                assertThat(swarm.cutWindow().aggregate().updatesReceived())
                        .as("nothing plays while suspended")
                        .isZero();

                // "Elsewhere": a second driver with its own state, as another host on the same
                // segment would be.
                QemuZoneDriver otherHost =
                        new QemuZoneDriver(otherHostState, lab.network(), lab.accelerator());
                try {
                    lab.driver()
                            .stop(spec.name()); // the first host forgets the zone; the file stays
                    assertThat(image).exists();
                    otherHost.restore(spec, image);
                    long resumed = System.nanoTime();
                    assertThat(otherHost.status(spec.name()).state()).isEqualTo(ZoneState.RUNNING);
                    Thread.sleep(3000);
                    AggregateStats after = swarm.cutWindow().aggregate();
                    double playedSeconds = (System.nanoTime() - resumed) / 1e9;
                    // Game time stood still while the zone slept: it goes on from the tick it
                    // was suspended at, no faster than the wall clock since the resume (a zone
                    // that fast-forwarded over its nap, at least 1.5 s = 30 ticks, or restarted
                    // at tick 0, fails). Slack of 10 ticks, a third of that nap: the guest ran a
                    // tick or two after the last update the bots saw before the suspend, and a
                    // loaded 2-core machine delays a tick now and then, which the server makes
                    // up (seen: 71 ticks where 3.2 s allow 64 + 5).
                    assertThat(after.highestTick() - tickAtSuspend)
                            .as("ticks since the suspend, %.1f s after the resume", playedSeconds)
                            .isPositive()
                            .isLessThanOrEqualTo((long) Math.ceil(playedSeconds * 20) + 10);
                    assertThat(after.updatesReceived())
                            .as("players see the zone again")
                            .isPositive();
                    assertThat(after.disconnected())
                            .as("sessions survived the hibernation")
                            .isZero();
                    // Same world, same tick counter, same digest chain: nothing restarted or
                    // rewound.
                    assertThat(after.tickContinuityOk()).isTrue();
                    assertThat(after.outOfOrder()).isZero();
                    assertThat(after.duplicated()).isZero();
                } finally {
                    for (String z : otherHost.zoneNames()) {
                        otherHost.stop(z);
                    }
                }
            }
        } finally {
            Files.deleteIfExists(image);
            Files.deleteIfExists(image.getParent());
            Files.deleteIfExists(otherHostState.resolve("zones"));
            Files.deleteIfExists(otherHostState);
        }
        Leftovers.assertNoneFrom(state, network);
        assertThat(Leftovers.qemuProcessesMentioning(otherHostState.toString())).isEmpty();
    }
}
