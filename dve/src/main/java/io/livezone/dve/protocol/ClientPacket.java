package io.livezone.dve.protocol;

import java.nio.ByteBuffer;

/**
 * HELLO or INPUT datagram from a client. Fixed size so that any length mismatch is malformed.
 *
 * <pre>
 * magic u16 | version u8 | type u8 | clientId i32 | token i64 | inputSeq i32
 * | moveX f32 | moveY f32 | flags u8 (bit0 shoot, bit1 ping) | pingId i32 | pingSendNanos i64
 * </pre>
 *
 * <p>The ping fields are always present (zero when unused) to keep the size fixed; the server
 * echoes {@code pingId} and {@code pingSendNanos} back in a {@link PongPacket} as soon as the
 * datagram is received, independent of the tick.
 */
public record ClientPacket(
        PacketType type,
        int clientId,
        long token,
        int inputSeq,
        float moveX,
        float moveY,
        boolean shoot,
        boolean hasPing,
        int pingId,
        long pingSendNanos) {

    public static final int SIZE = Protocol.HEADER_SIZE + 4 + 8 + 4 + 4 + 4 + 1 + 4 + 8;
    private static final int FLAG_SHOOT = 1;
    private static final int FLAG_PING = 2;

    public ClientPacket {
        if (type != PacketType.HELLO && type != PacketType.INPUT) {
            throw new IllegalArgumentException("not a client packet type: " + type);
        }
        if (!validMove(moveX) || !validMove(moveY)) {
            throw new IllegalArgumentException("move components must be finite and within [-1, 1]");
        }
    }

    public void encode(ByteBuffer buf) {
        Protocol.writeHeader(buf, type);
        buf.putInt(clientId).putLong(token).putInt(inputSeq).putFloat(moveX).putFloat(moveY);
        buf.put((byte) ((shoot ? FLAG_SHOOT : 0) | (hasPing ? FLAG_PING : 0)));
        buf.putInt(pingId).putLong(pingSendNanos);
    }

    /** Decodes the remaining bytes of {@code buf}, which must be exactly one client packet. */
    public static ClientPacket decode(ByteBuffer buf) throws MalformedPacketException {
        if (buf.remaining() != SIZE) {
            throw new MalformedPacketException(
                    "client packet must be " + SIZE + " bytes, got " + buf.remaining());
        }
        PacketType type = Protocol.readHeader(buf);
        if (type != PacketType.HELLO && type != PacketType.INPUT) {
            throw new MalformedPacketException("unexpected packet type from client: " + type);
        }
        int clientId = buf.getInt();
        long token = buf.getLong();
        int seq = buf.getInt();
        float moveX = Protocol.finite(buf.getFloat(), "moveX");
        float moveY = Protocol.finite(buf.getFloat(), "moveY");
        if (!validMove(moveX) || !validMove(moveY)) {
            throw new MalformedPacketException("move vector component outside [-1, 1]");
        }
        int flags = buf.get() & 0xFF;
        if ((flags & ~(FLAG_SHOOT | FLAG_PING)) != 0) {
            throw new MalformedPacketException("unknown flags 0x" + Integer.toHexString(flags));
        }
        int pingId = buf.getInt();
        long pingNanos = buf.getLong();
        return new ClientPacket(
                type,
                clientId,
                token,
                seq,
                moveX,
                moveY,
                (flags & FLAG_SHOOT) != 0,
                (flags & FLAG_PING) != 0,
                pingId,
                pingNanos);
    }

    private static boolean validMove(float v) {
        return Float.isFinite(v) && v >= -1f && v <= 1f;
    }
}
