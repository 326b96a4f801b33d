package io.livezone.dve.server;

import io.livezone.dve.protocol.ClientPacket;

import java.net.SocketAddress;

/**
 * A joined client: lives exactly as long as its TCP control connection. Written by the UDP receive
 * thread (address, inputs) and read by the tick thread.
 */
final class ClientSession {
    final int clientId;
    final String name;
    final long token;

    /**
     * Learned from the client's datagrams, latest wins (its address may change, e.g. NAT
     * rebinding).
     */
    private volatile SocketAddress udpAddress;

    private final InputSequence sequence = new InputSequence();
    private boolean hasInput;
    private int lastSeq;
    private float moveX;
    private float moveY;
    private boolean shootPending;

    ClientSession(int clientId, String name, long token) {
        this.clientId = clientId;
        this.name = name;
        this.token = token;
    }

    SocketAddress udpAddress() {
        return udpAddress;
    }

    void udpAddress(SocketAddress address) {
        this.udpAddress = address;
    }

    /**
     * Takes an input unless it is older than one already taken (UDP may reorder). A shoot request
     * is latched until the next tick so that it is not lost between two ticks.
     *
     * @return false if the input was stale and ignored
     */
    synchronized boolean offer(ClientPacket packet) {
        sequence.record(packet.inputSeq());
        if (hasInput && packet.inputSeq() - lastSeq <= 0) { // wrap-safe comparison
            return false;
        }
        hasInput = true;
        lastSeq = packet.inputSeq();
        moveX = packet.moveX();
        moveY = packet.moveY();
        shootPending |= packet.shoot();
        return true;
    }

    /** What arrived of this client's input sequence so far. */
    synchronized InputDelivery inputDelivery() {
        return InputDelivery.of(sequence);
    }

    /** The intent for the tick being computed; consumes a pending shot. */
    synchronized PlayerIntent drainIntent() {
        if (!hasInput) {
            return null;
        }
        PlayerIntent intent = new PlayerIntent(moveX, moveY, shootPending, lastSeq);
        shootPending = false;
        return intent;
    }
}
