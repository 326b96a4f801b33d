package io.livezone.bench;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.plan.PlanRequest;
import io.livezone.core.LiveZoneException;
import io.livezone.core.http.JsonHttpClient;

import java.time.Duration;

/** Runs a migration plan through the coordinator's API and waits for it, for the benches. */
final class PlanRuns {
    private PlanRuns() {}

    /**
     * Submits {@code request} and returns the plan once it is DONE.
     *
     * @throws LiveZoneException the plan ended otherwise, or ran longer than {@code timeout}
     */
    static JsonNode run(JsonHttpClient api, PlanRequest request, Duration timeout) {
        long id = api.post("/v1/plans", request, JsonNode.class).path("plan").path("id").asLong();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode plan = api.get("/v1/plans/" + id, JsonNode.class).path("plan");
            if (!plan.path("state").asText().equals("RUNNING")) {
                if (!plan.path("state").asText().equals("DONE")) {
                    throw new LiveZoneException("plan " + id + " ended " + plan);
                }
                return plan;
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LiveZoneException("interrupted");
            }
        }
        throw new LiveZoneException("plan " + id + " did not finish in " + timeout);
    }
}
