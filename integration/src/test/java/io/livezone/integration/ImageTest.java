package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.network.ZoneNetwork;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A zone image built from Debian's packages ({@code image build}), booted ({@code vm start
 * --image}) and answering on its port; bad recipes refused with their cause named.
 */
class ImageTest {
    private static final String REDIS =
            "redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save '' --appendonly no";

    private static Path images;
    private static Path state;
    private static String network;
    private final CapturedCli cli = new CapturedCli();

    @BeforeAll
    static void setUp() throws Exception {
        images = Files.createTempDirectory(Path.of("/tmp"), "lzimg");
        state = Files.createTempDirectory(Path.of("/tmp"), "lzis");
        network = "img" + Long.toString(System.nanoTime() % 46656, 36);
        System.setProperty("livezone.images", images.toString());
    }

    @AfterAll
    static void tearDown() throws Exception {
        System.clearProperty("livezone.images");
        ZoneNetwork.find(network).ifPresent(ZoneNetwork::destroy);
        for (Path dir : new Path[] {images, state}) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Leftovers.assertNoneFrom(state, network);
    }

    private int run(String... args) {
        return cli.run(args);
    }

    private String stdout() {
        return cli.stdout();
    }

    private String stderr() {
        return cli.stderr();
    }

    private String[] vm(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--state";
        all[args.length + 1] = state.toString();
        all[args.length + 2] = "--network";
        all[args.length + 3] = network;
        return all;
    }

    @Test
    void aServerFromDebianPackagesBootsAndAnswers() throws Exception {
        String[] build = {
            "image",
            "build",
            "kv",
            "--packages",
            "redis-server",
            "--exec",
            REDIS,
            "--port",
            "tcp/6379",
            "--probe",
            "tcp/6379",
            "--memory-mib",
            "192"
        };
        assertThat(run(build)).as(stderr()).isZero();
        assertThat(stderr()).contains("resolving, downloading and installing").contains("packing");
        assertThat(stdout()).contains("image kv built");
        // The same inputs again: found built, not rebuilt.
        assertThat(run(build)).as(stderr()).isZero();
        assertThat(stdout()).contains("was built already");
        assertThat(run("image", "list")).isZero();
        assertThat(stdout()).contains("kv").contains("tcp/6379");

        assertThat(run(vm("vm", "start", "kv1", "--image", "kv"))).as(stderr()).isZero();
        Matcher at = Pattern.compile("at (\\d+\\.\\d+\\.\\d+\\.\\d+)").matcher(stdout());
        assertThat(at.find()).as(stdout()).isTrue();
        assertThat(stdout()).contains("running image kv").contains("probe tcp/6379 answered");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(at.group(1), 6379), 5000);
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write("SET k v1\r\nGET k\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String reply = new String(in.readNBytes("+OK\r\n$2\r\nv1\r\n".length()));
            assertThat(reply).isEqualTo("+OK\r\n$2\r\nv1\r\n");
        }
        assertThat(run(vm("vm", "stop", "kv1"))).as(stderr()).isZero();
        assertThat(state.resolve("image-disks/kv1.qcow2")).doesNotExist();

        assertThat(run("image", "delete", "kv")).isZero();
        assertThat(run("image", "show", "kv")).isEqualTo(2);
        assertThat(stderr()).contains("no image 'kv'");
    }

    /** {@code image build bad} with these packages, command and ports: the error it prints. */
    private String refusedBuild(String packages, String exec, String... ports) {
        List<String> args =
                new ArrayList<>(
                        List.of("image", "build", "bad", "--packages", packages, "--exec", exec));
        for (String p : ports) {
            args.addAll(List.of("--port", p));
        }
        assertThat(run(args.toArray(String[]::new))).as(stdout()).isEqualTo(2);
        return stderr();
    }

    @Test
    void badRecipesAreRefusedWithTheirCauseAndLeaveNothing() throws Exception {
        assertThat(refusedBuild("no-such-package-lz", "x", "tcp/1"))
                .contains("unknown package 'no-such-package-lz'");
        assertThat(refusedBuild("redis-server", "no-such-server --flag", "tcp/1"))
                .contains("the command 'no-such-server' is not in the image");
        assertThat(refusedBuild("redis-server", "redis-server", "tcp/1", "tcp/1"))
                .contains("declared twice");
        assertThat(refusedBuild("redis-server", "redis-server", "tcp/70000"))
                .contains("out of range");
        assertThat(run(vm("vm", "start", "z1", "--image", "ghost"))).isEqualTo(2);
        assertThat(stderr()).contains("no image 'ghost'");
        try (var left = Files.list(images)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")))
                    .isEmpty();
        }
        assertThat(ZoneNetwork.exists(network)).isFalse();
    }
}
