package io.livezone.dve.bot;

import io.livezone.dve.protocol.ClientPacket;
import io.livezone.dve.protocol.MalformedPacketException;
import io.livezone.dve.protocol.PacketType;
import io.livezone.dve.protocol.PongPacket;
import io.livezone.dve.protocol.Protocol;
import io.livezone.dve.protocol.StateUpdate;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * One simulated player: its TCP control channel, its own UDP socket (like a real client, so the
 * server sees one address per player), its behaviour and its measurements. Driven exclusively by
 * the {@link BotShard} thread that owns it; only {@link #status()} and {@link #metrics} are read
 * from other threads.
 */
final class Bot {
    enum Status {
        ACTIVE,
        LEAVING,
        LEFT,
        DISCONNECTED
    }

    final int index;
    final String name;
    final int clientId;
    final SocketChannel control;
    final DatagramChannel udp;
    final BotMetrics metrics = new BotMetrics();
    private final long token;
    private final InetSocketAddress udpTarget;
    private final UpdateTracker tracker = new UpdateTracker();
    private final BotBrain brain;
    private final long pingIntervalNanos;
    private final long updateTimeoutNanos;
    private final long tickPeriodNanos;
    private final ByteBuffer controlIn = ByteBuffer.allocate(256);
    private final StringBuilder controlLine = new StringBuilder();

    private volatile Status status = Status.ACTIVE;
    long nextSendAt;
    private long nextPingAt;
    private long lastUpdateAt;
    private long lastNewUpdateAt;
    private boolean receiving;
    private int inputSeq;
    private int pingId;
    private StateUpdate latest;

    Bot(
            int index,
            String name,
            ZoneJoin.Joined joined,
            DatagramChannel udp,
            InetSocketAddress udpTarget,
            BotConfig config) {
        this.index = index;
        this.name = name;
        this.clientId = joined.welcome().clientId();
        this.token = joined.welcome().token();
        this.control = joined.control();
        this.udp = udp;
        this.udpTarget = udpTarget;
        this.brain =
                new BotBrain(
                        new SplittableRandom(config.seed() * 1_000_003L + index),
                        config.shootProbability());
        this.pingIntervalNanos = config.pingInterval().toNanos();
        this.updateTimeoutNanos = config.updateTimeout().toNanos();
        this.tickPeriodNanos = 1_000_000_000L / joined.welcome().tickHz();
    }

    /** Schedules the first input; the update timeout counts from {@code now}. */
    void start(long firstSendAt, long now) {
        nextSendAt = firstSendAt;
        nextPingAt = firstSendAt;
        lastUpdateAt = now;
    }

    Status status() {
        return status;
    }

    boolean isDone() {
        return status == Status.LEFT || status == Status.DISCONNECTED;
    }

    /** Sends one HELLO (until the first update arrives) or INPUT, with a ping if one is due. */
    void sendInput(long now, ByteBuffer buf) {
        BotBrain.Intent intent = brain.decide(latest);
        boolean ping = now - nextPingAt >= 0;
        if (ping) {
            nextPingAt += pingIntervalNanos;
            if (now - nextPingAt >= 0) {
                nextPingAt = now + pingIntervalNanos; // fell behind (e.g. host hiccup): don't burst
                // pings
            }
            pingId++;
        }
        long sendNanos = System.nanoTime();
        ClientPacket packet =
                new ClientPacket(
                        receiving ? PacketType.INPUT : PacketType.HELLO,
                        clientId,
                        token,
                        ++inputSeq,
                        intent.moveX(),
                        intent.moveY(),
                        intent.shoot(),
                        ping,
                        ping ? pingId : 0,
                        ping ? sendNanos : 0);
        buf.clear();
        packet.encode(buf);
        buf.flip();
        try {
            if (udp.send(buf, udpTarget) == 0) {
                metrics.sendError(); // socket buffer full: the datagram was not sent
            } else if (ping) {
                metrics.pingSent();
            }
        } catch (IOException e) {
            metrics.sendError();
        }
    }

    /**
     * Handles one datagram received at {@code now}.
     *
     * @return true if this was the bot's first state update
     */
    boolean onDatagram(ByteBuffer buf, long now) {
        try {
            PacketType type = Protocol.peekType(buf);
            if (type == PacketType.STATE) {
                return onState(StateUpdate.decode(buf), now);
            }
            if (type == PacketType.PONG) {
                onPong(PongPacket.decode(buf), now);
                return false;
            }
            throw new MalformedPacketException("unexpected " + type + " from server");
        } catch (MalformedPacketException e) {
            metrics.malformedPacket();
            return false;
        }
    }

    private boolean onState(StateUpdate update, long now) throws MalformedPacketException {
        if (update.self().id() != clientId) {
            throw new MalformedPacketException("update for client " + update.self().id());
        }
        long previousTick = tracker.highestTick();
        UpdateTracker.Observation o =
                tracker.observe(update.tick(), update.digest(), update.prevDigest());
        long gap = -1;
        long lateness = -1;
        if (o.isNew()) {
            if (o.kind() != UpdateTracker.Kind.FIRST) {
                gap = now - lastNewUpdateAt;
                // Against the schedule the previous update set: ticks apart times the tick period.
                lateness = Math.max(0, gap - (update.tick() - previousTick) * tickPeriodNanos);
            }
            lastNewUpdateAt = now;
            latest = update;
        }
        lastUpdateAt = now;
        metrics.update(o, gap, lateness, tracker.highestTick());
        boolean first = !receiving;
        receiving = true;
        return first;
    }

    private void onPong(PongPacket pong, long now) throws MalformedPacketException {
        long rtt = now - pong.pingSendNanos();
        if (pong.clientId() != clientId || rtt < 0) {
            throw new MalformedPacketException("pong not ours");
        }
        metrics.rtt(rtt);
    }

    void onControlReadable() {
        int n;
        try {
            controlIn.clear();
            n = control.read(controlIn);
        } catch (IOException e) {
            controlClosed("control connection reset: " + e.getMessage());
            return;
        }
        if (n < 0) {
            controlClosed("control connection closed by zone");
            return;
        }
        controlIn.flip();
        while (controlIn.hasRemaining() && !isDone()) {
            char c = (char) (controlIn.get() & 0xFF);
            if (c == '\n') {
                onControlLine(controlLine.toString().strip());
                controlLine.setLength(0);
            } else if (controlLine.length() < 256) {
                controlLine.append(c);
            }
        }
    }

    private void onControlLine(String line) {
        if (line.equals("BYE")) {
            status = Status.LEFT;
            closeChannels();
        } else if (line.startsWith("ERR")) {
            metrics.controlError();
        }
    }

    private void controlClosed(String reason) {
        if (status == Status.LEAVING) {
            status = Status.LEFT;
            closeChannels();
        } else if (status == Status.ACTIVE) {
            disconnect(reason);
        }
    }

    void checkTimeout(long now) {
        long silent = now - lastUpdateAt;
        if (status == Status.ACTIVE && silent > updateTimeoutNanos) {
            disconnect("no update for " + silent / 1_000_000 + " ms");
        }
    }

    /** The session is lost: a real client would give up here, so does the bot. */
    void disconnect(String reason) {
        status = Status.DISCONNECTED;
        metrics.disconnected(reason);
        closeChannels();
    }

    /** Starts a clean leave: LEAVE now, BYE (or the server closing) completes it. */
    void leave() {
        if (status != Status.ACTIVE) {
            return;
        }
        status = Status.LEAVING;
        try {
            ByteBuffer msg = ByteBuffer.wrap("LEAVE\n".getBytes(StandardCharsets.US_ASCII));
            control.write(msg);
            if (msg.hasRemaining()) {
                throw new IOException("control send buffer full");
            }
        } catch (IOException e) {
            status = Status.LEFT;
            closeChannels();
        }
    }

    void closeChannels() {
        closeQuietly(control);
        closeQuietly(udp);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already broken: nothing to release
        }
    }
}
