package io.livezone.coordinator.testing;

import io.livezone.core.EnvironmentException;
import io.livezone.core.MigrationFailedException;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.ZoneState;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.BaseImageImport;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.HibernatedSend;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.ApiException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * In-memory host agents for the coordinator's unit tests: which zones each host holds and in what
 * state, a log of the calls the coordinator made, and knobs to fail a call or hold a migration.
 *
 * <p>Not a model of QEMU, only of the agent protocol: {@code prepareIncoming} leaves an INCOMING
 * zone on the destination, {@code migrateOut} ends with the source PAUSED (or RUNNING if it failed
 * or was cancelled) and the destination INCOMING "arrived, paused", {@code commitIncoming} runs an
 * arrived destination, {@code releaseMigrated} drops the paused source, {@code resumeSource} runs
 * it again. A call made in the wrong state fails with 409 and is also recorded in {@link
 * #protocolErrors()}, since the coordinator swallows some failures. Hibernation: {@code suspend}
 * leaves a SUSPENDED zone and its image on the host, {@code sendHibernated} copies the image to the
 * ticket's host (its address is the host's name), {@code restore} runs the zone from the suspended
 * state or a received image.
 */
public final class FakeAgents implements Function<String, AgentGateway> {
    /** The port every fake ticket names; its address is the destination host's name. */
    public static final int TICKET_PORT = 40000;

    private final Map<String, Agent> agents = new ConcurrentHashMap<>();
    private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final Map<String, Runnable> onCall = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> zoneQueries =
            new ConcurrentHashMap<>();
    private final Set<String> cancelRequests = ConcurrentHashMap.newKeySet();
    private final Map<String, MigrateOutRequest> migrateOutRequests = new ConcurrentHashMap<>();
    private volatile Duration migrationTime = Duration.ZERO;

    // Guarded by this.
    private final List<String> calls = new ArrayList<>();
    private final List<String> protocolErrors = new ArrayList<>();
    private final Map<String, Integer> migrationsNow = new HashMap<>();
    private final Map<String, Integer> migrationsAtOnce = new HashMap<>();

    @Override
    public AgentGateway apply(String host) {
        return agent(host);
    }

    public Agent agent(String host) {
        return agents.computeIfAbsent(host, Agent::new);
    }

    /** Puts {@code zone} on {@code host} in {@code state}, as if it had got there earlier. */
    public synchronized void put(String host, String zone, ZoneState state) {
        agent(host).zones.put(zone, state);
    }

    public synchronized Optional<ZoneState> state(String host, String zone) {
        return Optional.ofNullable(agent(host).zones.get(zone));
    }

    /** Puts {@code zone} on {@code host} as a destination holding the whole stream, paused. */
    public synchronized void arrived(String host, String zone) {
        agent(host).zones.put(zone, ZoneState.INCOMING);
        agent(host).arrived.add(zone);
    }

    /** Every call to {@code host} fails as if its agent could not be reached, until {@link #up}. */
    public void down(String host) {
        down.add(host);
    }

    public void up(String host) {
        down.remove(host);
    }

    /** When the call {@code host.method(zone)} is next made, {@code action} runs first. */
    public void onCall(String call, Runnable action) {
        onCall.put(call, action);
    }

    /** How many times the coordinator asked {@code host} for its zones (answered or not). */
    public int zoneQueries(String host) {
        var n = zoneQueries.get(host);
        return n == null ? 0 : n.get();
    }

    /** Whether {@code host} holds a hibernation image of {@code zone}. */
    public synchronized boolean hasImage(String host, String zone) {
        return agent(host).images.contains(zone);
    }

    /** Every call but the polling ones (zones, progress), as {@code host.method(zone)}. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<String> calls(String zone) {
        return calls.stream().filter(c -> c.endsWith("(" + zone + ")")).toList();
    }

    public synchronized List<String> protocolErrors() {
        return List.copyOf(protocolErrors);
    }

    /** The next call of {@code method} on {@code host} throws {@code failure}. */
    public void failNext(String host, String method, RuntimeException failure) {
        failures.put(host + "." + method, failure);
    }

