package io.livezone.dve.server;

import io.livezone.dve.protocol.ClientPacket;
import io.livezone.dve.protocol.MalformedPacketException;
import io.livezone.dve.protocol.PongPacket;
import io.livezone.dve.protocol.StateUpdate;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;

/**
 * The UDP gameplay socket. One thread receives (and answers pings right away, so the measured RTT
 * excludes tick quantization); the tick thread sends state updates. DatagramChannel serializes the
 * two writers internally.
 */
final class GameplayChannel {
    private static final System.Logger LOG = System.getLogger(GameplayChannel.class.getName());

    private final DatagramChannel channel;
    private final SessionTable sessions;
    private final ZoneTelemetry telemetry;
    private final LongSupplier currentTick;

    /** Owned by the receive thread. */
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(2048);

    private final ByteBuffer pongBuffer = ByteBuffer.allocateDirect(PongPacket.SIZE);

    /** Owned by the tick thread. */
    private final ByteBuffer stateBuffer = ByteBuffer.allocateDirect(StateUpdate.SIZE);

    GameplayChannel(
            DatagramChannel channel,
            SessionTable sessions,
            ZoneTelemetry telemetry,
            LongSupplier currentTick) {
        this.channel = channel;
        this.sessions = sessions;
        this.telemetry = telemetry;
        this.currentTick = currentTick;
    }

    /** Blocks receiving datagrams until the channel is closed. */
    void receiveLoop() {
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                receiveBuffer.clear();
                from = channel.receive(receiveBuffer);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "UDP receive failed: " + e);
                continue;
            }
            receiveBuffer.flip();
            telemetry.udpPacketsReceived.increment();
            handle(receiveBuffer, from);
        }
    }

    void handle(ByteBuffer datagram, SocketAddress from) {
        ClientPacket packet;
        try {
            packet = ClientPacket.decode(datagram);
        } catch (MalformedPacketException e) {
            telemetry.malformedUdpPackets.increment();
            return;
        }
        ClientSession session = sessions.get(packet.clientId());
        if (session == null) {
            telemetry.unknownClientPackets.increment();
            return;
        }
        if (session.token != packet.token()) {
            telemetry.badTokenPackets.increment(); // silently: no reply that would help a spoofer
            return;
        }
        session.udpAddress(from);
        if (packet.hasPing()) {
            sendPong(
                    new PongPacket(
                            packet.clientId(),
                            packet.pingId(),
                            packet.pingSendNanos(),
                            currentTick.getAsLong()),
                    from);
        }
        if (!session.offer(packet)) {
            telemetry.staleInputs.increment();
        }
    }

    private void sendPong(PongPacket pong, SocketAddress to) {
        pongBuffer.clear();
        pong.encode(pongBuffer);
        pongBuffer.flip();
        if (send(pongBuffer, to)) {
            telemetry.pongsSent.increment();
        }
    }

    /** Called by the tick thread. */
    void sendState(StateUpdate update, SocketAddress to) {
        stateBuffer.clear();
        update.encode(stateBuffer);
        stateBuffer.flip();
        if (send(stateBuffer, to)) {
            telemetry.statesSent.increment();
        }
    }

    private boolean send(ByteBuffer buf, SocketAddress to) {
        try {
            channel.send(buf, to);
            return true;
        } catch (IOException e) {
            // E.g. the client's address became unreachable; the session lives on until TCP closes.
            telemetry.udpSendErrors.increment();
            return false;
        }
    }
}
