package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.network.ZoneNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Asserts that nothing a test created is left on the host: QEMU processes, namespaces, state files.
 */
final class Leftovers {
    private Leftovers() {}

    static void assertNoneFrom(Path stateDir, String networkName) {
        assertThat(qemuProcessesMentioning(stateDir.toString()))
                .as("QEMU processes of %s", stateDir)
                .isEmpty();
        assertThat(ZoneNetwork.namespaces())
                .as("namespaces")
                .doesNotContain(ZoneNetwork.NAMESPACE_PREFIX + networkName);
        assertThat(ZoneNetwork.exists(networkName)).as("network %s", networkName).isFalse();
        assertThat(stateDir).as("state folder").doesNotExist();
    }

    static List<String> qemuProcessesMentioning(String text) {
        return ProcessHandle.allProcesses()
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(c -> c.contains("qemu-system") && c.contains(text))
                                        .orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .toList();
    }

    static List<String> filesUnder(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var walk = Files.walk(dir)) {
            return walk.map(Path::toString).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
