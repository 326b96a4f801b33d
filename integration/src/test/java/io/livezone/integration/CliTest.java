package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.cli.LiveZoneCli;
import io.livezone.network.ZoneNetwork;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code livezone vm} commands as a user runs them, each a separate invocation over the same
 * state.
 */
class CliTest {
    private Path state;
    private String network;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeEach
    void setUp() throws Exception {
        state = Files.createTempDirectory(Path.of("/tmp"), "lzc");
        network = "clt" + Long.toString(System.nanoTime() % 46656, 36);
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() throws Exception {
        System.setOut(stdout);
        System.setErr(stderr);
        ZoneNetwork.find(network).ifPresent(ZoneNetwork::destroy);
        try (var walk = Files.walk(state)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Leftovers.assertNoneFrom(state, network);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--state";
        all[args.length + 1] = state.toString();
        all[args.length + 2] = "--network";
        all[args.length + 3] = network;
        return LiveZoneCli.run(all);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badInputGetsAClearErrorAndCreatesNothing() {
        assertThat(run("vm", "start", "Bad_Name")).isEqualTo(2);
        assertThat(stderr()).contains("bad zone name 'Bad_Name'");
        assertThat(run("vm", "start", "arena", "--memory", "12Q")).isEqualTo(2);
        assertThat(stderr()).contains("bad memory size '12Q'");
        assertThat(run("vm", "start", "arena", "--memory", "16M")).isEqualTo(2);
        assertThat(stderr()).contains("out of range");
        assertThat(run("vm", "start", "arena", "--ip", "300.1.1.1")).isEqualTo(2);
        assertThat(stderr()).contains("bad IPv4 address");
        assertThat(run("vm", "stop", "ghost")).isEqualTo(1);
        assertThat(stderr()).contains("unknown zone 'ghost'");
        assertThat(run("vm", "migrate", "ghost", "--downtime-ms", "0")).isEqualTo(2);
        assertThat(stderr()).contains("downtime limit");
        assertThat(run("vm", "suspend", "ghost")).isEqualTo(2);
        assertThat(stderr()).contains("--file");
        assertThat(run("vm", "frobnicate")).isEqualTo(2);
        assertThat(ZoneNetwork.exists(network))
                .as("no network created by failed commands")
                .isFalse();
        assertThat(run("vm", "list")).isZero();
        assertThat(stdout()).contains("ZONE").doesNotContain("arena");
    }

    @Test
    void zoneLifecycleThroughTheCommandLine() throws Exception {
        assertThat(run("vm", "start", "arena", "--memory", "160M")).as(stderr()).isZero();
        assertThat(stdout()).contains("zone arena running at");
        assertThat(run("vm", "list")).isZero();
        assertThat(stdout()).contains("arena").contains("running").contains("i1");

        assertThat(run("vm", "migrate", "arena")).as(stderr()).isZero();
        assertThat(stdout()).contains("migrated i1 -> i2").contains("downtime");
        assertThat(run("vm", "list")).isZero();
        assertThat(stdout()).contains("i2").contains("running");

        Path image = state.resolve("arena.vmstate");
        assertThat(run("vm", "suspend", "arena", "--file", image.toString())).as(stderr()).isZero();
        assertThat(image).isRegularFile();
        assertThat(run("vm", "list")).isZero();
        assertThat(stdout()).contains("suspended");
        assertThat(run("vm", "resume", "arena")).as(stderr()).isZero();
        assertThat(run("vm", "list")).isZero();
        assertThat(stdout()).contains("running");

        assertThat(run("vm", "stop", "arena")).as(stderr()).isZero();
        assertThat(ZoneNetwork.exists(network)).as("network removed with the last zone").isFalse();
        Files.deleteIfExists(image);
    }
}
