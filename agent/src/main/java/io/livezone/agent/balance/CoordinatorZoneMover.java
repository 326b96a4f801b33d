package io.livezone.agent.balance;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.http.JsonHttpClient;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Moves a zone through the coordinator: a one-move plan ({@code POST /v1/zones/{zone}/migrate}),
 * then polls the plan until it ends. The coordinator's plan executor owns the migration, with its
 * persisted steps and restart recovery, so a zone is never lost or run twice because a conductor
 * started the move; the coordinator also refuses a zone another plan is moving.
 */
public final class CoordinatorZoneMover implements ZoneMover {
    private static final Duration POLL = Duration.ofMillis(500);

    private final JsonHttpClient coordinator;
    private final Duration timeout;

    /**
     * @param timeout how long to follow a plan before reporting the move failed (the plan itself
     *     goes on; the conductor only stops waiting for it)
     */
    public CoordinatorZoneMover(JsonHttpClient coordinator, Duration timeout) {
        this.coordinator = coordinator;
        this.timeout = timeout;
    }

    /** The zones the coordinator places on {@code host} and lists as running (not moving). */
    @Override
    public Optional<Set<String>> movableZones(String host) {
        Set<String> out = new TreeSet<>();
        for (JsonNode z :
                coordinator.send("GET", "/v1/zones", null, JsonNode.class, Duration.ofSeconds(5))) {
            if (host.equals(z.path("host").asText())
                    && z.path("state").asText().equals("RUNNING")) {
                out.add(z.path("definition").path("name").asText());
            }
        }
        return Optional.of(out);
    }

    @Override
    public Outcome move(String zone, String toHost) {
        long id;
        try {
            id =
                    coordinator
                            .post(
                                    "/v1/zones/" + zone + "/migrate",
                                    Map.of("to", toHost),
                                    JsonNode.class,
                                    Duration.ofSeconds(30))
                            .path("plan")
                            .path("id")
                            .asLong();
        } catch (RuntimeException e) {
            return new Outcome(false, "the coordinator refused the move: " + e.getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode plan = coordinator.get("/v1/plans/" + id, JsonNode.class).path("plan");
                String state = plan.path("state").asText();
                if (!state.equals("RUNNING")) {
                    JsonNode move = plan.path("moves").path(0);
                    return state.equals("DONE")
                            ? new Outcome(
                                    true,
                                    "plan "
                                            + id
                                            + " done in "
                                            + move.path("totalMillis").asLong()
                                            + " ms")
                            : new Outcome(
                                    false,
                                    "plan "
                                            + id
                                            + " "
                                            + state
                                            + ": "
                                            + move.path("error").asText("no error recorded"));
                }
                last = "plan " + id + " still running";
            } catch (RuntimeException e) {
                // The coordinator may be restarting; its plan goes on and is polled again.
                last = e.getMessage();
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, "interrupted while following plan " + id);
            }
        }
        return new Outcome(
                false, "gave up following plan " + id + " after " + timeout + ": " + last);
    }
}
