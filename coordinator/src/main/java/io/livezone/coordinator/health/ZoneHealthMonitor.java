package io.livezone.coordinator.health;

import io.livezone.coordinator.registry.FailureRecord;
import io.livezone.coordinator.registry.Registry;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.registry.ZoneRecord.ZoneLifecycle;
import io.livezone.core.ZoneFailure;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.RestartPolicy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Follows the agents' zone reports (see the package documentation): deaths make zones FAILED and
 * enter their history; zones that were LOST or FAILED and that their host reports running are
 * RUNNING again; a note an agent has for a LOST or FAILED zone (e.g. a VM it keeps paused after a
 * migration that completed while it was down) becomes the zone's reason.
 */
public final class ZoneHealthMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZoneHealthMonitor.class);

    /** A zone that needed this many restarts within {@link #RESTART_WINDOW} is not restarted. */
    static final int MAX_RESTARTS = 5;

    static final Duration RESTART_WINDOW = Duration.ofMinutes(10);

    private final Registry registry;
    private final Function<String, AgentGateway> agents;
    private final ExecutorService restarts = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> restarting = ConcurrentHashMap.newKeySet();

    public ZoneHealthMonitor(Registry registry, Function<String, AgentGateway> agents) {
        this.registry = registry;
        this.agents = agents;
    }

    /** What host {@code host}'s agent reported of its zones in a heartbeat. */
    public void onReports(String host, List<ZoneStatus> zones) {
        for (ZoneStatus s : zones) {
            try {
                onReport(host, s);
            } catch (RuntimeException e) {
                log.warn("report of zone {} from {} not applied: {}", s.zone(), host, e.toString());
            }
        }
    }

    private void onReport(String host, ZoneStatus s) {
        Optional<ZoneRecord> found = registry.findZone(s.zone());
        if (found.isEmpty() || !host.equals(found.get().host())) {
            return; // the registry places the zone elsewhere: this copy is not the zone's
        }
        ZoneRecord z = found.get();
        if (s.state() == ZoneState.DEAD && s.failure() != null) {
            died(host, z, s.failure());
            return;
        }
        if (restarting.contains(z.name())
                || (z.state() != ZoneLifecycle.LOST && z.state() != ZoneLifecycle.FAILED)) {
            return;
        }
        if (s.state() == ZoneState.RUNNING) {
            if (registry.replaceZone(z, z.in(ZoneLifecycle.RUNNING))) {
                List<FailureRecord> history = registry.failures(z.name());
                FailureRecord last = history.isEmpty() ? null : history.get(history.size() - 1);
                if (last != null && last.outcome().equals("restarting")) {
                    // Its agent restarted it, but the coordinator that asked did not live to see.
                    registry.putFailure(
                            last.withOutcome("restarted (instance " + s.instance() + ")"));
                }
                log.info(
                        "zone {} was {} and runs again on {}, as its agent reports{}",
                        z.name(),
                        z.state(),
                        host,
                        s.note() == null ? "" : " (" + s.note() + ")");
            }
        } else if (s.note() != null && !s.note().equals(z.reason())) {
            registry.replaceZone(z, z.because(z.state(), s.note()));
        }
    }

    private synchronized void died(String host, ZoneRecord z, ZoneFailure f) {
        // A plan, a creation or a hibernation owns the zone now; its outcome says where it is.
        if (z.state() != ZoneLifecycle.RUNNING
                && z.state() != ZoneLifecycle.LOST
                && z.state() != ZoneLifecycle.FAILED) {
            return;
        }
        List<FailureRecord> history = registry.failures(z.name());
        FailureRecord last = history.isEmpty() ? null : history.get(history.size() - 1);
        if (last != null && last.sameVm(host, f)) {
            if (z.state() != ZoneLifecycle.FAILED) {
                registry.replaceZone(z, z.because(ZoneLifecycle.FAILED, f.reason()));
            } else if (last.outcome().equals("restarting") && restarting.add(z.name())) {
                // A restart that a coordinator restart interrupted: the VM is still dead.
                restarts.submit(() -> restart(host, z.name(), last));
            }
            return; // known: every heartbeat repeats it
        }
        boolean wantsRestart = z.definition().restart() == RestartPolicy.RESTART;
        String refusal = wantsRestart ? crashLoop(history, f.atMillis()) : null;
        boolean restart = wantsRestart && refusal == null;
        String outcome =
                !wantsRestart ? "reported" : restart ? "restarting" : "not restarted: " + refusal;
        ZoneRecord failed =
                z.because(
                        ZoneLifecycle.FAILED,
                        f.reason()
                                + (restart
                                        ? "; restarting (policy restart)"
                                        : refusal == null ? "" : "; not restarted: " + refusal));
        if (!registry.replaceZone(z, failed)) {
            return; // changed meanwhile; the next heartbeat reports the death again
        }
        FailureRecord record = registry.addFailure(new FailureRecord(0, host, f, outcome));
        log.warn(
                "zone {} FAILED on {} (instance {}): {}; restart policy {}: {}",
                z.name(),
                host,
                f.instance(),
                f.reason(),
                z.definition().restart().id(),
                outcome);
        if (restart) {
            restarting.add(z.name());
            restarts.submit(() -> restart(host, z.name(), record));
        }
    }

    /** Why the zone should not be restarted again now, or null. */
    private static String crashLoop(List<FailureRecord> history, long now) {
        long since = now - RESTART_WINDOW.toMillis();
        long recent =
                history.stream()
                        .filter(r -> r.failure().atMillis() >= since)
                        .filter(r -> r.outcome().startsWith("restart"))
                        .count();
        return recent >= MAX_RESTARTS
                ? "it was restarted "
                        + recent
                        + " times in the last "
                        + RESTART_WINDOW.toMinutes()
                        + " min (crash loop); an operator decides"
                : null;
    }

    private void restart(String host, String zone, FailureRecord record) {
        try {
            long t0 = System.nanoTime();
            ZoneStatus status = agents.apply(host).restart(zone);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            registry.findZone(zone)
                    .filter(z -> host.equals(z.host()) && z.state() == ZoneLifecycle.FAILED)
                    .ifPresent(z -> registry.replaceZone(z, z.in(ZoneLifecycle.RUNNING)));
            registry.putFailure(
                    record.withOutcome(
                            "restarted in " + millis + " ms (instance " + status.instance() + ")"));
            log.info(
                    "zone {} restarted on {} in {} ms after: {}",
                    zone,
                    host,
                    millis,
                    record.failure().reason());
        } catch (RuntimeException e) {
            registry.putFailure(record.withOutcome("restart failed: " + e.getMessage()));
            registry.findZone(zone)
                    .filter(z -> host.equals(z.host()) && z.state() == ZoneLifecycle.FAILED)
                    .ifPresent(
                            z ->
                                    registry.replaceZone(
                                            z,
                                            z.because(
                                                    ZoneLifecycle.FAILED,
                                                    record.failure().reason()
                                                            + "; restart failed: "
                                                            + e.getMessage())));
            log.warn("zone {}: restart on {} failed: {}", zone, host, e.getMessage());
        } finally {
            restarting.remove(zone);
        }
    }

    @Override
    public void close() {
        restarts.shutdownNow();
    }
}
