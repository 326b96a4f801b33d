package io.livezone.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.ZoneState;
import io.livezone.qemu.VmCheck;
import io.livezone.qemu.VmCheck.Presence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;
import java.util.OptionalLong;

class LivenessTest {
    private static VmCheck answered(String runState, String migration) {
        return new VmCheck(
                "arena",
                Presence.ALIVE,
                "i1",
                OptionalLong.of(42),
                runState,
                migration,
                null,
                Optional.empty());
    }

    private static VmCheck silent() {
        return new VmCheck(
                "arena",
                Presence.ALIVE,
                "i1",
                OptionalLong.of(42),
                null,
                null,
                "no QMP greeting within PT2S (is another client already connected?)",
                Optional.empty());
    }

    private static VmCheck dead(Integer status) {
        return new VmCheck(
                "arena",
                Presence.DEAD,
                "i1",
                OptionalLong.of(42),
                null,
                null,
                null,
                Optional.ofNullable(status));
    }

    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @CsvSource({
        "running,        none,            RUNNING",
        "running,        completed,       RUNNING",
        "paused,         none,            PAUSED",
        "postmigrate,    completed,       PAUSED",
        "finish-migrate, pre-switchover,  MIGRATING",
        "running,        active,          MIGRATING",
        "finish-migrate, postcopy-active, MIGRATING",
        "inmigrate,      none,            PAUSED",
        "guest-panicked, none,            DEAD",
        "internal-error, none,            DEAD",
        "shutdown,       none,            DEAD",
    })
    void aMonitorThatAnswersSaysWhatTheVmDoes(String runState, String migration, ZoneState s) {
        Liveness.Verdict v = Liveness.judge(answered(runState, migration), 3, 10);
        assertThat(v.state()).isEqualTo(s);
        assertThat(v.misses()).as("an answer ends a run of misses").isZero();
        assertThat(v.qemuStatus()).isEqualTo(runState);
        assertThat(v.deathReason() != null).isEqualTo(s == ZoneState.DEAD);
    }

    @Test
    void aGoneProcessIsDeadWithHowItEnded() {
        assertThat(Liveness.judge(dead(137), 0, 10).deathReason())
                .isEqualTo("its QEMU process ended: killed by signal 9 (SIGKILL)");
        assertThat(Liveness.judge(dead(1), 0, 10).deathReason()).endsWith("exited with status 1");
        assertThat(Liveness.judge(dead(null), 0, 10).deathReason()).contains("exit status unknown");
    }

    @Test
    void aSilentMonitorIsNoDeathUntilItStaysSilentForTheBound() {
        int misses = 0;
        for (int i = 1; i < 5; i++) {
            Liveness.Verdict v = Liveness.judge(silent(), misses, 5);
            assertThat(v.state()).as("look %d: cannot tell yet", i).isNull();
            assertThat(v.misses()).isEqualTo(i);
            misses = v.misses();
        }
        Liveness.Verdict hung = Liveness.judge(silent(), misses, 5);
        assertThat(hung.dead()).isTrue();
        assertThat(hung.deathReason()).contains("hung", "5 looks in a row", "greeting");
    }

    @Test
    void aZoneWithoutVmIsNotJudged() {
        VmCheck gone =
                new VmCheck(
                        "arena",
                        Presence.GONE,
                        null,
                        OptionalLong.empty(),
                        null,
                        null,
                        null,
                        Optional.empty());
        assertThatThrownBy(() -> Liveness.judge(gone, 0, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
