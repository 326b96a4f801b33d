package io.livezone.storage;

import static io.livezone.storage.TestImages.MIB;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.livezone.storage.StandaloneNbdServer.Implementation;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

@Timeout(60)
@ExtendWith(NoLeftoverProcesses.class)
class StandaloneNbdServerTest {
    @TempDir Path dir;

    private Path image;

    @BeforeEach
    void setUp() {
        TestImages.assumeQemu();
        image =
                TestImages.filled(
                        dir.resolve("zone.qcow2"), ImageFormat.QCOW2, 8 * MIB, 4 * MIB, 0x11);
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void servesTheImageWritableAndCleansUp(Implementation impl) throws Exception {
        assumeTrue(impl.isAvailable(), impl + " not installed");
        Path work = dir.resolve("srv");
        StandaloneNbdServer server;
        try (StandaloneNbdServer s =
                StandaloneNbdServer.start(image, ImageFormat.QCOW2, work, "zone-a", impl)) {
            server = s;
            assertThat(s.implementation()).isEqualTo(impl);
            assertThat(s.isAlive()).isTrue();
            NbdEndpoint endpoint = s.endpoint();
            assertThat(endpoint.socket()).isEqualTo(work.resolve("nbd.sock"));
            assertThat(endpoint.exportName()).isEqualTo("zone-a");

            TestImages.assertPattern(endpoint, 0x11, 0, 4 * MIB);
            TestImages.write(endpoint, 0x77, MIB, 64 * 1024);
            TestImages.assertPattern(endpoint, 0x77, MIB, 64 * 1024);
        }
        assertThat(server.isAlive()).isFalse();
        try (var left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
        // The write went to the qcow2 image (the server served guest content, not raw file bytes).
        TestImages.assertPattern(image, 0x77, MIB, 64 * 1024);
        TestImages.assertPattern(image, 0x11, 2 * MIB, 2 * MIB);
    }

    @ParameterizedTest
    @EnumSource(Implementation.class)
    void anImageInUseIsRefusedWithTheServersMessage(Implementation impl) {
        assumeTrue(impl.isAvailable(), impl + " not installed");
        try (StandaloneNbdServer first =
                StandaloneNbdServer.start(
                        image,
                        ImageFormat.QCOW2,
                        dir.resolve("one"),
                        "a",
                        Implementation.STORAGE_DAEMON)) {
            assertThatThrownBy(
                            () ->
                                    StandaloneNbdServer.start(
                                            image,
                                            ImageFormat.QCOW2,
                                            dir.resolve("two"),
                                            "b",
                                            impl))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("lock");
            assertThat(first.isAlive()).isTrue();
        }
        assertThatThrownBy(
                        () ->
                                StandaloneNbdServer.start(
                                        dir.resolve("missing.qcow2"),
                                        ImageFormat.QCOW2,
                                        dir.resolve("three"),
                                        "c",
                                        impl))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("no such image");
    }
}
