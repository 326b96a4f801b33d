package io.livezone.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Talks to a real {@code qemu-system-x86_64} with no guest (starts in milliseconds); skipped if it
 * is absent.
 */
@Timeout(60)
class RealQemuQmpTest {
    @TempDir Path dir;

    private Process qemu;

    @AfterEach
    void killQemu() throws InterruptedException {
        if (qemu != null && qemu.isAlive()) {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void queriesAndQuitsARealQemu() throws Exception {
        Optional<Path> binary = findOnPath("qemu-system-x86_64");
        Assumptions.assumeTrue(binary.isPresent(), "qemu-system-x86_64 not installed");
        Path socket = dir.resolve("qmp.sock");
        Path log = dir.resolve("qemu.log");
        qemu =
                new ProcessBuilder(
                                binary.get().toString(),
                                "-machine",
                                "none",
                                "-display",
                                "none",
                                "-nodefaults",
                                "-qmp",
                                "unix:" + socket + ",server=on,wait=off")
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();

        // Connecting right away exercises the retry while QEMU creates the socket.
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(20))) {
            JsonNode status = qmp.execute("query-status");
            assertThat(status.get("running").isBoolean()).isTrue();
            assertThat(status.get("status").asText()).isNotEmpty();

            JsonNode version = qmp.execute("query-version").get("qemu");
            assertThat(
                            new int[] {
                                version.get("major").asInt(),
                                version.get("minor").asInt(),
                                version.get("micro").asInt()
                            })
                    .containsExactly(
                            qmp.version().major(), qmp.version().minor(), qmp.version().micro());
            assertThat(qmp.version().isAtLeast(7, 2)).as("QEMU %s", qmp.version()).isTrue();

            assertThatThrownBy(() -> qmp.execute("no-such-command"))
                    .isInstanceOfSatisfying(
                            QmpCommandException.class,
                            e ->
                                    assertThat(e.errorClass())
                                            .isEqualTo(QmpErrorClass.COMMAND_NOT_FOUND));

            try (EventWaiter shutdown = qmp.expectEvent("SHUTDOWN")) {
                qmp.execute("quit");
                QmpEvent event = shutdown.await(Duration.ofSeconds(10));
                assertThat(event.data().get("guest").asBoolean()).isFalse();
                assertThat(event.timestamp()).isAfter(Instant.EPOCH);
            }
            assertThat(qemu.waitFor(10, TimeUnit.SECONDS))
                    .as(
                            "QEMU exited after quit; log:%n%s",
                            Files.exists(log) ? Files.readString(log) : "")
                    .isTrue();
            assertThat(qemu.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> !qmp.isConnected());
        }
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
