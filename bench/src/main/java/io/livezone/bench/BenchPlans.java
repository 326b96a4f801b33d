package io.livezone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.LiveZoneException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.lab.HostState;
import io.livezone.lab.cluster.LocalCluster;
import io.livezone.planner.Host;
import io.livezone.planner.Move;
import io.livezone.planner.PaperConfigurations;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code livezone bench plans}: the zone migration paper's multi-zone setup on real VMs — hosts
 * with 100 Mbit/s NICs (kernel tbf), each its own site, 100 ms RTT between them (userspace link
 * emulation) — every configuration run with each schedule algorithm.
 */
@Command(
        name = "plans",
        mixinStandardHelpOptions = true,
        description =
                "Multi-zone migration plans on a local cluster (100 Mbit/s NICs, 100 ms RTT):"
                        + " parallel vs sequential vs auto.")
final class BenchPlans implements Callable<Integer> {
    private static final List<String> ALGORITHMS = List.of("parallel", "sequential", "auto");

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

    @Option(names = "--only", description = "run only this configuration (e.g. 2z/3s)")
    String only;

    @Override
    public Integer call() throws Exception {
        HostState.requireRoot();
        PrintStream progress = json ? System.err : System.out;
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode configs = out.putArray("configs");
        boolean allMet = true;
        Path root = Files.createTempDirectory("lzbench");
        try {
            int n = 0;
            for (PaperConfigurations.Configuration c :
                    PaperConfigurations.all(memoryMiB << 20, 0)) {
                if (only != null && !only.equals(c.name())) {
                    continue;
                }
                ObjectNode r = run(root, "bp" + (n++), c, progress);
                configs.add(r);
                allMet &=
                        r.path("auto_le_best").asBoolean() && r.path("auto_le_1_15_lb").asBoolean();
            }
        } finally {
            root.toFile().delete();
        }
        out.put("targets_met", allMet);
        out.put("zone_mib", memoryMiB);
        out.put("nic", nic);
        out.put("rtt_ms", rttMillis);
        out.put("host", InetAddress.getLocalHost().getHostName());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("date", ZonedDateTime.now().toString());
        System.out.println(mapper.writeValueAsString(out));
        return 0;
    }

    private ObjectNode run(
            Path root, String name, PaperConfigurations.Configuration c, PrintStream progress)
            throws InterruptedException {
        List<Move> moves = c.input().moves();
        StringBuilder yaml = new StringBuilder("sites:\n");
        for (Host h : c.input().hosts()) {
            yaml.append("  - name: ")
                    .append(h.id())
                    .append("\n    hosts: [{name: ")
                    .append(h.id())
                    .append(", memory: 2GiB, nic: ")
                    .append(nic)
                    .append("}]\n");
        }
        yaml.append("links:\n");
        List<Host> hosts = c.input().hosts();
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
        progress.printf(
                "%s (%s): starting a %d-host cluster and %d zones of %d MiB%n",
                c.name(), c.description(), hosts.size(), moves.size(), memoryMiB);
        LocalCluster cluster =
                LocalCluster.up(
                        root, name, ClusterConfig.parse(yaml.toString()), Duration.ofSeconds(120));
        try {
            JsonHttpClient api = cluster.api();
            for (Move m : moves) {
                api.post(
                        "/v1/zones",
                        new ZoneService.CreateZone(m.zone(), m.source(), memoryMiB, 1),
                        JsonNode.class,
                        Duration.ofMinutes(5));
            }
            Map<String, Double> seconds = new HashMap<>();
            Map<String, Long> minBytes = new HashMap<>();
            ObjectNode r = new ObjectMapper().createObjectNode();
            r.put("name", c.name());
            r.put("description", c.description());
            for (String algorithm : ALGORITHMS) {
                JsonNode plan = runPlan(api, algorithm, moves, false);
                double s =
                        (plan.path("finishedMillis").asLong() - plan.path("createdMillis").asLong())
                                / 1000.0;
                seconds.put(algorithm, s);
                for (JsonNode m : plan.path("moves")) {
                    minBytes.merge(
                            m.path("zone").asText(),
                            m.path("transferredBytes").asLong(),
                            Math::min);
                }
                progress.printf("  %-10s %6.1f s%n", algorithm, s);
                runPlan(api, "auto", moves, true); // put the zones back, unmeasured
            }
            double lowerBound = lowerBound(moves, minBytes, c.input().hosts());
            r.put("lower_bound_s", round(lowerBound));
            for (String a : ALGORITHMS) {
                r.put(a + "_s", round(seconds.get(a)));
            }
            double best = Math.min(seconds.get("parallel"), seconds.get("sequential"));
            r.put("auto_le_best", seconds.get("auto") <= best);
            r.put("auto_over_lb", round(seconds.get("auto") / lowerBound));
            r.put("auto_le_1_15_lb", seconds.get("auto") <= 1.15 * lowerBound);
            progress.printf(
                    "  lower bound %.1f s; auto/lower bound %.2f%n",
                    lowerBound, seconds.get("auto") / lowerBound);
            return r;
        } finally {
            LocalCluster.down(root, name);
        }
    }

    /** Max over hosts and directions of bytes through the NIC / NIC rate (bytes measured). */
    private double lowerBound(List<Move> moves, Map<String, Long> bytes, List<Host> hosts) {
        long rate = io.livezone.link.Bandwidth.parse(nic);
        Map<String, Long> out = new HashMap<>();
        Map<String, Long> in = new HashMap<>();
        for (Move m : moves) {
            out.merge(m.source(), bytes.get(m.zone()), Long::sum);
            in.merge(m.destination(), bytes.get(m.zone()), Long::sum);
        }
        long worst = 0;
        for (Host h : hosts) {
            worst =
                    Math.max(
                            worst,
                            Math.max(out.getOrDefault(h.id(), 0L), in.getOrDefault(h.id(), 0L)));
        }
        return (double) worst / rate;
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
        while (true) {
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
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
