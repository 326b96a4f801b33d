package io.livezone.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A long agent operation (a migration, a disk mirror, a hibernation) as the agent reports it. The
 * call that starts one is answered at once ({@code 202 Accepted}, this record, {@code Location:}
 * {@link #path}); the caller then asks {@code GET} {@link #path} until it is {@link State#DONE} or
 * {@link State#FAILED}. So no HTTP request lasts as long as the operation, and how long a caller
 * waits comes from the operation itself ({@link #deadlineMillis}), not from an HTTP timeout.
 *
 * <p>Jobs live in the agent's memory: an agent that restarted knows none of its predecessor's (ids
 * carry the agent process's incarnation, so an old id is never mistaken for a new job), and
 * finished jobs are forgotten after a while. A caller told a job is unknown asks the agent what its
 * zones do instead ({@link AgentJobLostException}).
 *
 * @param deadlineMillis how long, from its start, the operation may legitimately take (its own
 *     limits, e.g. a migration's completion and progress timeouts, plus a margin)
 * @param elapsedMillis how long it has run, or ran
 * @param result the operation's answer (its JSON), once {@link State#DONE}
 * @param failure why it failed, once {@link State#FAILED}: the HTTP status and message the call
 *     would have answered had it run within its request
 */
public record AgentJob(
        String id,
        String kind,
        String zone,
        State state,
        long deadlineMillis,
        long elapsedMillis,
        JsonNode result,
        Failure failure) {
    public enum State {
        RUNNING,
        DONE,
        FAILED
    }

    /** A failed operation's error, as the agent's HTTP API answers errors. */
    public record Failure(int status, String error, String message) {}

    public AgentJob {
        Objects.requireNonNull(id, "id is missing");
        Objects.requireNonNull(state, "state is missing");
    }

    /** Where the job is asked after. */
    public static String path(String id) {
        return "/v1/jobs/" + id;
    }

    /** The route pattern of {@link #path}, for the agent's server. */
    public static final String ROUTE = "/v1/jobs/{id}";

    public boolean finished() {
        return state != State.RUNNING;
    }
}
