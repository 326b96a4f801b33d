package io.livezone.dve.server;

import io.livezone.dve.protocol.StateUpdate;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A running zone: TCP control listener, UDP gameplay socket and the authoritative tick loop. Usable
 * in-process (tests, local experiments); {@link ZoneServerMain} wraps it for the guest.
 */
public final class ZoneServer implements AutoCloseable {
    public static final String READY_PREFIX = "LIVEZONE-ZONE-READY";

    /** Bounded catch-up: at most this many ticks per wakeup before re-anchoring the schedule. */
    static final int MAX_CATCH_UP_TICKS = 10;

    private static final System.Logger LOG = System.getLogger(ZoneServer.class.getName());

    private final ZoneServerOptions options;
    private final ServerSocket tcp;
    private final DatagramChannel udp;
    private final SessionTable sessions = new SessionTable();
    private final ZoneTelemetry telemetry = new ZoneTelemetry();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final World world;
    private final TickLoop tickLoop;
    private final GameplayChannel gameplay;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Thread tickThread;
    private final Thread udpThread;
    private final Thread acceptThread;
    private final Thread.Builder controlThreads = Thread.ofVirtual().name("zone-control-", 1);
    private volatile boolean running = true;
    private volatile long currentTick;
    private volatile long catchUpTicks;
    private volatile long reanchors;

    private ZoneServer(ZoneServerOptions options, ServerSocket tcp, DatagramChannel udp) {
        this.options = options;
        this.tcp = tcp;
        this.udp = udp;
        this.world =
                new World(
                        options.zone().hashCode(),
                        options.tickHz(),
                        StateDigest.genesis(options.zone()));
        this.tickLoop =
                new TickLoop(
                        TickLoop.periodForHz(options.tickHz()),
                        MAX_CATCH_UP_TICKS,
                        NanoClock.SYSTEM,
                        this::tick);
        this.gameplay = new GameplayChannel(udp, sessions, telemetry, () -> currentTick);
        this.tickThread = Thread.ofPlatform().daemon().name("zone-tick").unstarted(this::tickLoop);
        this.udpThread =
                Thread.ofPlatform().daemon().name("zone-udp").unstarted(gameplay::receiveLoop);
        this.acceptThread =
                Thread.ofPlatform().daemon().name("zone-accept").unstarted(this::acceptLoop);
    }

