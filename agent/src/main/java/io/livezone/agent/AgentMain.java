package io.livezone.agent;

import io.livezone.agent.balance.Conductor;
import io.livezone.agent.balance.ConductorOptions;
import io.livezone.agent.balance.ConductorSettings;
import io.livezone.agent.balance.CoordinatorZoneMover;
import io.livezone.agent.health.ZoneWatch;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.cluster.Heartbeat;
import io.livezone.core.cluster.HostLoad;
import io.livezone.core.cluster.HttpSwitchoverGate;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.network.ZoneNetwork;
import io.livezone.qemu.AcceleratorProbe;
import io.livezone.qemu.GuestImage;
import io.livezone.qemu.QemuZoneDriver;
import io.livezone.qemu.RecoveredVm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One host agent process: serves the agent API on the host's address and heartbeats its load to the
 * coordinator. In local cluster mode it runs inside the host's network namespace.
 */
@Command(name = "livezone-agent", mixinStandardHelpOptions = true)
public final class AgentMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

    @Option(names = "--host", required = true)
    String host;

    @Option(names = "--site", required = true)
    String site;

    @Option(names = "--address", required = true, description = "IPv4 address to serve on")
    String address;

    @Option(names = "--port", defaultValue = "7700")
    int port;

    @Option(names = "--coordinator", required = true, description = "coordinator base URL")
    URI coordinator;

    @Option(
            names = "--gateway",
            description = "players' gateway control URL: migrations hold its traffic at switchover")
    URI gateway;

    @Option(names = "--token-file", required = true)
    Path tokenFile;

    @Option(names = "--state", required = true, description = "this host's state folder")
    Path state;

    @Option(names = "--zone-network", required = true)
    String zoneNetwork;

    @Option(names = "--zone-gateway", required = true, description = "e.g. 10.213.3.1/24")
    String zoneGateway;

    @Option(names = "--memory-mib", defaultValue = "4096")
    long memoryMiB;

    @Option(names = "--nic", description = "the host's interface, for NIC counters")
    String nic;

    @Option(names = "--heartbeat-ms", defaultValue = "1000")
    long heartbeatMillis;

    @Option(
            names = "--image-cache",
            description =
                    "this host's site's base image cache; default: <cluster>/sites/<site>/images"
                            + " for a local cluster's host (shared by the hosts of a site), else"
                            + " <state>/base-images")
    Path imageCache;

    @Option(
            names = "--watch-ms",
            defaultValue = "1000",
            description = "how often the zone watch looks at every zone's QEMU")
    long watchMillis;

    @Option(
            names = "--watch-misses",
            defaultValue = "10",
            description =
                    "looks in a row whose QEMU monitor does not answer before a running QEMU is"
                            + " called hung")
    int watchMisses;

    @Mixin ConductorOptions balancing = new ConductorOptions();

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    @SuppressWarnings("try") // the conductor runs on its own; the try only closes it
    public Integer call() throws Exception {
        if (heartbeatMillis < 100) {
            throw new InvalidInputException("--heartbeat-ms must be at least 100");
        }
        if (watchMillis < 100 || watchMisses < 1) {
            throw new InvalidInputException(
                    "--watch-ms must be at least 100 and --watch-misses at least 1");
        }
        String token = Files.readString(tokenFile).strip();
        InetAddress ip = InetAddress.getByName(address);
        Optional<ConductorSettings> conductorSettings = balancing.settings(host, ip);
        ZoneNetwork network = ZoneNetwork.attach(zoneNetwork, Ipv4Interface.parse(zoneGateway));
        GuestImage image = GuestImage.installed();
        QemuZoneDriver driver = new QemuZoneDriver(state, network, AcceleratorProbe.detect(image));
        // Before serving: VMs a previous agent process left mid-migration are settled first.
        List<RecoveredVm> recovered = driver.recoverOrphans();
        LoadSampler sampler = new LoadSampler(driver, memoryMiB << 20, nic);
        String url = "http://" + address + ":" + port;
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (Agent agent =
                        new Agent(
                                host,
                                site,
                                ip,
                                state,
                                driver,
                                image.boot(),
                                new StreamTunnels(),
                                imageCache == null ? defaultImageCache() : imageCache);
                ZoneWatch watch = startWatch(agent, driver, recovered);
                AgentServer server =
                        new AgentServer(
                                new InetSocketAddress(ip, port),
                                token,
                                agent,
                                new AgentJobs(),
                                agent::migrationDeadline)) {
            if (gateway != null) {
                agent.useGateway(new HttpSwitchoverGate(gateway, token));
            }
            // On SIGTERM let the agent close (it stops the NBD servers it runs for remote disks)
            // before the JVM halts.
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        stop.countDown();
                                        try {
                                            closed.await(8, TimeUnit.SECONDS);
                                        } catch (InterruptedException ignored) {
                                            // halting anyway
                                        }
                                    }));
            log.info("agent {} (site {}) serving on {}", host, site, url);
            JsonHttpClient coordinatorApi = new JsonHttpClient(coordinator, token);
            // Sampling runs on its own thread so that a slow sample never delays the heartbeat,
            // which is the host's liveness signal.
            AtomicReference<HostLoad> latest = new AtomicReference<>(sampler.sample());
            Thread.ofVirtual()
                    .name("load-sampler")
                    .start(
                            () -> {
                                while (stop.getCount() > 0) {
                                    try {
                                        latest.set(sampler.sample());
                                        Thread.sleep(heartbeatMillis);
                                    } catch (InterruptedException e) {
                                        return;
                                    } catch (RuntimeException e) {
                                        log.debug("load sample failed: {}", e.getMessage());
                                    }
                                }
                            });
            try (Conductor conductor =
                    conductorSettings
                            .map(s -> startConductor(s, coordinatorApi, latest))
                            .orElse(null)) {
                while (!stop.await(heartbeatMillis, TimeUnit.MILLISECONDS)) {
                    try {
                        coordinatorApi.post(
                                "/v1/agents/heartbeat",
                                new Heartbeat(
                                        host,
                                        site,
                                        url,
                                        System.currentTimeMillis(),
                                        latest.get(),
                                        watch.latest()),
                                Void.class,
                                Duration.ofSeconds(5));
                    } catch (RuntimeException e) {
                        // The coordinator may be restarting; zones keep running meanwhile.
                        log.debug("heartbeat failed: {}", e.getMessage());
                    }
                }
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /**
     * This host's load-balancing conductor: it decides on the agent's own load samples, has the
     * coordinator carry out its moves, and reports its status there.
     */
    private Conductor startConductor(
            ConductorSettings settings,
            JsonHttpClient coordinatorApi,
            AtomicReference<HostLoad> latest) {
        return Conductor.start(
                settings,
                latest::get,
                new CoordinatorZoneMover(coordinatorApi, Duration.ofMinutes(15)),
                status ->
                        coordinatorApi.post(
                                "/v1/agents/" + host + "/conductor",
                                status,
                                Void.class,
                                Duration.ofSeconds(5)));
    }

    /** Watches every zone of the agent (before the agent serves: its zone list relies on it). */
    private ZoneWatch startWatch(
            Agent agent, io.livezone.qemu.ZoneDriver driver, List<RecoveredVm> recovered) {
        ZoneWatch watch =
                new ZoneWatch(
                        host,
                        driver,
                        agent::isMoving,
                        recovered,
                        Duration.ofMillis(watchMillis),
                        ZoneWatch.MONITOR_TIMEOUT,
                        watchMisses);
        agent.useWatch(watch);
        return watch.start();
    }

    /** A local cluster keeps hosts in {@code <cluster>/hosts/<host>}: its sites' caches beside. */
    private Path defaultImageCache() {
        Path dir = state.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        if (parent != null
                && parent.getFileName() != null
                && parent.getFileName().toString().equals("hosts")
                && parent.getParent() != null) {
            return parent.getParent().resolve("sites").resolve(site).resolve("images");
        }
        return dir.resolve("base-images");
    }
}
