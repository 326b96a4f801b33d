package io.livezone.lab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.livezone.agent.AgentMain;
import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.CoordinatorMain;
import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.LiveZoneException;
import io.livezone.core.ZoneStatus;
import io.livezone.core.fault.Failpoints;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.gateway.daemon.ClusterGatewayMain;
import io.livezone.network.HostNetwork;
import io.livezone.network.ZoneNetwork;
import io.livezone.qemu.AcceleratorProbe;
import io.livezone.qemu.GuestImage;
import io.livezone.qemu.LiveZoneHome;
import io.livezone.qemu.QemuZoneDriver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A LiveZone cluster on this one machine: a coordinator process and one agent process per host,
 * each agent in its own network namespace with its own address; zones share one zone network. All
 * of it is described by a state folder ({@code cluster.json}), so {@code cluster down} — or a
 * test's clean-up — removes exactly what {@code cluster up} created, even after a crash.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final Path DEFAULT_ROOT = Path.of("/run/livezone/clusters");
    public static final int COORDINATOR_PORT = 7600;
    public static final int AGENT_PORT = 7700;
    public static final int CONDUCTOR_PORT = 7800;

    /** The players' gateway's control API, on the coordinator's address. */
    public static final int GATEWAY_PORT = 7650;

    /** What {@code cluster.json} records. */
    public record State(
            String name,
            String coordinatorUrl,
            long coordinatorPid,
            String zoneNetwork,
            String zoneGateway,
            Map<String, Long> agentPids,
            Map<String, String> hostAddresses,
            String gatewayUrl,
            long gatewayPid) {
        State withCoordinatorPid(long pid) {
            return new State(
                    name,
                    coordinatorUrl,
                    pid,
                    zoneNetwork,
                    zoneGateway,
                    agentPids,
                    hostAddresses,
                    gatewayUrl,
                    gatewayPid);
        }

        State withAgentPids(Map<String, Long> pids) {
            return new State(
                    name,
                    coordinatorUrl,
                    coordinatorPid,
                    zoneNetwork,
                    zoneGateway,
                    pids,
                    hostAddresses,
                    gatewayUrl,
                    gatewayPid);
        }

        State withGatewayPid(long pid) {
            return new State(
                    name,
                    coordinatorUrl,
                    coordinatorPid,
                    zoneNetwork,
                    zoneGateway,
                    agentPids,
                    hostAddresses,
                    gatewayUrl,
                    pid);
        }
    }

    private final Path dir;
    private final State state;

    private LocalCluster(Path dir, State state) {
        this.dir = dir;
        this.state = state;
    }

    public static Path dirOf(Path root, String name) {
        validateName(name);
        return root.resolve(name);
    }

    /** Starts a cluster; on any failure removes whatever it had started. */
    public static LocalCluster up(Path root, String name, ClusterConfig config, Duration timeout) {
        Path dir = dirOf(root, name);
        if (Files.exists(dir.resolve("cluster.json"))) {
            throw new InvalidInputException(
                    "cluster '"
                            + name
                            + "' is already up (run: livezone cluster down --name "
                            + name
                            + ")");
        }
        if (HostNetwork.exists(name)) {
            throw new InvalidInputException(
                    "a host network for cluster '" + name + "' exists; run cluster down first");
        }
        List<String> hosts = config.hosts().stream().map(ClusterConfig.Host::name).toList();
        Map<String, Long> agentPids = new java.util.LinkedHashMap<>();
        Map<String, String> addresses = new java.util.LinkedHashMap<>();
        String zoneNet = "c" + name;
        State partial = new State(name, null, 0, zoneNet, null, agentPids, addresses, null, 0);
        try {
            Files.createDirectories(databaseDir(dir));
            Path token = dir.resolve("token");
            byte[] secret = new byte[24];
            new SecureRandom().nextBytes(secret);
            Files.writeString(token, HexFormat.of().formatHex(secret));
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve("cluster.yaml"), config.toYaml());
            Files.writeString(dir.resolve("classpath"), ClasspathSnapshot.copy(dir.resolve("lib")));
            writeState(dir, partial);
            HostNetwork hostNet = HostNetwork.create(name, hosts);
            ZoneNetwork zones = ZoneNetwork.create(zoneNet, ZoneNetwork.freeGateway());
            String coordinatorAddress = hostNet.bridgeAddress().addressText();
            String url = "http://" + coordinatorAddress + ":" + COORDINATOR_PORT;
            String gatewayUrl = "http://" + coordinatorAddress + ":" + GATEWAY_PORT;
            partial =
                    new State(
                            name,
                            url,
                            0,
                            zoneNet,
                            zones.gateway().toString(),
                            agentPids,
                            addresses,
                            gatewayUrl,
                            0);
            writeState(dir, partial);
            partial =
                    partial.withCoordinatorPid(
                            spawnCoordinator(dir, coordinatorAddress, zones.gateway().toString()));
            writeState(dir, partial);
            partial = partial.withGatewayPid(spawnGateway(dir, coordinatorAddress, url));
            writeState(dir, partial);
            List<String> conductorArgs = conductorArgs(config, hostNet);
            for (ClusterConfig.Site site : config.sites()) {
                for (ClusterConfig.Host h : site.hosts()) {
                    Ipv4Interface address = hostNet.address(h.name());
                    hostNet.limitNic(h.name(), h.nicBytesPerSec());
                    addresses.put(h.name(), address.addressText());
                    Path hostDir = dir.resolve("hosts").resolve(h.name());
                    Files.createDirectories(hostDir);
                    List<String> args =
                            new ArrayList<>(
                                    List.of(
                                            "--host",
                                            h.name(),
                                            "--site",
                                            site.name(),
                                            "--address",
                                            address.addressText(),
                                            "--port",
                                            String.valueOf(AGENT_PORT),
                                            "--coordinator",
                                            url,
                                            "--token-file",
                                            token.toString(),
                                            "--state",
                                            hostDir.toString(),
                                            "--zone-network",
                                            zoneNet,
                                            "--zone-gateway",
                                            zones.gateway().toString(),
                                            "--memory-mib",
                                            String.valueOf(h.memoryBytes() >> 20),
                                            "--nic",
                                            "eth0",
                                            "--gateway",
                                            gatewayUrl));
                    if (config.balancingHosts().contains(h.name())) {
                        args.addAll(conductorArgs);
                    }
                    // Kept so that a killed agent can be started again the same way.
                    JSON.writeValue(
                            hostDir.resolve("agent.json").toFile(),
                            new AgentCommand(hostNet.execPrefix(h.name()), args));
                    agentPids.put(h.name(), spawnAgent(dir, h.name()));
                    writeState(dir, partial);
                }
            }
            LocalCluster cluster = new LocalCluster(dir, partial);
            cluster.awaitHostsUp(hosts.size(), timeout);
            return cluster;
        } catch (IOException | RuntimeException e) {
            try {
                down(root, name);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            if (e instanceof LiveZoneException lz) {
                throw lz;
            }
            throw new EnvironmentException("cluster up failed: " + e.getMessage(), e);
        }
    }

    /** The running cluster named {@code name}. */
    public static LocalCluster open(Path root, String name) {
        Path dir = dirOf(root, name);
        Path file = dir.resolve("cluster.json");
        if (!Files.exists(file)) {
            throw new InvalidInputException(
                    "cluster '" + name + "' is not up (start it with: livezone cluster up)");
        }
        try {
            return new LocalCluster(dir, JSON.readValue(file.toFile(), State.class));
        } catch (IOException e) {
            throw new EnvironmentException(
                    "corrupt cluster state " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes everything the cluster created: agents and coordinator, every zone VM, namespaces,
     * bridges and the state folder. Works on partial state; idempotent.
     */
    public static void down(Path root, String name) {
        Path dir = dirOf(root, name);
        Optional<State> state = Optional.empty();
        try {
            if (Files.exists(dir.resolve("cluster.json"))) {
                state =
                        Optional.of(
                                JSON.readValue(dir.resolve("cluster.json").toFile(), State.class));
            }
        } catch (IOException e) {
            log.warn("cluster state unreadable, cleaning by name: {}", e.getMessage());
        }
        state.ifPresent(s -> s.agentPids().values().forEach(LocalCluster::terminate));
        state.ifPresent(s -> terminate(s.coordinatorPid()));
        state.ifPresent(s -> terminate(s.gatewayPid()));
        // A daemon started after the state was read (a restart racing this clean-up) runs from
        // the cluster's own classpath copy: it is found by that and ended too.
        String mark = dir.toAbsolutePath().resolve("lib").toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(mark))
                .forEach(p -> terminate(p.pid()));
        String zoneNet = state.map(State::zoneNetwork).orElse("c" + name);
        Optional<ZoneNetwork> zones = ZoneNetwork.find(zoneNet);
        Path hostsDir = dir.resolve("hosts");
        if (zones.isPresent() && Files.isDirectory(hostsDir)) {
            try (var hostDirs = Files.list(hostsDir)) {
                for (Path h : hostDirs.toList()) {
                    QemuZoneDriver driver =
                            new QemuZoneDriver(
                                    h,
                                    zones.get(),
                                    AcceleratorProbe.detect(GuestImage.installed()));
                    for (String zone : driver.zoneNames()) {
                        try {
                            driver.stop(zone);
                        } catch (RuntimeException e) {
                            log.warn("could not stop zone {}: {}", zone, e.getMessage());
                        }
                    }
                }
            } catch (IOException e) {
                log.warn("cannot list {}: {}", hostsDir, e.getMessage());
            }
        }
        zones.ifPresent(ZoneNetwork::destroy);
        HostNetwork.destroy(name);
        unmountAllUnder(dir); // e.g. the small disks of a fault run, left by a crash
        deleteTree(dir);
    }

    private static void unmountAllUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        try {
            List<String> mounted =
                    FaultControl.mountPoints(0).stream()
                            .filter(m -> m.startsWith(prefix))
                            .sorted(java.util.Comparator.reverseOrder())
                            .toList();
            for (String m : mounted) {
                FaultControl.unmount(0, Path.of(m));
            }
        } catch (RuntimeException e) {
            log.warn("cannot unmount what is mounted under {}: {}", dir, e.getMessage());
        }
    }

    /** The coordinator's database folder in a cluster's folder. */
    public static Path databaseDir(Path clusterDir) {
        return clusterDir.resolve("db");
    }

    public Path dir() {
        return dir;
    }

    public State state() {
        return state;
    }

    public String token() {
        try {
            return Files.readString(dir.resolve("token")).strip();
        } catch (IOException e) {
            throw new EnvironmentException("cannot read the cluster token: " + e.getMessage(), e);
        }
    }

    public JsonHttpClient api() {
        return new JsonHttpClient(URI.create(state.coordinatorUrl()), token());
    }

    /** The players' gateway's control API (zones' endpoints, holds, RTT reports). */
    public JsonHttpClient gatewayApi() {
        if (state.gatewayUrl() == null) {
            throw new InvalidInputException("cluster '" + state.name() + "' runs no gateway");
        }
        return new JsonHttpClient(URI.create(state.gatewayUrl()), token());
    }

    /**
     * The gateway's view of {@code zone} ({@code GET /v1/zones/{zone}}: endpoint, port, site...),
     * once the gateway serves it; it follows the registry a moment after a zone appears, and a
     * (re)starting gateway does not answer yet.
     */
    public JsonNode awaitGatewayServes(String zone, Duration timeout) throws InterruptedException {
        JsonHttpClient gateway = gatewayApi();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return gateway.get("/v1/zones/" + zone, JsonNode.class);
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new EnvironmentException(
                            "the players' gateway does not serve zone "
                                    + zone
                                    + ": "
                                    + e.getMessage(),
                            e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** A QEMU driver view of one host's zones (for tests and clean-up; agents own them). */
    public QemuZoneDriver driverOf(String host) {
        ZoneNetwork zones = ZoneNetwork.find(state.zoneNetwork()).orElseThrow();
        return new QemuZoneDriver(
                dir.resolve("hosts").resolve(host),
                zones,
                AcceleratorProbe.detect(GuestImage.installed()));
    }

    /** Zone statuses per host as the agents' drivers see them on disk. */
    public Map<String, List<ZoneStatus>> zonesByHost() {
        Map<String, List<ZoneStatus>> out = new java.util.TreeMap<>();
        for (String h : state.hostAddresses().keySet()) {
            out.put(h, driverOf(h).list());
        }
        return out;
    }

    /** Kills a host's agent process (tests: an agent that dies). */
    public void killAgent(String host) {
        Long pid = state.agentPids().get(host);
        if (pid != null) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Kills a host's agent (SIGKILL, as in a crash; its zones' QEMU processes live on) and starts
     * it again with the same options; returns the cluster with the new pid recorded, once the
     * coordinator sees the host up.
     */
    public LocalCluster restartAgent(String host) {
        Long old = state.agentPids().get(host);
        if (old == null) {
            throw new InvalidInputException("cluster '" + state.name() + "' has no host " + host);
        }
        crash(old);
        try {
            Map<String, Long> pids = new java.util.LinkedHashMap<>(state.agentPids());
            pids.put(host, spawnAgent(dir, host));
            State next = state.withAgentPids(pids);
            writeState(dir, next);
            LocalCluster restarted = new LocalCluster(dir, next);
            restarted.awaitHostsUp(pids.size(), Duration.ofSeconds(60));
            return restarted;
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot restart agent " + host + ": " + e.getMessage(), e);
        }
    }

    /** How a host's agent is started: its namespace prefix and its options. */
    record AgentCommand(List<String> prefix, List<String> args) {}

    private static long spawnAgent(Path dir, String host) throws IOException {
        Path hostDir = dir.resolve("hosts").resolve(host);
        AgentCommand c = JSON.readValue(hostDir.resolve("agent.json").toFile(), AgentCommand.class);
        return spawn(
                dir,
                c.prefix(),
                AgentMain.class.getName(),
                hostDir.resolve("agent.log"),
                c.args().toArray(String[]::new));
    }

    /** Kills the coordinator (SIGKILL, as in a crash); {@link #restartCoordinator} starts it. */
    public void killCoordinator() {
        crash(state.coordinatorPid());
    }

    /** Kills the players' gateway (SIGKILL, as in a crash); its endpoints close with it. */
    public void killGateway() {
        crash(state.gatewayPid());
    }

    /** SIGKILL, and wait until the process is gone. */
    private static void crash(long pid) {
        ProcessHandle.of(pid)
                .ifPresent(
                        h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
    }

    /**
     * Starts the players' gateway again (after {@link #killGateway}); it gives every zone the port
     * it had. Returns the cluster with the new pid recorded.
     */
    public LocalCluster restartGateway() {
        killGateway();
        try {
            String address = URI.create(state.gatewayUrl()).getHost();
            State next = state.withGatewayPid(spawnGateway(dir, address, state.coordinatorUrl()));
            writeState(dir, next);
            return new LocalCluster(dir, next);
        } catch (IOException e) {
            throw new EnvironmentException("cannot restart the gateway: " + e.getMessage(), e);
        }
    }

    /**
     * Kills the coordinator (SIGKILL: no chance to tidy up, as in a crash) and starts a new one on
     * the same database; returns the cluster with the new pid recorded.
     */
    public LocalCluster restartCoordinator() {
        crash(state.coordinatorPid());
        try {
            String address = URI.create(state.coordinatorUrl()).getHost();
            State next =
                    state.withCoordinatorPid(spawnCoordinator(dir, address, state.zoneGateway()));
            writeState(dir, next);
            LocalCluster restarted = new LocalCluster(dir, next);
            restarted.awaitHostsUp(state.agentPids().size(), Duration.ofSeconds(60));
            return restarted;
        } catch (IOException e) {
            throw new EnvironmentException("cannot restart the coordinator: " + e.getMessage(), e);
        }
    }

    /**
     * The agent options of a cluster's load-balancing conductors: every balancing host's address
     * (TCPPING's initial hosts, on the host network's bridge) and the policy's values.
     */
    private static List<String> conductorArgs(ClusterConfig config, HostNetwork hostNet) {
        ClusterConfig.Balancing b = config.balancing();
        if (b == null) {
            return List.of();
        }
        List<String> peers = new ArrayList<>();
        for (String h : config.balancingHosts()) {
            peers.add(hostNet.address(h).addressText() + ":" + CONDUCTOR_PORT);
        }
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--conductor-peers", String.join(",", peers)));
        args.addAll(List.of("--conductor-port", String.valueOf(CONDUCTOR_PORT)));
        if (b.enabled()) {
            args.add("--balance");
        }
        var lb = b.loadBalancerConfig();
        args.addAll(List.of("--balance-critical-pct", String.valueOf(lb.criticalLoadPct())));
        args.addAll(List.of("--balance-delta-pct", String.valueOf(lb.deltaPct())));
        args.addAll(List.of("--balance-calm-down-ms", String.valueOf(lb.calmDown().toMillis())));
        args.addAll(
                List.of(
                        "--balance-report-max-age-ms",
                        String.valueOf(lb.reportMaxAge().toMillis())));
        args.addAll(
                List.of(
                        "--balance-reservation-timeout-ms",
                        String.valueOf(lb.reservationTimeout().toMillis())));
        args.addAll(
                List.of(
                        "--balance-period-ms",
                        String.valueOf(b.reportPeriodDuration().toMillis())));
        return args;
    }

    private static long spawnGateway(Path dir, String address, String coordinatorUrl)
            throws IOException {
        return spawn(
                dir,
                List.of(),
                ClusterGatewayMain.class.getName(),
                dir.resolve("gateway.log"),
                "--address",
                address,
                "--port",
                String.valueOf(GATEWAY_PORT),
                "--coordinator",
                coordinatorUrl,
                "--token-file",
                dir.resolve("token").toString(),
                "--ports-file",
                dir.resolve("gateway-ports.json").toString(),
                "--config",
                dir.resolve("cluster.yaml").toString());
    }

    private static long spawnCoordinator(Path dir, String address, String zoneGateway)
            throws IOException {
        return spawn(
                dir,
                List.of(),
                CoordinatorMain.class.getName(),
                dir.resolve("coordinator.log"),
                "--address",
                address,
                "--port",
                String.valueOf(COORDINATOR_PORT),
                "--token-file",
                dir.resolve("token").toString(),
                "--db",
                databaseDir(dir).resolve("coordinator").toString(),
                "--config",
                dir.resolve("cluster.yaml").toString(),
                "--zone-gateway",
                zoneGateway);
    }

    @Override
    public void close() {
        down(dir.getParent(), state.name());
    }

    private void awaitHostsUp(int count, Duration timeout) {
        JsonHttpClient api = api();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                var hosts = api.get("/v1/hosts", com.fasterxml.jackson.databind.JsonNode.class);
                long up = 0;
                for (var h : hosts) {
                    if (h.path("state").asText().equals("UP")) {
                        up++;
                    }
                }
                if (up == count) {
                    return;
                }
                last = up + " of " + count + " hosts up";
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            checkAlive();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EnvironmentException("interrupted while starting the cluster");
            }
        }
        throw new EnvironmentException(
                "cluster did not come up within "
                        + timeout.toSeconds()
                        + " s ("
                        + last
                        + "); see "
                        + dir
                        + "/*.log");
    }

    private void checkAlive() {
        if (ProcessHandle.of(state.coordinatorPid()).map(ProcessHandle::isAlive).orElse(false)
                == false) {
            throw new EnvironmentException(
                    "the coordinator exited: " + tail(dir.resolve("coordinator.log")));
        }
        if (state.gatewayPid() != 0
                && !ProcessHandle.of(state.gatewayPid())
                        .map(ProcessHandle::isAlive)
                        .orElse(false)) {
            throw new EnvironmentException(
                    "the players' gateway exited: " + tail(dir.resolve("gateway.log")));
        }
        for (var e : state.agentPids().entrySet()) {
            if (!ProcessHandle.of(e.getValue()).map(ProcessHandle::isAlive).orElse(false)) {
                throw new EnvironmentException(
                        "the agent of host "
                                + e.getKey()
                                + " exited: "
                                + tail(
                                        dir.resolve("hosts")
                                                .resolve(e.getKey())
                                                .resolve("agent.log")));
            }
        }
    }

    static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 1500 ? s.substring(s.length() - 1500) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Starts a Java main class of LiveZone as a detached process; returns its pid. */
    static long spawn(
            Path clusterDir, List<String> prefix, String mainClass, Path logFile, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dlivezone.home=" + LiveZoneHome.path());
        // A lab cluster's processes can be held at a move's named steps (fault injection).
        cmd.add("-D" + Failpoints.PROPERTY + "=" + clusterDir.resolve(FaultControl.FOLDER));
        cmd.add("-Dlogback.configurationFile=logback-daemon.xml");
        cmd.add("-cp");
        cmd.add(Files.readString(clusterDir.resolve("classpath")));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
        // With a prefix (ip netns exec) the pid is that of ip, which execs setsid, which execs java
        // when it is not a group leader: the pid stays the JVM's.
        return p.pid();
    }

    private static void terminate(long pid) {
        if (pid <= 0) {
            return;
        }
        ProcessHandle.of(pid)
                .ifPresent(
                        h -> {
                            h.destroy();
                            try {
                                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (Exception e) {
                                h.destroyForcibly();
                            }
                        });
    }

    private static void writeState(Path dir, State s) throws IOException {
        Path tmp = dir.resolve("cluster.json.tmp");
        JSON.writeValue(tmp.toFile(), s);
        Files.move(
                tmp,
                dir.resolve("cluster.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }

    private static void validateName(String name) {
        if (name == null || !name.matches("[a-z][a-z0-9]{0,7}")) {
            throw new InvalidInputException(
                    "cluster name '" + name + "' must be 1-8 lower-case letters or digits");
        }
    }
}
