package io.livezone.dve.protocol;

import java.nio.ByteBuffer;

/** Constants of the UDP wire format. All multi-byte fields are big-endian (ByteBuffer default). */
public final class Protocol {
    /** "LZ": cheap first filter against stray datagrams. */
    public static final short MAGIC = 0x4C5A;

    public static final byte VERSION = 1;

    /** Size of the common header: magic(2) version(1) type(1). */
    public static final int HEADER_SIZE = 4;

    /** Side length of the square zone map, in world units. */
    public static final float MAP_SIZE = 1000f;

    private Protocol() {}

    static void writeHeader(ByteBuffer buf, PacketType type) {
        buf.putShort(MAGIC).put(VERSION).put(type.code());
    }

    /** Reads and checks the header at the buffer's position; returns the packet type. */
    static PacketType readHeader(ByteBuffer buf) throws MalformedPacketException {
        if (buf.remaining() < HEADER_SIZE) {
            throw new MalformedPacketException(
                    "packet shorter than header: " + buf.remaining() + " bytes");
        }
        short magic = buf.getShort();
        if (magic != MAGIC) {
            throw new MalformedPacketException(
                    "bad magic 0x" + Integer.toHexString(magic & 0xFFFF));
        }
        byte version = buf.get();
        if (version != VERSION) {
            throw new MalformedPacketException("unsupported version " + version);
        }
        return PacketType.fromCode(buf.get());
    }

    /** Peeks at the type of the packet in {@code buf} without consuming it. */
    public static PacketType peekType(ByteBuffer buf) throws MalformedPacketException {
        return readHeader(buf.duplicate());
    }

    static float finite(float value, String field) throws MalformedPacketException {
        if (!Float.isFinite(value)) {
            throw new MalformedPacketException(field + " is not finite");
        }
        return value;
    }
}
