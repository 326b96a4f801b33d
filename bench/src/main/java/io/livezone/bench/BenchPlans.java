package io.livezone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.lab.HostState;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.link.Bandwidth;
import io.livezone.planner.Caps;
import io.livezone.planner.Host;
import io.livezone.planner.LowerBound;
import io.livezone.planner.Move;
import io.livezone.planner.PaperConfigurations;
import io.livezone.planner.PlanInput;
import io.livezone.planner.SiteLink;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code livezone bench plans}: the zone migration paper's multi-zone setup on real VMs — hosts
 * with 100 Mbit/s NICs (kernel tbf), each its own site, 100 ms RTT between them (userspace link
 * emulation) — every configuration run with each schedule algorithm.
 *
 * <p>What keeps the comparison fair: every algorithm runs {@code --repeats} times, in an order
 * shuffled with {@code --seed} (a machine that gets busier or a cache that warms up does not always
 * favour the same algorithm), each from the same placement (an unmeasured plan puts the zones back
 * in between), and the figures are medians with their range. Besides the paper's four
 * configurations, {@code --random} seeded random ones ({@link PaperConfigurations#random}) keep the
 * schedules from being tuned to four hand-made cases. The lower bound is the planner's plain {@link
 * LowerBound} over the bytes the zones really sent: a true bound, as tbf caps every NIC direction
 * at its rate. Not the model's tighter bound: with its uncalibrated constants (1 s setup, 94 %
 * efficiency) measured plans beat it (2z/3s: 24.1 s against 25.0 s).
 */
@Command(
        name = "plans",
        mixinStandardHelpOptions = true,
        description =
                "Multi-zone migration plans on a local cluster (100 Mbit/s NICs, 100 ms RTT):"
                        + " parallel vs sequential vs auto, repeated in a shuffled order.")
final class BenchPlans implements Callable<Integer> {
    private static final List<String> ALGORITHMS = List.of("parallel", "sequential", "auto");
    private static final double BOUND_FACTOR = 1.15;
    private static final Duration PLAN_TIMEOUT = Duration.ofMinutes(20);

    @Option(names = "--json", description = "Only JSON on stdout (progress goes to stderr).")
    boolean json;

    @Option(
            names = "--memory-mib",
            defaultValue = "160",
            description = "zone size (default: ${DEFAULT-VALUE})")
    long memoryMiB;

    @Option(names = "--nic", defaultValue = "100mbit")
    String nic;

    @Option(names = "--rtt-ms", defaultValue = "100")
    long rttMillis;

