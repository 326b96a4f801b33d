package io.livezone.agent;

import io.livezone.core.cluster.AgentJob;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The agent's long operations as jobs ({@link AgentJob}): each runs on its own thread and is asked
 * after by id. Kept in memory only; a finished job is forgotten {@code keepFinished} after it ended
 * (its caller has long had its answer), a running one never.
 */
public final class AgentJobs {
    private static final Logger log = LoggerFactory.getLogger(AgentJobs.class);

    /** How long a finished job stays known by default: many polls, and a lost answer's retry. */
    public static final Duration KEEP_FINISHED = Duration.ofMinutes(10);

    private final Duration keepFinished;
    private final LongSupplier nanoClock;
    private final String incarnation;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Entry> jobs = new ConcurrentHashMap<>();

    /** One job: what it is and, once it ended, its outcome. */
    private static final class Entry {
        final String id;
        final String kind;
        final String zone;
        final long deadlineMillis;
        final long startedNanos;
        volatile AgentJob ended;
        volatile long endedNanos;

        Entry(String id, String kind, String zone, long deadlineMillis, long startedNanos) {
            this.id = id;
            this.kind = kind;
            this.zone = zone;
            this.deadlineMillis = deadlineMillis;
            this.startedNanos = startedNanos;
        }
    }

    public AgentJobs() {
        this(KEEP_FINISHED, System::nanoTime);
    }

    AgentJobs(Duration keepFinished, LongSupplier nanoClock) {
        this.keepFinished = keepFinished;
        this.nanoClock = nanoClock;
        // Another agent process (a restart) never hands out an id this one did.
        this.incarnation = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    /**
     * Starts {@code work} as a job of {@code kind} on {@code zone}; returns it, running. {@code
     * deadline} is how long the operation may legitimately take, for its callers.
     */
    public AgentJob start(String kind, String zone, Duration deadline, Callable<?> work) {
        expire();
        Entry e =
                new Entry(
                        incarnation + "-" + sequence.incrementAndGet(),
                        kind,
                        zone,
                        deadline.toMillis(),
                        nanoClock.getAsLong());
        jobs.put(e.id, e);
        Thread.ofVirtual().name("job-" + kind + "-" + zone).start(() -> run(e, work));
        return view(e);
    }

    /** The job as it is now; unknown (never started here, or expired): 404. */
    public AgentJob get(String id) {
        expire();
        Entry e = jobs.get(id);
        if (e == null) {
            throw ApiException.notFound(
                    "no job "
                            + id
                            + " on this agent: it restarted since, or the job ended more than "
                            + keepFinished.toMinutes()
                            + " min ago");
        }
        return view(e);
    }

    private void run(Entry e, Callable<?> work) {
        AgentJob outcome;
        try {
            Object result = work.call();
            outcome =
                    snapshot(
                            e,
                            AgentJob.State.DONE,
                            result == null ? null : JsonHttpServer.JSON.valueToTree(result),
                            null);
        } catch (Exception x) {
            int status = JsonHttpServer.statusOf(x);
            if (status >= 500) {
                log.warn("{} job {} of zone {} failed: {}", e.kind, e.id, e.zone, x.toString(), x);
            }
            String message = x.getMessage() == null ? x.toString() : x.getMessage();
            outcome =
                    snapshot(
                            e,
                            AgentJob.State.FAILED,
                            null,
                            new AgentJob.Failure(status, JsonHttpServer.kindOf(x), message));
        }
        e.endedNanos = nanoClock.getAsLong();
        e.ended = outcome;
    }

    private AgentJob view(Entry e) {
        AgentJob ended = e.ended;
        return ended != null ? ended : snapshot(e, AgentJob.State.RUNNING, null, null);
    }

    private AgentJob snapshot(
            Entry e,
            AgentJob.State state,
            com.fasterxml.jackson.databind.JsonNode result,
            AgentJob.Failure failure) {
        long elapsed = (nanoClock.getAsLong() - e.startedNanos) / 1_000_000;
        return new AgentJob(
                e.id, e.kind, e.zone, state, e.deadlineMillis, elapsed, result, failure);
    }

    private void expire() {
        long now = nanoClock.getAsLong();
        jobs.values().removeIf(e -> e.ended != null && now - e.endedNanos > keepFinished.toNanos());
    }
}
