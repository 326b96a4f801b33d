package io.livezone.dve.protocol;

/** Datagram types; the code is the 4th byte of every packet. */
public enum PacketType {
    /** Client to server: first packets of a session, same layout as INPUT. */
    HELLO(1),
    /** Client to server: movement/shoot input, optionally carrying a ping. */
    INPUT(2),
    /** Server to client: immediate echo of a ping. */
    PONG(3),
    /** Server to client: the per-tick 256-byte world update. */
    STATE(4);

    private final byte code;

    PacketType(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    static PacketType fromCode(byte code) throws MalformedPacketException {
        for (PacketType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new MalformedPacketException("unknown packet type " + code);
    }
}
