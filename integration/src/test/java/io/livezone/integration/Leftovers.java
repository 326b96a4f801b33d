package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.network.ZoneNetwork;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

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

    /**
     * What a run that names its own labs (random tails) may leave on the host: QEMU processes,
     * network namespaces, network interfaces and lab state folders ({@code /tmp/lz<digits>}, as
     * {@code LocalZoneLab} makes them). Taken before and after a run, the difference is what it
     * left. Only meaningful while no other VM run overlaps (the suite runs tests one at a time).
     */
    record HostSnapshot(
            Set<String> qemuProcesses,
            Set<String> namespaces,
            Set<String> interfaces,
            Set<String> labFolders) {

        static HostSnapshot take() {
            return new HostSnapshot(
                    new TreeSet<>(qemuProcessesMentioning("")),
                    new TreeSet<>(ZoneNetwork.namespaces()),
                    readInterfaces(),
                    readLabFolders());
        }

        /** Asserts that nothing of these kinds appeared since this snapshot was taken. */
        void assertNothingNewSinceThen() {
            HostSnapshot before = this;
            HostSnapshot now = take();
            assertThat(newer(now.qemuProcesses, before.qemuProcesses))
                    .as("QEMU processes left")
                    .isEmpty();
            assertThat(newer(now.namespaces, before.namespaces)).as("namespaces left").isEmpty();
            assertThat(newer(now.interfaces, before.interfaces)).as("interfaces left").isEmpty();
            assertThat(newer(now.labFolders, before.labFolders)).as("lab folders left").isEmpty();
        }

        private static Set<String> newer(Set<String> now, Set<String> before) {
            Set<String> out = new TreeSet<>(now);
            out.removeAll(before);
            return out;
        }

        private static Set<String> readInterfaces() {
            try {
                Process ip = new ProcessBuilder("ip", "-o", "link", "show").start();
                String text =
                        new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                ip.waitFor();
                // "7: lzh-abc@if6: <BROADCAST,...": the name is the second field, up to '@' or ':'.
                return text.lines()
                        .map(l -> l.split(":\\s+", 3))
                        .filter(f -> f.length > 1)
                        .map(f -> f[1].split("[@:]")[0])
                        .collect(Collectors.toCollection(TreeSet::new));
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        private static Set<String> readLabFolders() {
            try (var list = Files.list(Path.of("/tmp"))) {
                return list.map(p -> p.getFileName().toString())
                        .filter(n -> n.matches("lz[0-9]+"))
                        .collect(Collectors.toCollection(TreeSet::new));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
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
