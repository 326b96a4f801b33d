package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.MemorySize;
import io.livezone.core.MigrationOptions;
import io.livezone.core.NicSpec;
import io.livezone.core.SwitchoverHook;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneState;
import io.livezone.lab.LocalZoneLab;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Bad input gets a clear error and changes nothing: no VM, no tap, no state left behind. */
class BadInputTest {
    private static LocalZoneLab lab;

    @BeforeAll
    static void open() {
        lab = LocalZoneLab.open("bad");
    }

    @AfterAll
    static void close() {
        Path state = lab.stateDir();
        String network = lab.network().name();
        lab.close();
        Leftovers.assertNoneFrom(state, network);
    }

    @Test
    void unknownZoneIsReportedByName() {
        assertThatThrownBy(() -> lab.driver().stop("ghost"))
                .isInstanceOf(ZoneNotFoundException.class)
                .hasMessageContaining("'ghost'");
        assertThatThrownBy(() -> lab.driver().status("ghost"))
                .isInstanceOf(ZoneNotFoundException.class);
        assertThatThrownBy(
                        () ->
                                lab.driver()
                                        .migrateLocal(
                                                "ghost",
                                                MigrationOptions.DEFAULT,
                                                SwitchoverHook.NONE,
                                                p -> {}))
                .isInstanceOf(ZoneNotFoundException.class);
        assertThatThrownBy(() -> lab.driver().suspend("ghost", lab.stateDir().resolve("x")))
                .isInstanceOf(ZoneNotFoundException.class);
    }

    @Test
    void badSpecsAreRejectedBeforeAnythingIsCreated() {
        assertThatThrownBy(() -> MemorySize.parse("12Q"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("12Q");
        assertThatThrownBy(() -> lab.zoneSpec("tiny", MemorySize.ofMiB(32), 1, 20))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> lab.zoneSpec("Bad_Name", MemorySize.ofMiB(160), 1, 20))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad zone name");

        ZoneSpec good = lab.zoneSpec("outside", MemorySize.ofMiB(160), 1, 20);
        ZoneSpec outside =
                new ZoneSpec(
                        good.name(),
                        good.memory(),
                        1,
                        good.boot(),
                        new NicSpec(
                                good.nic().mac(),
                                Ipv4Interface.parse("10.99.0.10/24"),
                                Optional.empty()),
                        good.app());
        assertThatThrownBy(() -> lab.driver().start(outside))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("outside zone network");
        assertThat(lab.driver().zoneNames()).isEmpty();
        assertThat(Leftovers.qemuProcessesMentioning(lab.stateDir().toString())).isEmpty();
    }

    @Test
    void missingQemuIsAnEnvironmentErrorThatLeavesNothing() {
        System.setProperty("livezone.qemu", "/nonexistent/qemu-system-x86_64");
        try {
            assertThatThrownBy(
                            () ->
                                    lab.driver()
                                            .start(
                                                    lab.zoneSpec(
                                                            "noqemu",
                                                            MemorySize.ofMiB(160),
                                                            2,
                                                            20)))
                    .isInstanceOf(EnvironmentException.class)
                    .hasMessageContaining("QEMU");
        } finally {
            System.clearProperty("livezone.qemu");
        }
        assertThat(lab.driver().zoneNames()).isEmpty();
        assertThat(Leftovers.filesUnder(lab.stateDir().resolve("zones")))
                .allMatch(f -> f.endsWith("zones"));
    }

    @Test
    void duplicatesAndBadSuspendTargetsAreRejectedAndTheZoneKeepsRunning() throws Exception {
        ZoneSpec spec = lab.zoneSpec("dup", MemorySize.ofMiB(160), 3, 20);
        lab.driver().start(spec);
        try {
            assertThatThrownBy(() -> lab.driver().start(spec))
                    .isInstanceOf(ZoneAlreadyExistsException.class);
            ZoneSpec sameAddress =
                    new ZoneSpec(
                            "dup2",
                            spec.memory(),
                            1,
                            spec.boot(),
                            new NicSpec(
                                    lab.zoneSpec("dup2", spec.memory(), 9, 20).nic().mac(),
                                    spec.nic().address(),
                                    spec.nic().gateway()),
                            spec.app());
            assertThatThrownBy(() -> lab.driver().start(sameAddress))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("already used by zone 'dup'");

            Path existing = Files.createTempFile("lz-exists", ".vmstate");
            try {
                assertThatThrownBy(() -> lab.driver().suspend("dup", existing))
                        .isInstanceOf(InvalidInputException.class)
                        .hasMessageContaining("already exists");
            } finally {
                Files.deleteIfExists(existing);
            }
            assertThatThrownBy(
                            () -> lab.driver().suspend("dup", Path.of("/tmp/no such dir/x;rm -rf")))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(
                            () ->
                                    lab.driver()
                                            .suspend("dup", Path.of("/nonexistent-dir/x.vmstate")))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("does not exist");
            assertThat(lab.driver().status("dup").state()).isIn(ZoneState.RUNNING);
            assertThat(lab.driver().zoneNames()).containsExactly("dup");
        } finally {
            lab.driver().stop("dup");
        }
        assertThat(Leftovers.qemuProcessesMentioning(lab.stateDir().toString())).isEmpty();
    }
}