    /** Migrations of {@code zone} wait in migrateOut until {@link #release} or cancelled. */
    public void hold(String zone) {
        held.add(zone);
    }

    public void release(String zone) {
        held.remove(zone);
    }

    /** How long every migration takes (unless held longer). */
    public void migrationTime(Duration d) {
        migrationTime = d;
    }

    /** The most migrations that ever ran at once with {@code host} as source or destination. */
    public synchronized int mostMigrationsAtOnce(String host) {
        return migrationsAtOnce.getOrDefault(host, 0);
    }

    public Optional<MigrateOutRequest> migrateOutRequest(String zone) {
        return Optional.ofNullable(migrateOutRequests.get(zone));
    }

    private synchronized void begin(String... hosts) {
        for (String h : hosts) {
            int now = migrationsNow.merge(h, 1, Integer::sum);
            migrationsAtOnce.merge(h, now, Math::max);
        }
    }

    private synchronized void end(String... hosts) {
        for (String h : hosts) {
            migrationsNow.merge(h, -1, Integer::sum);
        }
    }

    /** One host's agent. */
    public final class Agent extends NoStorage implements AgentGateway {
        private final String host;
        private final Map<String, ZoneState> zones = new LinkedHashMap<>(); // guarded by FakeAgents
        private final Set<String> images = new java.util.HashSet<>(); // guarded by FakeAgents
        // Incoming zones whose stream is complete (they wait, paused, for the commit).
        private final Set<String> arrived = new java.util.HashSet<>(); // guarded by FakeAgents

        Agent(String host) {
            this.host = host;
        }

