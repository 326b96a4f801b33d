package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.lab.faults.FaultCell;
import io.livezone.lab.faults.FaultRun;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Issue H's fault matrix, one cell per kind of fault, on real VMs: each cell moves a zone (disk,
 * disk writer, Redis, a player counting through the gateway), injects the real fault at its phase
 * and judges by the QEMU processes, the counter and the disk ({@link FaultRun}). The whole matrix
 * is {@code livezone bench faults}; a zone's death outside a move is {@code BenchSmokeTest}'s cell
 * and {@code ZoneFailureTest}'s.
 */
class FaultCellsTest {
    private static Path root;
    private static FaultRun run;

    @BeforeAll
    static void up() throws Exception {
        root = Files.createTempDirectory("lzfc");
        run = FaultRun.start(root, System.out);
    }

    @AfterAll
    static void down() throws Exception {
        String name = run == null ? null : run.name();
        if (run != null) {
            run.close();
        }
        if (name != null) {
            ClusterChecks.downLeavingNothing(root, name, false);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "switchover/kill-dst-qemu",
                "commit/kill-src-qemu",
                "precopy/kill-src-agent",
                "postcopy/kill-dst-agent",
                "commit/kill-coordinator",
                "precopy/partition-agents",
                "commit/partition-coord-dst",
                "commit/stop-dst-agent",
                "switchover/kill-gateway",
                "mirror/disk-full-dst",
                "commit/disk-full-coord"
            })
    void cell(String id) throws Exception {
        FaultCell cell = FaultCell.select(List.of(id)).get(0);
        FaultRun.CellResult r = run.run(cell);
        assertThat(r.doubleRunning()).as("zone ran twice: %s", r).isFalse();
        assertThat(r.lostAckedWrites()).as("acknowledged writes lost: %s", r).isFalse();
        assertThat(r.lostZone()).as("zone lost: %s", r).isFalse();
        assertThat(r.passed()).as(r.reason()).isTrue();
    }
}
