package io.livezone.agent;

import io.livezone.core.BootImage;
import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationProgress;
import io.livezone.core.MigrationReport;
import io.livezone.core.ZoneSpec;
import io.livezone.core.ZoneStatus;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.IncomingRequest;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.ZoneDefinition;
import io.livezone.core.http.ApiException;
import io.livezone.link.TcpToUnixForwarder;
import io.livezone.link.UnixToTcpForwarder;
import io.livezone.qemu.IncomingMigration;
import io.livezone.qemu.QemuZoneDriver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A host agent: runs this host's zones through the QEMU driver and carries migration streams
 * between hosts. QEMU talks to unix sockets; the agent pumps those bytes over TCP on the host
 * network (through the emulated inter-site link when the coordinator asks for one), so the same
 * path works between namespaces here and between machines in a real deployment.
 */
public final class Agent implements AgentGateway, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration RESUME_TIMEOUT = Duration.ofSeconds(60);

    private final String host;
    private final String site;
    private final InetAddress address;
    private final Path socketDir;
    private final QemuZoneDriver driver;
    private final BootImage boot;
    private final StreamTunnels tunnels;
    private final Map<String, Arrival> arrivals = new ConcurrentHashMap<>();
    private final Map<String, MigrationProgress> progress = new ConcurrentHashMap<>();
    private final Map<String, Boolean> cancelRequests = new ConcurrentHashMap<>();
    private final java.util.Set<String> outgoing = ConcurrentHashMap.newKeySet();

    /** A zone arriving here: its waiting VM and the TCP listener that feeds it. */
    private record Arrival(IncomingMigration migration, AutoCloseable listener) {}

    public Agent(
            String host,
            String site,
            InetAddress address,
            Path stateDir,
            QemuZoneDriver driver,
            BootImage boot,
            StreamTunnels tunnels) {
        this.host = host;
        this.site = site;
        this.address = address;
        this.socketDir = stateDir.toAbsolutePath().resolve("mig");
        this.driver = driver;
        this.boot = boot;
        this.tunnels = tunnels;
        try {
            Files.createDirectories(socketDir);
        } catch (IOException e) {
            throw new io.livezone.core.EnvironmentException("cannot create " + socketDir, e);
        }
    }

    public String host() {
        return host;
    }

    public String site() {
        return site;
    }

    public QemuZoneDriver driver() {
        return driver;
    }

    @Override
    public List<ZoneStatus> zones() {
        return driver.list();
    }

    @Override
    public ZoneStatus start(ZoneDefinition zone) {
        ZoneSpec spec = spec(zone);
        driver.start(spec);
        try {
            driver.awaitReady(zone.name(), BOOT_TIMEOUT);
        } catch (RuntimeException e) {
            driver.stop(zone.name());
            throw e;
        }
        return driver.status(zone.name());
    }

    @Override
    public void stop(String zone) {
        discardArrival(zone);
        driver.stop(zone);
    }

    @Override
    public IncomingTicket prepareIncoming(IncomingRequest request) {
        String zone = request.zone().name();
        if (arrivals.containsKey(zone)) {
            throw ApiException.conflict("zone '" + zone + "' is already arriving on " + host);
        }
        Path socket = socketDir.resolve(zone + ".in");
        IncomingMigration migration =
                driver.prepareIncoming(
                        spec(request.zone()), request.settings().toOptions(), socket);
        try {
            TcpToUnixForwarder listener = tunnels.acceptInto(address, socket);
            arrivals.put(zone, new Arrival(migration, listener));
            log.info("zone {} may arrive on {} at {}:{}", zone, host, address, listener.port());
            return new IncomingTicket(zone, site, address.getHostAddress(), listener.port());
        } catch (RuntimeException e) {
            migration.close();
            driver.discardIncoming(zone);
            throw e;
        }
    }

    @Override
    public MigrationReport migrateOut(String zone, MigrateOutRequest request) {
        if (request.ticket().zone() != null && !request.ticket().zone().equals(zone)) {
            throw new InvalidInputException(
                    "ticket is for zone '" + request.ticket().zone() + "', not '" + zone + "'");
        }
        Path socket = socketDir.resolve(zone + ".out");
        LinkSettings link = request.link();
        if (!outgoing.add(zone)) {
            throw ApiException.conflict("zone '" + zone + "' is already migrating out of " + host);
        }
        UnixToTcpForwarder tunnel;
        try {
            tunnel =
                    tunnels.connectFrom(
                            socket,
                            request.ticket().address(),
                            request.ticket().port(),
                            request.ticket().site(),
                            link);
        } catch (RuntimeException e) {
            outgoing.remove(zone);
            throw e;
        }
        try {
            MigrationReport report =
                    driver.migrateOut(
                            zone,
                            "unix:" + socket,
                            request.settings().toOptions(),
                            z -> {},
                            p -> progress.put(zone, p),
                            () -> cancelRequests.containsKey(zone));
            // QEMU reports completion once it has written its last byte; over an emulated link
            // those bytes may still be on the wire: let them arrive before closing the tunnel.
            drain(tunnel, Duration.ofSeconds(60));
            return report;
        } finally {
            progress.remove(zone);
            cancelRequests.remove(zone);
            outgoing.remove(zone);
            tunnel.close();
        }
    }

    private static void drain(UnixToTcpForwarder tunnel, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tunnel.stats().connectionsOpen() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void cancelMigration(String zone) {
        if (!outgoing.contains(zone)) {
            throw ApiException.conflict("zone '" + zone + "' is not migrating out of " + host);
        }
        cancelRequests.put(zone, true);
    }

    @Override
    public Optional<MigrationProgress> progress(String zone) {
        return Optional.ofNullable(progress.get(zone));
    }

    @Override
    public ZoneStatus commitIncoming(String zone) {
        Arrival arrival = arrivals.remove(zone);
        if (arrival == null) {
            throw ApiException.notFound("zone '" + zone + "' is not arriving on " + host);
        }
        try {
            driver.commitIncoming(arrival.migration(), RESUME_TIMEOUT);
        } finally {
            closeQuietly(arrival.listener());
        }
        return driver.status(zone);
    }

    @Override
    public void discardIncoming(String zone) {
        discardArrival(zone);
        driver.discardIncoming(zone);
    }

    private void discardArrival(String zone) {
        Arrival arrival = arrivals.remove(zone);
        if (arrival != null) {
            arrival.migration().close();
            closeQuietly(arrival.listener());
        }
    }

    @Override
    public void releaseMigrated(String zone) {
        driver.releaseMigrated(zone);
    }

    @Override
    public void resumeSource(String zone) {
        driver.resumeAfterFailedHandover(zone);
    }

    private ZoneSpec spec(ZoneDefinition zone) {
        return zone.toSpec(boot, Optional.of(driver.network().gateway().address()));
    }

    @Override
    public void close() {
        arrivals.keySet().forEach(this::discardArrival);
        tunnels.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close failed: {}", e.toString());
        }
    }
}
