package io.livezone.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.planner.MigrationSchedulePolicy;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code livezone plan ...}: multi-zone migration plans. */
@Command(
        name = "plan",
        description = "Run, watch and cancel multi-zone migration plans.",
        subcommands = {PlanCommand.Run.class, PlanCommand.Status.class, PlanCommand.Cancel.class})
public final class PlanCommand {
    @Command(name = "run", description = "Move zones: ZONE=HOST ... (e.g. z1=h2 z2=h1).")
    static final class Run implements Runnable {
        @Mixin ClusterOptions cluster;

        @Option(
                names = "--algorithm",
                defaultValue = "auto",
                description = "parallel, sequential or auto (default: ${DEFAULT-VALUE})")
        String algorithm;

        @Option(
                names = "--timeout",
                defaultValue = "0",
                description = "plan deadline in seconds (0: none)")
        long timeoutSeconds;

        @Option(names = "--no-wait", description = "return once the plan is accepted")
        boolean noWait;

        @Option(
                names = "--downtime-ms",
                defaultValue = "30",
                description = "each migration's downtime limit (default: ${DEFAULT-VALUE})")
        long downtimeMillis;

        @Option(
                names = "--postcopy",
                description =
                        "switch a migration that does not converge to post-copy (busy zones over"
                                + " slow links)")
        boolean postcopy;

        @Parameters(arity = "1..*", paramLabel = "ZONE=HOST")
        List<String> moves;

        @Override
        public void run() {
            List<PlanRequest.Move> list = new ArrayList<>();
            for (String m : moves) {
                String[] parts = m.split("=", -1);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw new InvalidInputException("a move is ZONE=HOST, got '" + m + "'");
                }
                list.add(new PlanRequest.Move(parts[0], parts[1]));
            }
            // Checked before the cluster is looked for: a typo is not "cluster not up".
            MigrationSchedulePolicy.byName(algorithm);
            PlanRequest request =
                    new PlanRequest(
                            algorithm,
                            list,
                            new MigrationSettings(downtimeMillis, 0, true, postcopy),
                            timeoutSeconds);
            JsonHttpClient api = cluster.api();
            JsonNode view = api.post("/v1/plans", request, JsonNode.class);
            long id = view.path("plan").path("id").asLong();
            System.out.println(
                    "plan " + id + " accepted (" + algorithm + ", " + list.size() + " moves)");
            if (!noWait) {
                String end = watch(api, id);
                if (!end.equals("DONE")) {
                    throw new LiveZoneException("plan " + id + " ended " + end);
                }
            }
        }
    }

    /** Prints progress until the plan ends; returns its final state. */
    public static String watch(JsonHttpClient api, long id) {
        String last = "";
        while (true) {
            JsonNode v = api.get("/v1/plans/" + id, JsonNode.class);
            JsonNode plan = v.path("plan");
            StringBuilder line =
                    new StringBuilder(
                            String.format(
                                    "%6.1f s %5.1f%%",
                                    v.path("elapsedMillis").asLong() / 1000.0,
                                    v.path("percent").asDouble()));
            for (JsonNode m : plan.path("moves")) {
                line.append(
                        String.format(
                                "  %s %s->%s %s",
                                m.path("zone").asText(),
                                m.path("source").asText(),
                                m.path("destination").asText(),
                                m.path("state").asText()));
                if (m.path("state").asText().equals("MIGRATING")) {
                    line.append(String.format(" %.0f%%", m.path("percent").asDouble()));
                }
            }
            String state = plan.path("state").asText();
            if (!line.toString().equals(last)) {
                System.out.println(line);
                last = line.toString();
            }
            if (!state.equals("RUNNING")) {
                printResult(plan);
                return state;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "INTERRUPTED";
            }
        }
    }

    public static void printResult(JsonNode plan) {
        System.out.printf("plan %d %s%n", plan.path("id").asLong(), plan.path("state").asText());
        System.out.printf(
                "  %-12s %-8s %-8s %-10s %10s %10s %12s  %s%n",
                "ZONE", "FROM", "TO", "STATE", "TOTAL ms", "DOWN ms", "MB SENT", "ERROR");
        for (JsonNode m : plan.path("moves")) {
            System.out.printf(
                    "  %-12s %-8s %-8s %-10s %10d %10d %12.1f  %s%n",
                    m.path("zone").asText(),
                    m.path("source").asText(),
                    m.path("destination").asText(),
                    m.path("state").asText(),
                    m.path("totalMillis").asLong(),
                    m.path("downtimeMillis").asLong(),
                    m.path("transferredBytes").asLong() / 1e6,
                    m.path("error").isNull() ? "" : m.path("error").asText());
        }
    }

    @Command(name = "status", description = "Show one plan, or all plans.")
    static final class Status implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0", arity = "0..1")
        Long id;

        @Override
        public void run() {
            JsonHttpClient api = cluster.api();
            if (id != null) {
                printResult(api.get("/v1/plans/" + id, JsonNode.class).path("plan"));
                return;
            }
            for (JsonNode v : api.get("/v1/plans", JsonNode.class)) {
                JsonNode p = v.path("plan");
                System.out.printf(
                        "%4d %-10s %-9s %3d moves %5.1f%%%n",
                        p.path("id").asLong(),
                        p.path("algorithm").asText(),
                        p.path("state").asText(),
                        p.path("moves").size(),
                        v.path("percent").asDouble());
            }
        }
    }

    @Command(name = "cancel", description = "Cancel a running plan; moves under way are aborted.")
    static final class Cancel implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0")
        long id;

        @Override
        public void run() {
            cluster.api()
                    .post(
                            "/v1/plans/" + id + "/cancel",
                            null,
                            JsonNode.class,
                            Duration.ofSeconds(30));
            System.out.println("plan " + id + " cancelling");
        }
    }
}
