package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.cli.LiveZoneCli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every {@code livezone bench} subcommand at its smallest size, run for real through the command
 * line: the JSON on the last line of stdout has its fields, of their types, with counts that agree
 * with the options and with each other, and the zero-loss claims hold. Never its timings: those are
 * what the benchmarks measure, and on a busy 2-core TCG machine they vary.
 *
 * <p>The VM benches name their labs and clusters with random tails of their own ({@code lz…},
 * {@code lzc…}, {@code bp…}, {@code sb…}), so they meet no other test's; each test checks that the
 * run left no QEMU process, namespace, interface, lab folder or cluster file behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BenchSmokeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;
    private Leftovers.HostSnapshot before;
    private Path clusterRoot;

    @BeforeEach
    void setUp() {
        before = Leftovers.HostSnapshot.take();
        stdout = System.out;
        stderr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        // Progress stays visible in the test log and is kept for failure messages.
        System.setErr(new PrintStream(new Tee(stderr, err), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() throws IOException {
        System.setOut(stdout);
        System.setErr(stderr);
        if (clusterRoot != null) {
            assertThat(Leftovers.qemuProcessesMentioning(clusterRoot.toString())).isEmpty();
            assertThat(processesMentioning(clusterRoot.toString()))
                    .as("cluster daemons left")
                    .isEmpty();
            assertThat(Leftovers.filesUnder(clusterRoot))
                    .as("files left under the cluster root")
                    .containsExactly(clusterRoot.toString());
            Files.delete(clusterRoot);
        }
        before.assertNothingNewSinceThen();
    }

    @Test
    @Order(1)
    void planner() {
        JsonNode j = bench("planner", "--json", "--moves", "40", "--hosts", "6", "--seed", "3");

        assertThat(j.path("moves").asInt()).isEqualTo(40);
        assertThat(j.path("hosts").asInt()).isEqualTo(6);
        assertThat(j.path("seed").asLong()).isEqualTo(3);
        assertThat(j.path("plan_ms").isIntegralNumber()).isTrue();
        double bound = positive(j, "lower_bound_s");
        assertThat(names(j.path("makespan_s")))
                .containsExactlyInAnyOrder("auto", "parallel", "sequential");
        assertThat(names(j.path("policy_ms"))).isEqualTo(names(j.path("makespan_s")));
        for (String policy : names(j.path("makespan_s"))) {
            // Simulated, so this is the model's own invariant, not a timing.
            assertThat(j.path("makespan_s").path(policy).asDouble())
                    .as("makespan of %s", policy)
                    .isGreaterThanOrEqualTo(bound * (1 - 1e-9));
        }
        assertThat(j.path("throttled_moves_auto").asInt()).isBetween(0, 40);
    }

    @Test
    @Order(2)
    void sim() {
        JsonNode j = bench("sim", "--json", "--seed", "1");

        for (String f :
                List.of(
                        "lb_scenario_wall_s",
                        "lb_max_node_cpu_pct_without",
                        "lb_max_node_cpu_pct_with",
                        "mapping_1000z_100s_100kc_ms",
                        "equiping_10k_matches_ms",
                        "grouping_greedy_vs_random",
                        "grouping_greedy_swaps_vs_random")) {
            positive(j, f);
        }
        assertThat(j.path("lb_max_abs_dev_from_mean_pct_with").asDouble())
                .as("a maximum over the run is at least its last sample")
                .isGreaterThanOrEqualTo(j.path("lb_last_abs_dev_from_mean_pct_with").asDouble());
        assertThat(j.path("lb_dev_warm_up_s").isIntegralNumber()).isTrue();
        assertThat(j.path("lb_migrations").asInt()).isPositive();
        assertThat(j.path("mapping_qos_before").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.path("mapping_qos_after").asDouble()).isBetween(0.0, 1.0);
        JsonNode g = j.path("grouping");
        assertThat(g.path("zones").asInt()).isEqualTo(12);
        assertThat(g.path("targets").asInt()).isEqualTo(4);
        assertThat(g.path("random_runs").asInt()).isEqualTo(200);
        assertThat(g.path("base_blocks").asInt()).isPositive();
        assertThat(g.path("zone_images").asText()).startsWith("synthetic");
        assertThat(g.path("greedy_swaps_bytes").asLong())
                .isLessThanOrEqualTo(g.path("greedy_bytes").asLong());
        assertThat(g.path("random_min_bytes").asLong())
                .isLessThanOrEqualTo(g.path("random_max_bytes").asLong());
        positive(j.path("calibrated_constants").path("lb_cpu_per_client_pct"), "value");
        assertThat(j.path("simulated").asText()).isNotBlank();
        assertThat(j.path("targets_met").isBoolean()).isTrue();
    }

    @Test
    @Order(3)
    void single() {
        JsonNode j = bench("single", "--json", "--runs", "1", "--bots", "1", "--memory", "160M");

        assertThat(j.path("accel").asText()).isNotBlank();
        assertThat(j.path("guest_mib").asInt()).isEqualTo(160);
        assertThat(j.path("bots").asInt()).isEqualTo(1);
        assertThat(j.path("runs")).hasSize(1);
        JsonNode run = j.path("runs").get(0);
        positive(run, "total_ms");
        positive(run, "transferred_bytes");
        positive(run, "throughput_mbps");
        assertThat(run.path("downtime_ms").asLong()).isNotNegative();
        assertThat(run.path("client_lost_updates").asLong()).isNotNegative();
        // A live migration keeps the players' session and the zone's tick chain: no timing.
        assertThat(run.path("clients_disconnected").asInt()).isZero();
        assertThat(run.path("tick_continuity_ok").asBoolean()).isTrue();
        positive(j, "loopback_throughput_mbps");
        positive(j, "boot_ms");
        assertThat(j.path("session_disconnected").asInt()).isZero();
        assertThat(j.path("targets_met").path("zero_disconnects").asBoolean()).isTrue();
        assertThat(j.path("targets_met").path("tick_continuity_every_run").asBoolean()).isTrue();
        assertBooleans(j.path("targets_met"), 5);
    }

    @Test
    @Order(4)
    void plans() throws IOException {
        clusterRoot = Files.createTempDirectory("lzbsp");
        JsonNode j =
                bench(
                        "plans",
                        "--json",
                        "--only",
                        "2z/2s",
                        "--repeats",
                        "1",
                        "--nic",
                        "1gbit",
                        "--cluster-root",
                        clusterRoot.toString());

        assertThat(j.path("repeats").asInt()).isEqualTo(1);
        assertThat(j.path("configs")).hasSize(1);
        JsonNode c = j.path("configs").get(0);
        assertThat(c.path("name").asText()).isEqualTo("2z/2s");
        assertThat(c.path("kind").asText()).isEqualTo("paper");
        assertThat(c.path("hosts").asInt()).isEqualTo(2);
        assertThat(c.path("zones").asInt()).isEqualTo(2);
        assertThat(c.path("moves")).hasSize(2);
        c.path("moves").forEach(m -> positive(m, "bytes_sent_min"));
        List<String> order = new ArrayList<>();
        c.path("order").forEach(a -> order.add(a.asText()));
        assertThat(order).containsExactlyInAnyOrder("parallel", "sequential", "auto");
        assertThat(names(c.path("algorithms"))).containsExactly("parallel", "sequential", "auto");
        for (String a : order) {
            JsonNode s = c.path("algorithms").path(a);
            assertThat(s.path("runs_s")).as(a).hasSize(1);
            double median = positive(s, "median_s");
            assertThat(s.path("min_s").asDouble()).isLessThanOrEqualTo(median);
            assertThat(s.path("max_s").asDouble()).isGreaterThanOrEqualTo(median);
            assertThat(c.path(a + "_s").asDouble()).isEqualTo(median);
        }
        positive(c, "lower_bound_s");
        assertThat(c.path("lower_bound_bottleneck").asText()).isNotBlank();
        positive(c, "auto_over_lb");
        assertThat(c.path("auto_le_best").isBoolean()).isTrue();
        assertThat(c.path("auto_le_1_15_lb").isBoolean()).isTrue();
        assertThat(j.path("targets_met").isBoolean()).isTrue();
    }

    @Test
    @Order(5)
    void storage() throws IOException {
        clusterRoot = Files.createTempDirectory("lzbss");
        JsonNode j =
                bench(
                        "storage",
                        "--json",
                        "--zones",
                        "1",
                        "--bots",
                        "1",
                        "--window-s",
                        "5",
                        "--base-mib",
                        "16",
                        "--cluster-root",
                        clusterRoot.toString());

        assertThat(j.path("accel").asText()).isNotBlank();
        assertThat(j.path("zones").asInt()).isEqualTo(1);
        assertThat(j.path("plan_state").asText()).isEqualTo("DONE");
        // The base crosses the link once; the disks hold every record the guests wrote.
        assertThat(j.path("base_transfers").asInt()).isEqualTo(1);
        assertThat(j.path("disks_verified").asBoolean()).isTrue();
        long base = positive(j, "base_bytes").longValue();
        assertThat(j.path("unique_bytes").asLong())
                .isEqualTo(base + j.path("overlay_bytes").asLong());
        assertThat(j.path("wire_bytes").asLong())
                .isEqualTo(
                        j.path("base_wire_bytes").asLong() + j.path("mirror_wire_bytes").asLong());
        positive(j, "wire_over_unique");
        positive(j, "memory_bytes");
        assertThat(j.path("max_downtime_ms").asLong()).isNotNegative();
        assertThat(j.path("target_met").isBoolean()).isTrue();
        assertThat(j.path("bots_per_zone").asInt()).isEqualTo(1);
        positive(j, "bot_rtt_ms_p50_local");
        positive(j, "bot_rtt_ms_p50_remote");
        assertThat(j.path("bot_disconnects").asInt()).isNotNegative();
    }

    @Test
    @Order(7)
    void faults() throws IOException {
        clusterRoot = Files.createTempDirectory("lzbsf");
        JsonNode j =
                bench(
                        "faults",
                        "--json",
                        "--cells",
                        "idle/kill-zone-qemu",
                        "--cluster-root",
                        clusterRoot.toString());

        assertThat(j.path("cells").asInt()).isEqualTo(1);
        assertThat(j.path("passed").asInt()).isEqualTo(1);
        assertThat(j.path("failed")).isEmpty();
        assertThat(j.path("double_running").asInt()).isZero();
        assertThat(j.path("lost_zones").asInt()).isZero();
        assertThat(j.path("lost_acked_writes").asInt()).isZero();
        assertThat(j.path("destroyed_by_fault").asInt())
                .as("a zone whose only QEMU is killed is reported failed, not kept")
                .isEqualTo(1);
    }

    @Test
    @Order(6)
    void continuity() {
        JsonNode j =
                bench(
                        "continuity",
                        "--json",
                        "--migrations",
                        "1",
                        "--cross-site-every",
                        "1",
                        "--bots",
                        "1",
                        "--tcp-sessions",
                        "1",
                        "--memory",
                        "160M",
                        "--play-seconds",
                        "1",
                        "--overhead-seconds",
                        "1",
                        "--overhead-clients",
                        "2");

        assertThat(j.path("guest_mib").asInt()).isEqualTo(160);
        assertThat(j.path("bots").asInt()).isEqualTo(1);
        assertThat(j.path("tcp_sessions").asInt()).isEqualTo(1);
        assertThat(j.path("migrations").asInt()).isEqualTo(1);
        assertThat(j.path("failed_migrations").asInt()).isZero();
        assertThat(j.path("runs")).hasSize(1);
        JsonNode run = j.path("runs").get(0);
        assertThat(run.path("index").asInt()).isEqualTo(1);
        assertThat(run.path("from_site").asText()).isEqualTo("site-a");
        assertThat(run.path("to_site").asText()).isEqualTo("site-b");
        assertThat(run.path("across_sites").asBoolean()).isTrue();
        positive(run, "total_ms");
        assertThat(run.path("released_at_handover").asBoolean()).isTrue();
        // The gateway's claims: no client datagram lost, no TCP connection broken.
        assertThat(j.path("lost_client_datagrams").asLong()).isZero();
        assertThat(
                        j.path("lost_client_datagrams_in_migration_windows").asLong()
                                + j.path("lost_client_datagrams_while_playing").asLong())
                .isEqualTo(j.path("lost_client_datagrams").asLong());
        assertThat(j.path("tcp_resets").asLong()).isZero();
        assertThat(j.path("client_reconnects").asLong()).isZero();
        assertThat(j.path("tcp_mismatched_bytes").asLong()).isZero();
        positive(j, "tcp_bytes_echoed");
        assertThat(j.path("targets_met").path("zero_lost_client_datagrams").asBoolean()).isTrue();
        assertThat(j.path("targets_met").path("tcp_streams_intact").asBoolean()).isTrue();
        assertBooleans(j.path("targets_met"), 6);
        assertThat(j.path("targets_met").has("extra_delay_p99_migration_windows_le_40ms")).isTrue();
        for (String kind :
                List.of("extra_delay_ms_migration_windows", "extra_delay_ms_play_windows")) {
            JsonNode d = j.path(kind);
            assertThat(d.path("updates").asLong()).as(kind).isPositive();
            assertThat(d.path("p50").asDouble()).as(kind).isNotNegative();
            assertThat(d.path("p99").asDouble())
                    .as(kind)
                    .isGreaterThanOrEqualTo(d.path("p50").asDouble());
            assertThat(d.path("max").asDouble())
                    .as(kind)
                    .isGreaterThanOrEqualTo(d.path("p99").asDouble());
        }
        assertThat(j.path("play_window_s").asInt()).isEqualTo(1);
        assertThat(j.path("migration_window_settle_s").asInt()).isPositive();
        assertThat(j.path("gateway_overhead").path("clients").asInt()).isEqualTo(2);
        positive(j.path("gateway_overhead"), "packets_per_s");
    }

    /** Runs {@code livezone bench ARGS}; its exit code must be 0 and its last line JSON. */
    private JsonNode bench(String... args) {
        out.reset();
        err.reset();
        String[] all = new String[args.length + 1];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = LiveZoneCli.run(all);
        String progress = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit code; stderr:%n%s", tail(progress)).isZero();
        List<String> lines =
                out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("stdout").isNotEmpty();
        String last = lines.get(lines.size() - 1);
        try {
            JsonNode json = JSON.readTree(last);
            assertThat(json.isObject()).as("last line %s", last).isTrue();
            return json;
        } catch (IOException e) {
            throw new AssertionError("last line of stdout is not JSON: " + last, e);
        }
    }

    /** The number under {@code field}, which must be there, numeric and above 0. */
    private static Double positive(JsonNode node, String field) {
        JsonNode v = node.path(field);
        assertThat(v.isNumber()).as("%s is a number in %s", field, node).isTrue();
        assertThat(v.asDouble()).as(field).isPositive();
        return v.asDouble();
    }

    private static void assertBooleans(JsonNode node, int count) {
        assertThat(names(node)).as("targets").hasSize(count);
        for (String name : names(node)) {
            assertThat(node.path(name).isBoolean()).as(name).isTrue();
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> processesMentioning(String text) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                .toList();
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