    /** Binds both sockets and starts serving; when this returns, both are listening. */
    public static ZoneServer start(ZoneServerOptions options) throws IOException {
        ServerSocket tcp = new ServerSocket();
        DatagramChannel udp = null;
        try {
            tcp.setReuseAddress(true);
            // Large backlog: a swarm of bots joins all at once.
            tcp.bind(new InetSocketAddress(options.bind(), options.tcpPort()), 1024);
            udp = DatagramChannel.open();
            udp.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            udp.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            udp.bind(new InetSocketAddress(options.bind(), options.udpPort()));
        } catch (IOException | RuntimeException e) {
            tcp.close();
            if (udp != null) {
                udp.close();
            }
            throw new IOException(
                    "zone "
                            + options.zone()
                            + ": cannot listen on "
                            + options.bind().getHostAddress()
                            + " tcp="
                            + options.tcpPort()
                            + " udp="
                            + options.udpPort()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        ZoneServer server = new ZoneServer(options, tcp, udp);
        server.udpThread.start();
        server.acceptThread.start();
        server.tickThread.start();
        return server;
    }

    public String zone() {
        return options.zone();
    }

    public int tickHz() {
        return options.tickHz();
    }

    public int tcpPort() {
        return tcp.getLocalPort();
    }

    public int udpPort() {
        return udp.socket().getLocalPort();
    }

    /**
     * Where a client on this host reaches the control channel (loopback if bound to the wildcard).
     */
    public InetSocketAddress tcpEndpoint() {
        InetAddress host =
                options.bind().isAnyLocalAddress()
                        ? InetAddress.getLoopbackAddress()
                        : options.bind();
        return new InetSocketAddress(host, tcpPort());
    }

    /** The line the host waits for on the guest's serial console. */
    public String readyLine() {
        return READY_PREFIX + " zone=" + zone() + " tcp=" + tcpPort() + " udp=" + udpPort();
    }

    public boolean isRunning() {
        return running;
    }

    public ZoneCounters counters() {
        ZoneTelemetry t = telemetry;
        return new ZoneCounters(
                currentTick,
                sessions.size(),
                t.joins.sum(),
                t.tcpConnections.sum(),
                t.tcpErrors.sum(),
                t.udpPacketsReceived.sum(),
                t.malformedUdpPackets.sum(),
                t.badTokenPackets.sum(),
                t.unknownClientPackets.sum(),
                t.staleInputs.sum(),
                t.pongsSent.sum(),
                t.statesSent.sum(),
                t.udpSendErrors.sum(),
                catchUpTicks,
                reanchors,
                t.echoSessions.sum(),
                t.echoBytes.sum());
    }

    /** How the clients' sequence-numbered input datagrams arrived, over all sessions so far. */
    public InputDelivery inputDelivery() {
        return sessions.inputDelivery();
    }

    /** Blocks until {@link #close()} has completed. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops ticking and closes every socket, which clients observe as a disconnect. Idempotent. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        closeQuietly(tcp);
        closeQuietly(udp);
        for (Socket s : connections) {
            closeQuietly(s);
        }
        LockSupport.unpark(tickThread);
        joinQuietly(tickThread);
        joinQuietly(udpThread);
        joinQuietly(acceptThread);
        terminated.countDown();
    }

    private void acceptLoop() {
        while (running) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (running) {
                    LOG.log(Level.WARNING, "TCP accept failed: " + e);
                    continue;
                }
                return;
            }
            telemetry.tcpConnections.increment();
            connections.add(socket);
            try {
                socket.setTcpNoDelay(true);
                // A client host that vanished without FIN would otherwise keep its session forever.
                socket.setKeepAlive(true);
            } catch (IOException e) {
                // not fatal: only latency of control replies / detection of dead peers
            }
            ControlConnection connection =
                    new ControlConnection(
                            socket,
                            sessions,
                            telemetry,
                            udpPort(),
                            options.tickHz(),
                            this::counters,
                            sessions::inputDelivery);
            controlThreads.start(
                    () -> {
                        try {
                            connection.run();
                        } finally {
                            connections.remove(socket);
                        }
                    });
            if (!running) {
                closeQuietly(socket); // raced with close()
            }
        }
    }

    private void tickLoop() {
        while (running) {
            long waitNanos = tickLoop.runDueTicks();
            catchUpTicks = tickLoop.catchUpTicks();
            reanchors = tickLoop.reanchors();
            if (waitNanos > 0 && running) {
                LockSupport.parkNanos(waitNanos);
            }
        }
    }

    /** One authoritative tick: membership, simulation, then one update per reachable client. */
    private void tick(long tickNumber) {
        try {
            syncMembership();
            world.advance(
                    tickNumber,
                    id -> {
                        ClientSession s = sessions.get(id);
                        return s == null ? null : s.drainIntent();
                    });
            currentTick = tickNumber;
            for (ClientSession session : sessions.all()) {
                SocketAddress address = session.udpAddress();
                if (address == null) {
                    continue;
                }
                StateUpdate update = world.stateFor(session.clientId);
                if (update != null) {
                    gameplay.sendState(update, address);
                }
            }
        } catch (RuntimeException e) {
            // A bug in one tick must not silently kill the zone: log and keep the cadence.
            LOG.log(Level.ERROR, "tick " + tickNumber + " failed", e);
        }
    }

    private void syncMembership() {
        for (ClientSession session : sessions.all()) {
            world.join(session.clientId);
        }
        List<Integer> ids = world.avatarIds();
        if (ids.size() != sessions.size()) {
            for (int id : ids) {
                if (sessions.get(id) == null) {
                    world.leave(id);
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing on shutdown: nothing useful to do
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
