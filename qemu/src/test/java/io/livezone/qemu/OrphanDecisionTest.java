package io.livezone.qemu;

import static io.livezone.qemu.OrphanDecision.Action.CANCEL_MIGRATION;
import static io.livezone.qemu.OrphanDecision.Action.ENSURE_TAP_UP;
import static io.livezone.qemu.OrphanDecision.Action.LEAVE;
import static io.livezone.qemu.OrphanDecision.Action.RESUME;
import static io.livezone.qemu.OrphanDecision.Role.ACTIVE;
import static io.livezone.qemu.OrphanDecision.Role.INCOMING;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.core.ZoneState;
import io.livezone.qemu.OrphanDecision.Decision;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrphanDecisionTest {
    @ParameterizedTest(name = "{0} {1}/{2} -> {3} {4}")
    @CsvSource({
        // An outgoing pre-copy migration nobody drives any more is cancelled, whatever the VM does.
        "ACTIVE, finish-migrate, pre-switchover, CANCEL_MIGRATION, MIGRATING",
        "ACTIVE, running,        active,         CANCEL_MIGRATION, MIGRATING",
        "ACTIVE, running,        setup,          CANCEL_MIGRATION, MIGRATING",
        "ACTIVE, finish-migrate, device,         CANCEL_MIGRATION, MIGRATING",
        "ACTIVE, finish-migrate, cancelling,     CANCEL_MIGRATION, MIGRATING",
        // After the cancel: paused by that migration -> resumed; QEMU already resumed -> tap up.
        "ACTIVE, finish-migrate, cancelled,      RESUME,           RUNNING",
        "ACTIVE, paused,         failed,         RESUME,           RUNNING",
        "ACTIVE, running,        cancelled,      ENSURE_TAP_UP,    RUNNING",
        "ACTIVE, running,        failed,         ENSURE_TAP_UP,    RUNNING",
        "ACTIVE, running,        none,           ENSURE_TAP_UP,    RUNNING",
        // Completed: the destination may run the zone; never cont here.
        "ACTIVE, postmigrate,    completed,      LEAVE,            PAUSED",
        "ACTIVE, paused,         completed,      LEAVE,            PAUSED",
        "ACTIVE, running,        completed,      LEAVE,            RUNNING",
        // Post-copy: the destination holds the newest memory; left alone.
        "ACTIVE, finish-migrate, postcopy-active, LEAVE,           MIGRATING",
        "ACTIVE, postmigrate,    postcopy-paused, LEAVE,           PAUSED",
        "ACTIVE, postmigrate,    postcopy-recover, LEAVE,          PAUSED",
        // Not paused by a migration: an operator's pause, a stopped source, a dead guest.
        "ACTIVE, paused,         none,           LEAVE,            PAUSED",
        "ACTIVE, postmigrate,    failed,         LEAVE,            PAUSED",
        "ACTIVE, guest-panicked, none,           LEAVE,            DEAD",
        "ACTIVE, shutdown,       none,           LEAVE,            DEAD",
        // An arrival nobody will commit: reported as it is, the coordinator decides.
        "INCOMING, inmigrate,    none,           LEAVE,            INCOMING",
        "INCOMING, inmigrate,    active,         LEAVE,            INCOMING",
        "INCOMING, running,      completed,      LEAVE,            RUNNING",
        "INCOMING, prelaunch,    completed,      LEAVE,            INCOMING",
        "INCOMING, paused,       completed,      LEAVE,            INCOMING",
        "INCOMING, paused,       failed,         LEAVE,            PAUSED",
    })
    void decides(
            OrphanDecision.Role role,
            String runState,
            String migration,
            OrphanDecision.Action action,
            ZoneState report) {
        Decision d = OrphanDecision.decide(role, runState, migration);
        assertThat(d.action()).isEqualTo(action);
        assertThat(d.report()).isEqualTo(report);
    }

    @org.junit.jupiter.api.Test
    void neverResumesASourceWhoseMigrationCompletedOrWentPostCopy() {
        for (String run : new String[] {"paused", "finish-migrate", "postmigrate"}) {
            for (String m :
                    new String[] {
                        "completed", "postcopy-active", "postcopy-paused", "postcopy-recover"
                    }) {
                assertThat(OrphanDecision.decide(ACTIVE, run, m).action())
                        .as("%s / %s", run, m)
                        .isNotIn(RESUME, ENSURE_TAP_UP, CANCEL_MIGRATION);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void anArrivalIsNeverActedOn() {
        for (String run : new String[] {"inmigrate", "running", "paused", "prelaunch"}) {
            assertThat(OrphanDecision.decide(INCOMING, run, "active").action()).isEqualTo(LEAVE);
        }
    }

    @org.junit.jupiter.api.Test
    void notesSayWhatTheCoordinatorMustDecide() {
        assertThat(OrphanDecision.decide(ACTIVE, "postmigrate", "completed").note())
                .contains("completed", "coordinator");
        // A source stops in postmigrate; a paused one with a completed stream is an arrival.
        assertThat(OrphanDecision.decide(ACTIVE, "paused", "completed").note())
                .contains("marked to run", "commits");
        assertThat(OrphanDecision.decide(ACTIVE, "finish-migrate", "postcopy-active").note())
                .contains("post-copy");
        assertThat(OrphanDecision.decide(INCOMING, "inmigrate", "none").note())
                .contains("orphaned arrival");
        assertThat(OrphanDecision.decide(ACTIVE, "running", "none").note()).isNull();
    }
}
