package io.livezone.gateway;

import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.gateway.latency.ClientRegions;
import io.livezone.gateway.latency.LatencyMonitor;
import io.livezone.gateway.latency.Qos;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Stable player-facing endpoints for zones that move. Each zone gets one gateway address (UDP and
 * TCP on the same port); the gateway forwards to wherever the control plane says the zone runs now,
 * holds the zone's inbound traffic across a migration's switchover, emulates client-region delays,
 * and counts everything. See the package documentation for the pipeline and for what survives a
 * move or a gateway restart.
 *
 * <p>All methods are thread-safe; they run their work on the gateway's event loop and wait for it
 * (microseconds), so {@link #hold} is in force when it returns.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final int BIND_ATTEMPTS = 20;
    private static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private final GatewayConfig config;
    private final EventLoop loop;
    private final PrometheusMeterRegistry registry;
    private final LatencyMonitor latency;
    private final ClientRegions regions;
    private final Pipelines pipelines;

    /** Loop-owned receive buffer: every packet borrows it until a stage detaches it. */
    private final ByteBuffer ioBuffer = ByteBuffer.allocateDirect(64 * 1024);

    /** Event loop only. */
    private final Map<String, ZoneRoute> zones = new HashMap<>();

    private Gateway(GatewayConfig config, PrometheusMeterRegistry registry) throws IOException {
        this.config = config;
        this.registry = registry;
        this.latency = new LatencyMonitor(config.qos(), registry);
        this.regions = new ClientRegions(config.regionOf());
        this.loop = new EventLoop("livezone-gateway");
        this.pipelines = new Pipelines(loop, config, this::openSession);
        loop.execute(this::scheduleIdleSweep);
    }

    /** Starts a gateway with its own Prometheus registry (see {@link #meterRegistry()}). */
    public static Gateway start(GatewayConfig config) throws IOException {
        return start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Starts a gateway whose meters go to {@code registry}. */
    public static Gateway start(GatewayConfig config, PrometheusMeterRegistry registry)
            throws IOException {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(registry, "registry is null");
        return new Gateway(config, registry);
    }

    public GatewayConfig config() {
        return config;
    }

    /** The registry holding the gateway's meters; scrape it or serve it with a MetricsEndpoint. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** RTT samples and QoS; {@link #recordRtt} is a shortcut. */
    public LatencyMonitor latency() {
        return latency;
    }

    /** Opens the zone's stable endpoint on a free port (UDP and TCP share it). */
    public ZoneEndpoint addZone(String zone, ZoneLocation location) {
        return addZone(zone, location, 0);
    }

    /**
     * Opens the zone's stable endpoint on {@code port} (0: a free one, the same for UDP and TCP)
     * and routes it to {@code location}.
     *
     * @throws ZoneAlreadyExistsException when the gateway already serves the zone
     * @throws GatewayException when the port cannot be bound
     */
    public ZoneEndpoint addZone(String zone, ZoneLocation location, int port) {
        return addZone(zone, location, port, EndpointProtocol.LIVEZONE);
    }

    /**
     * Like {@link #addZone(String, ZoneLocation, int)}, for an endpoint whose traffic is {@code
     * protocol}'s (a zone image's service port: {@link EndpointProtocol#OPAQUE}).
     */
    public ZoneEndpoint addZone(
            String zone, ZoneLocation location, int port, EndpointProtocol protocol) {
        checkZoneName(zone);
        Objects.requireNonNull(location, "location is null");
        Objects.requireNonNull(protocol, "protocol is null");
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("port must be 0..65535, got " + port);
        }
        return loop.call(() -> openZone(zone, location, port, protocol));
    }

    /**
     * What the zone's clients lived through at its latest switchovers (at most 16, oldest first);
     * the newest keeps counting flows that have not spoken since its release.
     */
    public List<SwitchoverContinuity> continuity(String zone) {
        return loop.call(
                () -> route(zone).switchovers.stream().map(ContinuityMeter::snapshot).toList());
    }

    /** The zone's stable endpoint, if the gateway serves the zone. */
    public Optional<ZoneEndpoint> endpoint(String zone) {
        return loop.call(() -> Optional.ofNullable(zones.get(zone)).map(Gateway::endpointOf));
    }

    /** Where the gateway sends the zone's traffic now; empty when withdrawn or unknown. */
    public Optional<ZoneLocation> location(String zone) {
        return loop.call(() -> Optional.ofNullable(zones.get(zone)).map(ZoneRoute::location));
    }

    /**
     * Sends the zone's traffic to {@code location} from now on. UDP sessions follow at once; TCP
     * connections already open keep their upstream connection (a migrated VM keeps its address and
     * TCP state), so only new connections go to a changed TCP address.
     */
    public void retarget(String zone, ZoneLocation location) {
        Objects.requireNonNull(location, "location is null");
        loop.call(
                () -> {
                    route(zone).retarget(location);
                    return null;
                });
    }

    /**
     * The zone has no location for now (stopped, hibernated): its endpoint stays bound, and its
     * traffic is counted as unknown-zone traffic and dropped (new TCP clients are refused).
     */
    public void withdraw(String zone) {
        loop.call(
                () -> {
                    ZoneRoute route = route(zone);
                    if (route.isHeld()) {
                        throw new GatewayException(
                                "zone " + zone + " is held for a switchover; release it first");
                    }
                    route.retarget(null);
                    return null;
                });
    }

    /** Closes the zone's endpoint, sessions and connections, and removes its meters. */
    public void removeZone(String zone) {
        loop.call(
                () -> {
                    closeZone(route(zone));
                    zones.remove(zone);
                    return null;
                });
    }

    /**
     * Starts holding the zone's inbound traffic (client datagrams, client stream bytes, new TCP
     * clients' upstream connects), in order, until {@link #release}. Call it when the zone's source
     * has stopped (QEMU's pause-before-switchover; see {@link GatewaySwitchover}).
     *
     * @throws GatewayException when the zone is already held or has no location
     */
    public HoldHandle hold(String zone) {
        return loop.call(() -> startHold(route(zone)));
    }

    /**
     * Points the zone at {@code location} and forwards everything held, in order, before any newer
     * traffic; then traffic passes as before. After a successful migration {@code location} is the
     * destination; after an aborted one (see {@link HoldHandle#abortRequired()}) it is the source's
     * location again. Without a hold in force this is a plain {@link #retarget}.
     */
    public void release(String zone, ZoneLocation location) {
        Objects.requireNonNull(location, "location is null");
        loop.call(
                () -> {
                    endHold(route(zone), location);
                    return null;
                });
    }

    /** Puts the client at exactly this address (ip and port) in {@code region}, e.g. at JOIN. */
    public void assignRegion(InetSocketAddress client, String region) {
        regions.assign(client, region);
        loop.execute(this::refreshRegions);
    }

    /** Puts every client of this host without an exact assignment in {@code region}. */
    public void assignRegion(InetAddress host, String region) {
        regions.assign(host, region);
        loop.execute(this::refreshRegions);
    }

    /** The region the gateway applies to a client at this address. */
    public String regionOf(InetSocketAddress client) {
        return regions.regionOf(client);
    }

    /** Records an application-level RTT sample of a client playing in {@code zone}. */
    public void recordRtt(String zone, String client, Duration rtt) {
        latency.record(zone, client, rtt);
    }

    /** QoS of the zone's clients (share with RTT under the configured threshold). */
    public Qos qos(String zone) {
        return latency.qos(zone);
    }

    /** The zone's counters now. */
    public ZoneTraffic traffic(String zone) {
        return loop.call(() -> route(zone).counters.snapshot());
    }

    /** Zones served, in no particular order. */
    public List<String> zones() {
        return loop.call(() -> List.copyOf(zones.keySet()));
    }

    /** CPU time the event loop thread has used (benchmarks); -1 when the JVM cannot tell. */
    long loopCpuNanos() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(loop.thread().threadId());
    }

    /**
     * Closes every endpoint and connection and stops the loop. TCP connections through the gateway
     * are reset (their clients must reconnect); UDP clients just keep sending, and a new gateway on
     * the same endpoints picks them up with fresh sessions.
     */
    @Override
    public void close() {
        try {
            loop.call(
                    () -> {
                        new ArrayList<>(zones.values()).forEach(this::closeZone);
                        zones.clear();
                        return null;
                    });
        } catch (GatewayException e) {
            log.debug("gateway already closed", e);
        }
        loop.close();
    }

    // Everything below runs on the event loop.

    private ZoneRoute route(String zone) {
        ZoneRoute route = zones.get(zone);
        if (route == null) {
            throw new ZoneNotFoundException(zone);
        }
        return route;
    }

    private ZoneEndpoint openZone(
            String zone, ZoneLocation location, int port, EndpointProtocol protocol)
            throws IOException {
        if (zones.containsKey(zone)) {
            throw new ZoneAlreadyExistsException(zone);
        }
        ZoneRoute route = new ZoneRoute(zone, protocol, location, new ZoneCounters(registry, zone));
        if (!config.switchoverReplay().isZero()) {
            route.recent =
                    new RecentDatagrams(
                            config.switchoverReplay().toNanos(),
                            config.maxHeldPackets() / 2,
                            config.maxHeldBytes() / 2);
        }
        ServerSocketChannel tcp = null;
        DatagramChannel udp = null;
        try {
            for (int attempt = 1; udp == null; attempt++) {
                tcp = ServerSocketChannel.open();
                tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                tcp.bind(new InetSocketAddress(config.bindAddress(), port), 1024);
                int bound = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
                DatagramChannel candidate = DatagramChannel.open(family(config.bindAddress()));
                try {
                    candidate.bind(new InetSocketAddress(config.bindAddress(), bound));
                    udp = candidate;
                } catch (BindException e) {
                    candidate.close();
                    tcp.close();
                    if (port != 0 || attempt == BIND_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            udp.configureBlocking(false);
            udp.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            udp.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            tcp.configureBlocking(false);
            route.udpPort = ((InetSocketAddress) udp.getLocalAddress()).getPort();
            route.udp =
                    new UdpEndpoint(
                            route,
                            udp,
                            ioBuffer,
                            config.maxDatagramBytes(),
                            pipelines.clientDatagrams);
            route.tcp = new TcpAcceptor(route, tcp, this::accepted);
            udp.register(loop.selector(), SelectionKey.OP_READ, route.udp);
            tcp.register(loop.selector(), SelectionKey.OP_ACCEPT, route.tcp);
        } catch (IOException e) {
            closeQuietly(udp);
            closeQuietly(tcp);
            route.counters.unregister();
            throw new GatewayException(
                    "cannot open the endpoint of zone "
                            + zone
                            + " on "
                            + config.bindAddress().getHostAddress()
                            + ":"
                            + port
                            + ": "
                            + e.getMessage()
                            + (port != 0 ? " (choose another port, or 0 for any free one)" : ""),
                    e);
        }
        zones.put(zone, route);
        ZoneEndpoint endpoint = endpointOf(route);
        log.info("zone {}: endpoint {} -> {}", zone, endpoint.udp(), location);
        return endpoint;
    }

    private static ZoneEndpoint endpointOf(ZoneRoute route) {
        try {
            return new ZoneEndpoint(
                    route.name,
                    (InetSocketAddress) route.udp.channel.getLocalAddress(),
                    (InetSocketAddress) route.tcp.channel.getLocalAddress());
        } catch (IOException e) {
            throw new GatewayException("zone " + route.name + ": endpoint is closed", e);
        }
    }

    private UdpSession openSession(ZoneRoute zone, InetSocketAddress client) throws IOException {
        DatagramChannel upstream = DatagramChannel.open(family(config.upstreamBindAddress()));
        try {
            upstream.bind(new InetSocketAddress(config.upstreamBindAddress(), 0));
            upstream.configureBlocking(false);
            UdpSession session =
                    new UdpSession(
                            zone,
                            client,
                            regions.regionOf(client),
                            upstream,
                            ioBuffer,
                            pipelines.toClient);
            session.key(upstream.register(loop.selector(), SelectionKey.OP_READ, session));
            return session;
        } catch (IOException | RuntimeException e) {
            upstream.close();
            throw e;
        }
    }

    private void accepted(ZoneRoute zone, SocketChannel client) {
        ZoneLocation location = zone.location();
        InetSocketAddress address;
        try {
            address = (InetSocketAddress) client.getRemoteAddress();
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        if (location == null) {
            zone.counters.unknownZoneTcp.increment();
            closeQuietly(client);
            return;
        }
        TcpConnection connection =
                new TcpConnection(
                        zone,
                        regions.regionOf(address),
                        client,
                        address,
                        loop.selector(),
                        ioBuffer,
                        config.tcpBufferBytes(),
                        pipelines.clientStream,
                        pipelines.streamToClient);
        if (config.rewriteWelcomeUdpPort() && zone.protocol == EndpointProtocol.LIVEZONE) {
            connection.welcomeScan = new WelcomeRewriter.LineScan();
        }
        try {
            connection.start();
        } catch (IOException e) {
            log.debug("zone {}: cannot start a TCP connection: {}", zone.name, e.toString());
            closeQuietly(client);
            return;
        }
        zone.connections.add(connection);
        zone.counters.tcpConnections.incrementAndGet();
        if (zone.isHeld()) {
            zone.awaitingUpstream.add(connection);
        } else {
            connection.connect(location.tcp());
        }
    }

    private HoldHandle startHold(ZoneRoute route) {
        if (route.isHeld()) {
            throw new GatewayException(
                    "zone " + route.name + " is already held; release it before holding again");
        }
        if (route.location() == null) {
            throw new GatewayException(
                    "zone " + route.name + " has no location (withdrawn); nothing to hold");
        }
        long now = System.nanoTime();
        HoldHandle handle = new HoldHandle(route.name, now);
        ZoneHold hold =
                new ZoneHold(
                        handle, config.maxHeldPackets(), config.maxHeldBytes(), route.counters);
        hold.expiry(
                loop.schedule(
                        now + config.maxHold().toNanos(),
                        () -> {
                            if (!handle.isReleased()) {
                                log.warn(
                                        "zone {}: hold longer than {} ms; asking to abort",
                                        route.name,
                                        config.maxHold().toMillis());
                                handle.report(HoldProblem.EXPIRED);
                            }
                        }));
        if (route.recent != null) {
            hold.addReplays(route.recent.takeRecent(now));
        }
        route.hold(hold);
        route.holdBeganMillis = System.currentTimeMillis();
        List<Flow> flows = route.flows();
        route.flowsAtHold = flows.size();
        flows.forEach(f -> f.holdBegan(now));
        log.debug("zone {}: holding inbound traffic", route.name);
        return handle;
    }

    private void endHold(ZoneRoute route, ZoneLocation location) {
        route.retarget(location);
        ZoneHold hold = route.hold();
        if (hold == null) {
            return;
        }
        route.hold(null);
        long now = System.nanoTime();
        // Before anything held goes out: its first packets end the flows' silences.
        List<Flow> flows = route.flows();
        ContinuityMeter switchover =
                new ContinuityMeter(
                        hold.handle, route.holdBeganMillis, location.site(), route.flowsAtHold);
        flows.forEach(f -> f.holdEnded(switchover, now));
        if (route.switchovers.size() == ZoneRoute.SWITCHOVERS_KEPT) {
            route.switchovers.removeFirst();
        }
        route.switchovers.addLast(switchover);
        List<Packet> held = hold.drain(now);
        List<TcpConnection> awaiting = List.copyOf(route.awaitingUpstream);
        route.awaitingUpstream.clear();
        for (TcpConnection connection : awaiting) {
            connection.connect(location.tcp());
        }
        for (Packet packet : held) {
            pipelines.released.accept(packet);
        }
        for (TcpConnection connection : List.copyOf(route.connections)) {
            connection.updateInterest();
        }
        route.counters.holdEnded(hold.handle, hold.handle.duration());
        log.debug("zone {}: released {} held packets to {}", route.name, held.size(), location);
    }

    private void closeZone(ZoneRoute route) {
        ZoneHold hold = route.hold();
        if (hold != null) {
            route.hold(null);
            long lost = hold.drain(System.nanoTime()).stream().filter(p -> !p.replay).count();
            route.counters.dropped(ZoneCounters.DropReason.FLOW_CLOSED).increment(lost);
        }
        route.udp.close();
        route.tcp.close();
        List.copyOf(route.sessions.values()).forEach(UdpSession::close);
        List.copyOf(route.connections).forEach(TcpConnection::abort);
        route.counters.unregister();
    }

    private void refreshRegions() {
        for (ZoneRoute route : zones.values()) {
            for (UdpSession session : route.sessions.values()) {
                session.region(regions.regionOf(session.clientAddress()));
            }
            for (TcpConnection connection : route.connections) {
                connection.region(regions.regionOf(connection.clientAddress()));
            }
        }
    }

    private void scheduleIdleSweep() {
        Duration idle = config.udpSessionIdleTimeout();
        long period = Math.max(Duration.ofSeconds(1).toNanos(), idle.toNanos() / 4);
        loop.schedule(
                System.nanoTime() + period,
                () -> {
                    closeIdleSessions(idle.toNanos());
                    scheduleIdleSweep();
                });
    }

    private void closeIdleSessions(long idleNanos) {
        long now = System.nanoTime();
        for (ZoneRoute route : zones.values()) {
            if (route.isHeld()) {
                continue;
            }
            for (UdpSession session : List.copyOf(route.sessions.values())) {
                if (now - session.lastActiveNanos() > idleNanos
                        && session.delayedPackets(Direction.TO_ZONE) == 0
                        && session.delayedPackets(Direction.TO_CLIENT) == 0) {
                    session.close();
                }
            }
        }
    }

    private static ProtocolFamily family(InetAddress address) {
        return address instanceof Inet4Address
                ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
    }

    private static void checkZoneName(String zone) {
        Objects.requireNonNull(zone, "zone is null");
        if (zone.isBlank()) {
            throw new InvalidInputException("zone name is blank");
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a channel failed", e);
        }
    }
}
