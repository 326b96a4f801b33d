package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

@Timeout(60)
@ExtendWith(NoLeftoverProcesses.class)
class EmbeddedNbdServerTest {
    @TempDir Path dir;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
    }

    @Test
    void exportsADestinationDiskWritableAndRemovesItAgain() throws Exception {
        Path image = TestImages.filled(dir.resolve("dst.qcow2"), ImageFormat.QCOW2, 8 * MIB, 0, 0);
        ZoneDisk disk = ZoneDisk.local("disk0", image);
        try (TestQemu destination = TestQemu.incoming(dir, "dst", disk)) {
            Path socket = dir.resolve("nbd.sock");
            try (EmbeddedNbdServer server = EmbeddedNbdServer.start(destination.qmp(), socket)) {
                NbdExport export = server.export(disk);
                assertThat(export.endpoint()).isEqualTo(new NbdEndpoint(socket, "lz-disk0"));
                assertThat(export.id()).isEqualTo("lz-disk0-export");

                TestImages.write(export.endpoint(), 0x5c, 2 * MIB, MIB);
                TestImages.assertPattern(export.endpoint(), 0x5c, 2 * MIB, MIB);

                assertThatThrownBy(
                                () ->
                                        EmbeddedNbdServer.start(
                                                destination.qmp(), dir.resolve("b.sock")))
                        .isInstanceOf(NbdException.class)
                        .hasMessageContaining("one NBD server per QEMU");
                assertThatThrownBy(() -> server.export("lz-nope", "nope"))
                        .isInstanceOf(NbdException.class)
                        .hasMessageContaining("lz-nope")
                        .hasMessageContaining("lz-disk0"); // the nodes that do exist

                export.close();
                assertThat(destination.qmp().execute("query-block-exports")).isEmpty();
            }
            assertThat(dir.resolve("nbd.sock")).doesNotExist();
        }
        TestImages.assertPattern(image, 0x5c, 2 * MIB, MIB);
    }
}
