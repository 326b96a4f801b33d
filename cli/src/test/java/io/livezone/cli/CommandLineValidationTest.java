package io.livezone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.network.HostNetwork;
import io.livezone.network.ZoneNetwork;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Bad command lines exit with status 2 and say what is wrong, before anything is created: no state
 * folder, no network namespace, no cluster, no output files. Only paths that fail validation before
 * touching namespaces or QEMU are run here.
 */
class CommandLineValidationTest {
    @TempDir Path tmp;

    private final String network = uniqueName();

    private record Outcome(int status, String out, String err) {}

    /** Runs the CLI with stdout and stderr captured. */
    private static synchronized Outcome run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            int status = LiveZoneCli.run(args);
            return new Outcome(
                    status,
                    capturedOut.toString(StandardCharsets.UTF_8),
                    capturedErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Exit status 2, nothing on stdout, and {@code message} on stderr. */
    private static void assertUsageError(Outcome o, String message) {
        assertThat(o.status()).as("exit status; stderr: %s", o.err()).isEqualTo(2);
        assertThat(o.err()).contains(message);
        assertThat(o.out()).isEmpty();
    }

    /**
     * A vm command on a state folder and network of this test's own, with no guest image: input the
     * CLI accepted after all would end at the missing image (exit 1), never at a VM.
     */
    private Outcome vm(String... args) {
        List<String> all = new ArrayList<>(List.of("vm"));
        all.addAll(List.of(args));
        all.addAll(List.of("--state", tmp.resolve("state").toString(), "--network", network));
        String home = System.getProperty("livezone.home");
        System.setProperty("livezone.home", tmp.resolve("no-guest").toString());
        try {
            return run(all.toArray(String[]::new));
        } finally {
            if (home == null) {
                System.clearProperty("livezone.home");
            } else {
                System.setProperty("livezone.home", home);
            }
        }
    }

    private Outcome cluster(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--cluster-root", tmp.resolve("clusters").toString()));
        return run(all.toArray(String[]::new));
    }

    private void assertVmCreatedNothing() {
        assertThat(tmp.resolve("state")).doesNotExist();
        assertThat(ZoneNetwork.exists(network)).isFalse();
    }

    @Test
    void vmStartRefusesBadNamesMemoryAddressesMacsAndTickRates() {
        assertUsageError(vm("start", "Bad_Zone"), "livezone: bad zone name 'Bad_Zone'");
        assertUsageError(vm("start", "z1", "--memory", "lots"), "bad memory size 'lots'");
        assertUsageError(vm("start", "z1", "--ip", "10.213.0.300"), "bad IPv4 address");
        assertUsageError(vm("start", "z1", "--mac", "zz:zz"), "zz:zz");
        assertUsageError(vm("start", "z1", "--tick-hz", "0"), "tick rate must be 1..1000 Hz");
        assertUsageError(vm("start", "z1", "--vcpus", "one"), "Invalid value for option '--vcpus'");
        assertVmCreatedNothing();
    }

    @Test
    void vmMigrateRefusesBadTuningAndBadNames() {
        assertUsageError(
                vm("migrate", "z1", "--downtime-ms", "0"), "downtime limit must be 1 ms..60 s");
        assertUsageError(
                vm("migrate", "z1", "--multifd", "2", "--multifd-compression", "lz4"),
                "multifd compression must be none, zlib or zstd, got 'lz4'");
        assertUsageError(
                vm("migrate", "z1", "--multifd", "2", "--postcopy-after", "5"),
                "post-copy cannot be combined with multifd");
        assertUsageError(vm("migrate", "z1", "--bandwidth", "fast"), "bad memory size 'fast'");
        assertUsageError(vm("migrate", "Bad_Zone"), "bad zone name 'Bad_Zone'");
        assertVmCreatedNothing();
    }

    @Test
    void planRunRefusesMalformedMovesAndUnknownAlgorithmsBeforeLookingForTheCluster() {
        assertUsageError(cluster("plan", "run", "z1=h2", "z2"), "a move is ZONE=HOST, got 'z2'");
        assertUsageError(cluster("plan", "run", "=h2"), "a move is ZONE=HOST, got '=h2'");
        assertUsageError(cluster("plan", "run", "z1=h2=h3"), "got 'z1=h2=h3'");
        assertUsageError(
                cluster("plan", "run", "--algorithm", "fastest", "z1=h2"),
                "unknown migration schedule policy 'fastest'");
        assertUsageError(
                cluster("plan", "run", "--timeout", "-1", "z1=h2"),
                "timeoutSeconds must not be negative");
        assertUsageError(
                cluster("plan", "run", "--downtime-ms", "0", "z1=h2"),
                "downtime limit must be 1 ms..60 s");
        assertUsageError(cluster("plan", "run"), "Missing required parameter");
        assertThat(tmp.resolve("clusters")).doesNotExist();
    }

    @Test
    void zoneCreateRefusesBadMemoryAndNamesBeforeLookingForTheCluster() {
        assertUsageError(
                cluster("zone", "create", "z1", "--host", "h1", "--memory-mib", "64"),
                "zone memory 64 MiB out of range 160..65536 MiB");
        assertUsageError(
                cluster("zone", "create", "z1", "--host", "h1", "--memory-mib", "lots"),
                "Invalid value for option '--memory-mib'");
        assertUsageError(
                cluster("zone", "create", "Bad_Zone", "--host", "h1"), "bad zone name 'Bad_Zone'");
        assertUsageError(cluster("zone", "create", "z1"), "Missing required option: '--host");
        assertUsageError(
                cluster("zone", "create", "z1", "--host", "h1", "--disk-writer"),
                "--disk-writer needs a disk");
        assertThat(tmp.resolve("clusters")).doesNotExist();
    }

    @Test
    void aCommandForAClusterThatIsNotUpSaysSo() {
        assertUsageError(
                cluster("plan", "status", "--cluster", "nowhere"),
                "cluster 'nowhere' is not up (start it with: livezone cluster up)");
        assertThat(tmp.resolve("clusters")).doesNotExist();
    }

    @Test
    void simRefusesAnUnknownScenarioAndWritesNothing() {
        Path out = tmp.resolve("sim-out");
        assertUsageError(
                run("sim", "moon-landing", "--out", out.toString()),
                "unknown scenario 'moon-landing'; known: ");
        assertThat(out).doesNotExist();
    }

    @Test
    void clusterUpRefusesAMalformedOrMissingConfigAndCreatesNothing() throws IOException {
        String name = uniqueName().substring(0, 8);
        Path malformed = Files.writeString(tmp.resolve("bad.yaml"), "sites: [ {name: eu\n");
        assertUsageError(
                cluster("cluster", "up", "--cluster", name, "--config", malformed.toString()),
                "livezone: malformed cluster config: ");
        Path empty = Files.writeString(tmp.resolve("empty.yaml"), "# nothing\n");
        assertUsageError(
                cluster("cluster", "up", "--cluster", name, "--config", empty.toString()),
                "cluster config is empty");
        Path typo =
                Files.writeString(
                        tmp.resolve("typo.yaml"),
                        "sites: [{name: eu, hosts: [{name: h1}]}]\nlinkz: []\n");
        assertUsageError(
                cluster("cluster", "up", "--cluster", name, "--config", typo.toString()),
                "Unrecognized field \"linkz\"");
        Path missing = tmp.resolve("missing.yaml");
        assertUsageError(
                cluster("cluster", "up", "--cluster", name, "--config", missing.toString()),
                "cannot read cluster config " + missing);

        assertThat(tmp.resolve("clusters")).doesNotExist();
        assertThat(HostNetwork.leftovers(name)).isEmpty();
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("bad.yaml", "empty.yaml", "typo.yaml");
        }
    }

    @Test
    void unknownCommandsAndMissingOnesAreUsageErrors() {
        Outcome unknown = run("teleport");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument").contains("teleport");
        assertUsageError(run(), "missing command");
    }

    /** "t" and nine random lower-case letters or digits: a name no one else uses. */
    private static String uniqueName() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder("t");
        for (int i = 0; i < 9; i++) {
            b.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
