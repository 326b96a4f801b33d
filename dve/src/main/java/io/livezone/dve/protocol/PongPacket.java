package io.livezone.dve.protocol;

import java.nio.ByteBuffer;

/**
 * Server's immediate answer to a ping carried by a client packet.
 *
 * <pre>
 * magic u16 | version u8 | type u8 | clientId i32 | pingId i32 | pingSendNanos i64 | serverTick i64
 * </pre>
 *
 * <p>{@code pingSendNanos} is the client's own clock value echoed back, so the client computes the
 * application-level RTT without any clock agreement with the server.
 */
public record PongPacket(int clientId, int pingId, long pingSendNanos, long serverTick) {

    public static final int SIZE = Protocol.HEADER_SIZE + 4 + 4 + 8 + 8;

    public void encode(ByteBuffer buf) {
        Protocol.writeHeader(buf, PacketType.PONG);
        buf.putInt(clientId).putInt(pingId).putLong(pingSendNanos).putLong(serverTick);
    }

    public static PongPacket decode(ByteBuffer buf) throws MalformedPacketException {
        if (buf.remaining() != SIZE) {
            throw new MalformedPacketException(
                    "pong must be " + SIZE + " bytes, got " + buf.remaining());
        }
        PacketType type = Protocol.readHeader(buf);
        if (type != PacketType.PONG) {
            throw new MalformedPacketException("expected PONG, got " + type);
        }
        return new PongPacket(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong());
    }
}
