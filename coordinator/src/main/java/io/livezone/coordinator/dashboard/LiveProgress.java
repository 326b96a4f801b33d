package io.livezone.coordinator.dashboard;

import io.livezone.core.MigrationProgress;
import io.livezone.core.cluster.AgentGateway;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The latest progress of outgoing migrations, asked of their source agents (phase, pre-copy round,
 * rate: more than a plan's move records keep). A slow agent never holds up the dashboard: each ask
 * is waited for briefly, at most one per zone is outstanding, and meanwhile the last answer stands.
 */
final class LiveProgress {
    private final Function<String, AgentGateway> agents;
    private final ExecutorService threads;
    private final Duration wait;
    private final Map<String, CompletableFuture<Optional<MigrationProgress>>> asking =
            new ConcurrentHashMap<>();
    private final Map<String, MigrationProgress> latest = new ConcurrentHashMap<>();

    LiveProgress(Function<String, AgentGateway> agents, ExecutorService threads, Duration wait) {
        this.agents = agents;
        this.threads = threads;
        this.wait = wait;
    }

    /** The source's latest report on {@code zone}'s migration, or the last one it gave. */
    Optional<MigrationProgress> of(String source, String zone) {
        CompletableFuture<Optional<MigrationProgress>> answer =
                asking.compute(
                        zone,
                        (z, pending) ->
                                pending != null && !pending.isDone() ? pending : ask(source, z));
        try {
            answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // an agent that is slow or unreachable: keep showing what it said last
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.ofNullable(latest.get(zone));
    }

    private CompletableFuture<Optional<MigrationProgress>> ask(String source, String zone) {
        return CompletableFuture.supplyAsync(() -> agents.apply(source).progress(zone), threads)
                .whenComplete(
                        (p, e) -> {
                            if (p != null) {
                                p.ifPresent(v -> latest.put(zone, v));
                            }
                        });
    }

    /** Forgets zones that are no longer migrating. */
    void retain(Set<String> migrating) {
        latest.keySet().retainAll(migrating);
        asking.keySet().retainAll(migrating);
    }
}