        private void call(String method, String zone, boolean logged) {
            if (logged) {
                synchronized (FakeAgents.this) {
                    calls.add(host + "." + method + "(" + zone + ")");
                }
            }
            if (method.equals("zones")) {
                zoneQueries
                        .computeIfAbsent(host, h -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet();
            }
            Runnable action = onCall.remove(host + "." + method + "(" + zone + ")");
            if (action != null) {
                action.run();
            }
            if (down.contains(host)) {
                throw new EnvironmentException("cannot reach the agent of " + host);
            }
            RuntimeException failure = failures.remove(host + "." + method);
            if (failure != null) {
                throw failure;
            }
        }

        /** Fails (and records) a call the protocol does not allow in the zone's state. */
        private void require(String method, String zone, ZoneState expected) {
            ZoneState actual = zones.get(zone);
            if (actual != expected) {
                String error =
                        host
                                + "."
                                + method
                                + "("
                                + zone
                                + "): zone is "
                                + actual
                                + ", expected "
                                + expected;
                protocolErrors.add(error);
                throw ApiException.conflict(error);
            }
        }

        private ZoneStatus status(String zone) {
            ZoneState state = zones.get(zone);
            String detail =
                    state == ZoneState.INCOMING && arrived.contains(zone)
                            ? "arrived, paused"
                            : state == ZoneState.PAUSED
                                    ? "postmigrate; migration completed"
                                    : "fake";
            return new ZoneStatus(zone, state, zone + "@" + host, OptionalLong.of(1), detail);
        }

        @Override
        public List<ZoneStatus> zones() {
            call("zones", "", false);
            synchronized (FakeAgents.this) {
                return zones.keySet().stream().map(this::status).toList();
            }
        }

        /** Caches any file as a 128 MiB qcow2 with the hash asked for. */
        @Override
        public BaseImageInfo importBaseImage(BaseImageImport request) {
            call("importBaseImage", request.name(), true);
            return new BaseImageInfo(
                    request.name(), request.sha256(), "qcow2", 128L << 20, 100L << 20);
        }

        @Override
        public ZoneStatus start(ZoneDefinition zone) {
            call("start", zone.name(), true);
            synchronized (FakeAgents.this) {
                if (zones.containsKey(zone.name())) {
                    throw new ZoneAlreadyExistsException(zone.name());
                }
                zones.put(zone.name(), ZoneState.RUNNING);
                return status(zone.name());
            }
        }

        @Override
        public void stop(String zone) {
            call("stop", zone, true);
            synchronized (FakeAgents.this) {
                if (zones.remove(zone) == null) {
                    throw new ZoneNotFoundException(zone);
                }
            }
        }

        /** A DEAD zone runs again (a restarted VM); anything else is refused, as an agent does. */
        @Override
        public ZoneStatus restart(String zone) {
            call("restart", zone, true);
            synchronized (FakeAgents.this) {
                if (!zones.containsKey(zone)) {
                    throw new ZoneNotFoundException(zone);
                }
                require("restart", zone, ZoneState.DEAD);
                zones.put(zone, ZoneState.RUNNING);
                return status(zone);
            }
        }

        @Override
        public IncomingTicket prepareIncoming(IncomingRequest request) {
            String zone = request.zone().name();
            call("prepareIncoming", zone, true);
            synchronized (FakeAgents.this) {
                require("prepareIncoming", zone, null);
                zones.put(zone, ZoneState.INCOMING);
            }
            return new IncomingTicket(zone, "site-of-" + host, host, TICKET_PORT);
        }

        @Override
        public MigrationReport migrateOut(String zone, MigrateOutRequest request) {
            call("migrateOut", zone, true);
            String destination = request.ticket().address();
            synchronized (FakeAgents.this) {
                require("migrateOut", zone, ZoneState.RUNNING);
                zones.put(zone, ZoneState.MIGRATING);
                migrateOutRequests.put(zone, request);
                begin(host, destination);
            }
            boolean cancelled;
            try {
                cancelled = awaitEnd(zone);
            } finally {
                end(host, destination);
            }
            synchronized (FakeAgents.this) {
                if (cancelled) {
                    zones.put(zone, ZoneState.RUNNING);
                    throw new MigrationFailedException(
                            "migration of zone '" + zone + "' cancelled", true, null);
                }
                zones.put(zone, ZoneState.PAUSED);
                agent(destination).arrived.add(zone);
            }
            return new MigrationReport(
                    zone,
                    zone + "@" + host,
                    zone + "@" + destination,
                    1,
                    100,
                    120,
                    7,
                    9,
                    2,
                    200L << 20,
                    3,
                    800.0,
                    false,
                    0);
        }

        @Override
        public IncomingTicket recoverIncoming(String zone) {
            call("recoverIncoming", zone, true);
            synchronized (FakeAgents.this) {
                require("recoverIncoming", zone, ZoneState.MIGRATING);
            }
            return new IncomingTicket(zone, "site-of-" + host, host, TICKET_PORT + 1);
        }

        @Override
        public MigrationReport resumePostcopy(String zone, MigrateOutRequest request) {
            call("resumePostcopy", zone, true);
            synchronized (FakeAgents.this) {
                require("resumePostcopy", zone, ZoneState.PAUSED);
                agent(request.ticket().address()).zones.put(zone, ZoneState.INCOMING);
                agent(request.ticket().address()).arrived.add(zone);
            }
            return new MigrationReport(
                    zone,
                    zone + "@" + host,
                    zone + "@" + request.ticket().address(),
                    1,
                    100,
                    120,
                    7,
                    9,
                    2,
                    200L << 20,
                    3,
                    800.0,
                    true,
                    0);
        }

        /** Waits out the migration; true if it was cancelled. */
        private boolean awaitEnd(String zone) {
            long end = System.nanoTime() + migrationTime.toNanos();
            try {
                while (held.contains(zone) || System.nanoTime() < end) {
                    if (cancelRequests.remove(zone)) {
                        return true;
                    }
                    Thread.sleep(1);
                }
                return cancelRequests.remove(zone);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigrationFailedException("interrupted", true, e);
            }
        }

        @Override
        public Optional<MigrationProgress> progress(String zone) {
            call("progress", zone, false);
            synchronized (FakeAgents.this) {
                if (zones.get(zone) != ZoneState.MIGRATING) {
                    return Optional.empty();
                }
            }
            return Optional.of(
                    new MigrationProgress(zone, "active", 50, 100, 100, 200, 1, 800.0, 10));
        }

        @Override
        public void cancelMigration(String zone) {
            call("cancelMigration", zone, true);
            synchronized (FakeAgents.this) {
                require("cancelMigration", zone, ZoneState.MIGRATING);
                cancelRequests.add(zone);
            }
        }

        @Override
        public ZoneStatus commitIncoming(String zone) {
            call("commitIncoming", zone, true);
            synchronized (FakeAgents.this) {
                if (zones.get(zone) == ZoneState.RUNNING) {
                    return status(zone); // as the agent: a repeated commit finds it running
                }
                require("commitIncoming", zone, ZoneState.INCOMING);
                if (!arrived.remove(zone)) {
                    throw ApiException.conflict(
                            host + ".commitIncoming(" + zone + "): the stream is incomplete");
                }
                zones.put(zone, ZoneState.RUNNING);
                return status(zone);
            }
        }

        @Override
        public void discardIncoming(String zone) {
            call("discardIncoming", zone, true);
            synchronized (FakeAgents.this) {
                if (zones.get(zone) != ZoneState.ARRIVAL_FAILED) {
                    require("discardIncoming", zone, ZoneState.INCOMING);
                }
                zones.remove(zone);
                arrived.remove(zone);
            }
        }

        @Override
        public void releaseMigrated(String zone) {
            call("releaseMigrated", zone, true);
            synchronized (FakeAgents.this) {
                require("releaseMigrated", zone, ZoneState.PAUSED);
                zones.remove(zone);
            }
        }

        @Override
        public void resumeSource(String zone) {
            call("resumeSource", zone, true);
            synchronized (FakeAgents.this) {
                require("resumeSource", zone, ZoneState.PAUSED);
                zones.put(zone, ZoneState.RUNNING);
            }
        }

        @Override
        public ZoneStatus suspend(String zone) {
            call("suspend", zone, true);
            synchronized (FakeAgents.this) {
                require("suspend", zone, ZoneState.RUNNING);
                zones.put(zone, ZoneState.SUSPENDED);
                images.add(zone);
                return status(zone);
            }
        }

        @Override
        public ZoneStatus restore(ZoneDefinition zone) {
            call("restore", zone.name(), true);
            synchronized (FakeAgents.this) {
                if (!images.contains(zone.name())) {
                    throw ApiException.notFound("no image of zone '" + zone.name() + "'");
                }
                ZoneState now = zones.get(zone.name());
                if (now != null && now != ZoneState.SUSPENDED) {
                    require("restore", zone.name(), ZoneState.SUSPENDED);
                }
                images.remove(zone.name());
                zones.put(zone.name(), ZoneState.RUNNING);
                return status(zone.name());
            }
        }

        @Override
        public TransferTicket receiveHibernated(String zone) {
            call("receiveHibernated", zone, true);
            synchronized (FakeAgents.this) {
                require("receiveHibernated", zone, null);
            }
            return new TransferTicket("site-of-" + host, host, TICKET_PORT, false);
        }

        @Override
        public StorageTransfer sendHibernated(String zone, HibernatedSend request) {
            call("sendHibernated", zone, true);
            synchronized (FakeAgents.this) {
                require("sendHibernated", zone, ZoneState.SUSPENDED);
                agent(request.to().address()).images.add(zone);
            }
            return new StorageTransfer("hibernated", 100L << 20, 100L << 20, 50);
        }

        @Override
        public void discardHibernated(String zone) {
            call("discardHibernated", zone, true);
            synchronized (FakeAgents.this) {
                if (zones.get(zone) == ZoneState.SUSPENDED) {
                    zones.remove(zone);
                }
                images.remove(zone);
            }
        }
    }
}
