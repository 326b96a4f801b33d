package io.livezone.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;
import io.livezone.core.MigrationReport;
import io.livezone.core.SwitchoverHook;
import io.livezone.qemu.PostcopyInterruptedException.Outcome;
import io.livezone.qemu.qmp.QmpClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The source side of post-copy's failure paths, against a fake monitor: what is never sent. */
class LiveMigrationPostcopyTest {
    private static final MigrationOptions POSTCOPY_AT_ONCE =
            MigrationOptions.DEFAULT.withPostcopy(true, Duration.ZERO);

    @TempDir Path dir;
    private MigratingQemuFake qemu;
    private QmpClient qmp;

    private LiveMigration migration(String initialStatus) throws Exception {
        qemu = new MigratingQemuFake(dir.resolve("qmp.sock"), initialStatus);
        qmp = QmpClient.connect(dir.resolve("qmp.sock"), Duration.ofSeconds(5));
        return new LiveMigration(
                "z",
                qmp,
                null,
                MemorySize.ofMiB(256),
                POSTCOPY_AT_ONCE,
                SwitchoverHook.NONE,
                p -> {});
    }

    @AfterEach
    void close() throws Exception {
        if (qmp != null) {
            qmp.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    @Test
    void aPostcopyQemuPausesIsReportedPausedAndTheSourceIsNeverResumed() throws Exception {
        LiveMigration m = migration("none");
        CompletableFuture<MigrationReport> run = runAsync(m);
        await().atMost(Duration.ofSeconds(10)).until(() -> qemu.received("migrate-start-postcopy"));
        Thread.sleep(300);
        qemu.status("postcopy-paused");

        assertThatThrownBy(() -> join(run))
                .isInstanceOf(PostcopyInterruptedException.class)
                .hasMessageContaining("post-copy of zone 'z' paused")
                .hasMessageContaining("Broken pipe")
                .hasMessageContaining("recoverable")
                .satisfies(e -> assertThat(outcome(e)).isEqualTo(Outcome.PAUSED));
        assertThat(m.postcopyBegan()).isTrue();
        assertThat(qemu.received("cont")).isFalse();
        assertThat(qemu.received("migrate_cancel")).isFalse();
    }

    @Test
    void aStalledPostcopyIsPausedOnPurposeAndReportedPaused() throws Exception {
        LiveMigration m = migration("none").pauseStalledPostcopyAfter(Duration.ofSeconds(1));
        CompletableFuture<MigrationReport> run = runAsync(m);
        await().atMost(Duration.ofSeconds(10)).until(() -> qemu.received("migrate-start-postcopy"));
        qemu.stallTransfer();

        assertThatThrownBy(() -> join(run))
                .isInstanceOf(PostcopyInterruptedException.class)
                .hasMessageContaining("made no progress for 1 s")
                .satisfies(e -> assertThat(outcome(e)).isEqualTo(Outcome.PAUSED));
        assertThat(qemu.received("migrate-pause")).isTrue();
        assertThat(qemu.received("cont")).isFalse();
        assertThat(qemu.received("migrate_cancel")).isFalse();
    }

    @Test
    void aPostcopyQemuFailsLeavesTheZoneAtRiskWithoutResumingTheSource() throws Exception {
        LiveMigration m = migration("none");
        CompletableFuture<MigrationReport> run = runAsync(m);
        await().atMost(Duration.ofSeconds(10)).until(() -> qemu.received("migrate-start-postcopy"));
        qemu.status("failed");

        assertThatThrownBy(() -> join(run))
                .isInstanceOf(PostcopyInterruptedException.class)
                .hasMessageContaining("zone is at risk")
                .hasMessageContaining("source was NOT resumed")
                .satisfies(e -> assertThat(outcome(e)).isEqualTo(Outcome.ZONE_AT_RISK));
        assertThat(qemu.received("cont")).isFalse();
        assertThat(qemu.received("migrate_cancel")).isFalse();
    }

    @Test
    void aPausedPostcopyResumesIntoTheNewAddressAndCompletes() throws Exception {
        LiveMigration m = migration("postcopy-paused");
        MigrationReport report = m.resumePostcopy("unix:/run/new.sock", "i1", "remote");

        assertThat(report.postcopyUsed()).isTrue();
        assertThat(qemu.last("migrate").path("arguments").path("resume").asBoolean()).isTrue();
        assertThat(qemu.last("migrate").path("arguments").path("uri").asText())
                .isEqualTo("unix:/run/new.sock");
        assertThat(qemu.received("migrate-set-capabilities")).isFalse();
        assertThat(qemu.received("cont")).isFalse();
    }

    @Test
    void aResumeThatBreaksAgainIsPausedAgain() throws Exception {
        LiveMigration m = migration("postcopy-paused");
        qemu.resumeEndsIn("postcopy-paused");

        assertThatThrownBy(() -> m.resumePostcopy("unix:/run/new.sock", "i1", "remote"))
                .isInstanceOf(PostcopyInterruptedException.class)
                .satisfies(e -> assertThat(outcome(e)).isEqualTo(Outcome.PAUSED));
        assertThat(qemu.received("cont")).isFalse();
    }

    @Test
    void onlyAPausedPostcopyCanBeResumed() throws Exception {
        LiveMigration m = migration("postcopy-active");
        assertThatThrownBy(() -> m.resumePostcopy("unix:/run/new.sock", "i1", "remote"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no paused post-copy");
        assertThat(qemu.received("migrate")).isFalse();
    }

    private static CompletableFuture<MigrationReport> runAsync(LiveMigration m) {
        return CompletableFuture.supplyAsync(() -> m.runTo("unix:/run/x.sock", "i1", "remote"));
    }

    private static MigrationReport join(CompletableFuture<MigrationReport> f) {
        try {
            return f.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static Outcome outcome(Throwable e) {
        return ((PostcopyInterruptedException) e).outcome();
    }
}