    @Option(
            names = "--only",
            split = ",",
            description = "run only these configurations (e.g. 2z/3s,r1)")
    List<String> only;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description =
                    "measured plans per algorithm and configuration (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(
            names = "--random",
            defaultValue = "2",
            description =
                    "seeded random configurations r1..rN besides the paper's four (default:"
                            + " ${DEFAULT-VALUE})")
    int randomConfigurations;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "seed of the random configurations and of the run order (default:"
                            + " ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--cluster-root",
            description = "folder for the clusters' state (default: a new folder under /tmp)")
    Path clusterRoot;

    @Override
    public Integer call() throws Exception {
        HostState.requireRoot();
        List<PaperConfigurations.Configuration> selected = selectConfigurations();
        PrintStream progress = json ? System.err : System.out;
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode configs = out.putArray("configs");
        boolean allMet = true;
        Path root =
                clusterRoot != null
                        ? Files.createDirectories(clusterRoot)
                        : Files.createTempDirectory("lzbench");
        // Random cluster names: two benches (or a bench and a test) never share host networks.
        String tag = "bp" + ThreadLocalRandom.current().nextInt(100, 1000);
        try {
            int n = 0;
            for (PaperConfigurations.Configuration c : selected) {
                ObjectNode r = run(root, tag + (n++), c, progress);
                configs.add(r);
                allMet &=
                        r.path("auto_le_best").asBoolean() && r.path("auto_le_1_15_lb").asBoolean();
            }
        } finally {
            if (clusterRoot == null) {
                root.toFile().delete();
            }
        }
        out.put("targets_met", allMet);
        out.put("zone_mib", memoryMiB);
        out.put("nic", nic);
        out.put("rtt_ms", rttMillis);
        out.put("repeats", repeats);
        out.put("random_configs", randomConfigurations);
        out.put("seed", seed);
        out.put("host", InetAddress.getLocalHost().getHostName());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("date", ZonedDateTime.now().toString());
        System.out.println(mapper.writeValueAsString(out));
        return 0;
    }

    private List<PaperConfigurations.Configuration> selectConfigurations() {
        if (repeats < 1 || repeats > 20) {
            throw new InvalidInputException("--repeats must be 1..20, got " + repeats);
        }
        if (randomConfigurations < 0 || randomConfigurations > 20) {
            throw new InvalidInputException("--random must be 0..20, got " + randomConfigurations);
        }
        if (memoryMiB < 160) {
            throw new InvalidInputException(
                    "--memory-mib must be at least 160 (the zone guest's minimum), got "
                            + memoryMiB);
        }
        Bandwidth.parse(nic);
        List<PaperConfigurations.Configuration> all =
                new ArrayList<>(PaperConfigurations.all(memoryMiB << 20, 0));
        for (int i = 1; i <= randomConfigurations; i++) {
            all.add(PaperConfigurations.random(i, seed, memoryMiB << 20, 0));
        }
        if (only == null) {
            return all;
        }
        Map<String, PaperConfigurations.Configuration> byName = new LinkedHashMap<>();
        all.forEach(c -> byName.put(c.name(), c));
        List<PaperConfigurations.Configuration> selected = new ArrayList<>();
        for (String name : only) {
            PaperConfigurations.Configuration c = byName.get(name);
            if (c == null) {
                throw new InvalidInputException(
                        "unknown configuration '"
                                + name
                                + "'; known: "
                                + String.join(", ", byName.keySet())
                                + " (r1..rN with --random N)");
            }
            if (!selected.contains(c)) {
                selected.add(c);
            }
        }
        return selected;
    }

    /**
     * Each algorithm {@link #repeats} times, shuffled with a seed of its own per configuration, so
     * that {@code --only} does not change a configuration's order.
     */
    private List<String> runOrder(PaperConfigurations.Configuration c) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            order.addAll(ALGORITHMS);
        }
        Collections.shuffle(order, new Random(seed * 31 + c.name().hashCode()));
        return order;
    }

    private ObjectNode run(
            Path root, String name, PaperConfigurations.Configuration c, PrintStream progress)
            throws InterruptedException {
        List<Move> moves = c.input().moves();
        List<Host> hosts = c.input().hosts();
        progress.printf(
                "%s (%s): starting a %d-host cluster and %d zones of %d MiB%n",
                c.name(), c.description(), hosts.size(), moves.size(), memoryMiB);
        LocalCluster cluster =
                LocalCluster.up(
                        root,
                        name,
                        ClusterConfig.parse(clusterYaml(hosts)),
                        Duration.ofSeconds(120));
        try {
            JsonHttpClient api = cluster.api();
            for (Move m : moves) {
                api.post(
                        "/v1/zones",
                        new ZoneService.CreateZone(m.zone(), m.source(), memoryMiB, 1),
                        JsonNode.class,
                        Duration.ofMinutes(5));
            }
            List<String> order = runOrder(c);
            Map<String, List<Double>> seconds = new LinkedHashMap<>();
            ALGORITHMS.forEach(a -> seconds.put(a, new ArrayList<>()));
            Map<String, Long> minBytes = new HashMap<>();
            int i = 0;
            for (String algorithm : order) {
                JsonNode plan = runPlan(api, algorithm, moves, false);
                double s =
                        (plan.path("finishedMillis").asLong() - plan.path("createdMillis").asLong())
                                / 1000.0;
                seconds.get(algorithm).add(s);
                for (JsonNode m : plan.path("moves")) {
                    minBytes.merge(
                            m.path("zone").asText(),
                            m.path("transferredBytes").asLong(),
                            Math::min);
                }
                progress.printf("  [%d/%d] %-10s %6.1f s%n", ++i, order.size(), algorithm, s);
                runPlan(api, "auto", moves, true); // put the zones back, unmeasured
            }
            return report(c, order, seconds, minBytes, progress);
        } finally {
            LocalCluster.down(root, name);
        }
    }

    private String clusterYaml(List<Host> hosts) {
        StringBuilder yaml = new StringBuilder("sites:\n");
        for (Host h : hosts) {
            yaml.append("  - name: ")
                    .append(h.id())
                    .append("\n    hosts: [{name: ")
                    .append(h.id())
                    .append(", memory: 2GiB, nic: ")
                    .append(nic)
                    .append("}]\n");
        }
        yaml.append("links:\n");
        for (int a = 0; a < hosts.size(); a++) {
            for (int b = a + 1; b < hosts.size(); b++) {
                yaml.append("  - {between: [")
                        .append(hosts.get(a).id())
                        .append(", ")
                        .append(hosts.get(b).id())
                        .append("], latency: ")
                        .append(rttMillis / 2)
                        .append("ms}\n");
            }
        }
        return yaml.toString();
    }

    private ObjectNode report(
            PaperConfigurations.Configuration c,
            List<String> order,
            Map<String, List<Double>> seconds,
            Map<String, Long> minBytes,
            PrintStream progress) {
        ObjectNode r = new ObjectMapper().createObjectNode();
        r.put("name", c.name());
        r.put("description", c.description());
        r.put("kind", c.name().matches("r[0-9]+") ? "random" : "paper");
        r.put("hosts", c.input().hosts().size());
        r.put("zones", c.input().moves().size());
        ArrayNode movesJson = r.putArray("moves");
        for (Move m : c.input().moves()) {
            movesJson
                    .addObject()
                    .put("zone", m.zone())
                    .put("from", m.source())
                    .put("to", m.destination())
                    .put("bytes_sent_min", minBytes.getOrDefault(m.zone(), 0L));
        }
        ArrayNode orderJson = r.putArray("order");
        order.forEach(orderJson::add);
        ObjectNode algorithms = r.putObject("algorithms");
        Map<String, Spread> spreads = new LinkedHashMap<>();
        for (String a : ALGORITHMS) {
            Spread s = Spread.of(seconds.get(a));
            spreads.put(a, s);
            ObjectNode aj = algorithms.putObject(a);
            ArrayNode runs = aj.putArray("runs_s");
            seconds.get(a).forEach(v -> runs.add(round(v)));
            aj.put("median_s", round(s.median()));
            aj.put("min_s", round(s.min()));
            aj.put("max_s", round(s.max()));
            // Medians, under the names earlier versions of this benchmark used for single runs.
            r.put(a + "_s", round(s.median()));
        }
        PlanInput measured = measuredInput(c.input(), minBytes);
        LowerBound bound = LowerBound.of(measured);
        double auto = spreads.get("auto").median();
        double best =
                Math.min(spreads.get("parallel").median(), spreads.get("sequential").median());
        r.put("lower_bound_s", round(bound.seconds()));
        r.put("lower_bound_bottleneck", bound.bottleneck());
        r.put("auto_over_lb", round(auto / bound.seconds()));
        r.put("auto_le_best", auto <= best);
        r.put("auto_le_1_15_lb", auto <= BOUND_FACTOR * bound.seconds());
        progress.printf(
                "  medians: parallel %.1f s, sequential %.1f s, auto %.1f s; lower bound %.1f s"
                        + " (%s), auto/lower bound %.2f%n",
                spreads.get("parallel").median(),
                spreads.get("sequential").median(),
                auto,
                bound.seconds(),
                bound.bottleneck(),
                auto / bound.seconds());
        return r;
    }

    /**
     * The configuration with each zone's memory replaced by the least bytes it sent in any run, and
     * the NIC rate and RTT this bench ran with: what {@link LowerBound} needs to say how fast these
     * migrations could have been. Links are as fast as the NICs (the emulated links only delay), so
     * with one host per site they never bind before a NIC does.
     */
    private PlanInput measuredInput(PlanInput plan, Map<String, Long> minBytes) {
        long rate = Bandwidth.parse(nic);
        List<Move> moves = new ArrayList<>();
        long total = 0;
        for (Move m : plan.moves()) {
            long bytes = minBytes.getOrDefault(m.zone(), 0L);
            if (bytes <= 0) {
                throw new LiveZoneException(
                        "zone " + m.zone() + " reported no bytes sent; cannot bound the plan");
            }
            moves.add(
                    new Move(
                            m.zone(),
                            m.source(),
                            m.destination(),
                            bytes,
                            m.diskBytes(),
                            m.dirtyBytesPerSec()));
            total += bytes;
        }
        List<Host> hosts = new ArrayList<>();
        for (Host h : plan.hosts()) {
            hosts.add(new Host(h.id(), h.site(), rate, total));
        }
        List<SiteLink> links = new ArrayList<>();
        for (SiteLink l : plan.links()) {
            links.add(new SiteLink(l.siteA(), l.siteB(), rate, rttMillis));
        }
        return PlanInput.of(hosts, links, moves, Caps.NONE);
    }

    private static JsonNode runPlan(
            JsonHttpClient api, String algorithm, List<Move> moves, boolean reverse)
            throws InterruptedException {
        List<PlanRequest.Move> list = new ArrayList<>();
        for (Move m : moves) {
            list.add(new PlanRequest.Move(m.zone(), reverse ? m.source() : m.destination()));
        }
        long id =
                api.post("/v1/plans", new PlanRequest(algorithm, list, null, 0), JsonNode.class)
                        .path("plan")
                        .path("id")
                        .asLong();
        long deadline = System.nanoTime() + PLAN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode plan = api.get("/v1/plans/" + id, JsonNode.class).path("plan");
            String state = plan.path("state").asText();
            if (!state.equals("RUNNING")) {
                if (!state.equals("DONE")) {
                    throw new LiveZoneException(
                            "plan " + id + " (" + algorithm + ") ended " + state + ": " + plan);
                }
                return plan;
            }
            Thread.sleep(200);
        }
        throw new LiveZoneException(
                "plan " + id + " (" + algorithm + ") still running after " + PLAN_TIMEOUT);
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
