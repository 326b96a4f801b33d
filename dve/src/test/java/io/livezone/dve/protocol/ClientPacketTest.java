package io.livezone.dve.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

class ClientPacketTest {

    private static ClientPacket input() {
        return new ClientPacket(
                PacketType.INPUT, 7, 0xDEADBEEFCAFEL, 42, 0.5f, -1f, true, true, 9, 123_456_789L);
    }

    private static ByteBuffer encoded(ClientPacket p) {
        ByteBuffer buf = ByteBuffer.allocate(ClientPacket.SIZE);
        p.encode(buf);
        assertThat(buf.position()).isEqualTo(ClientPacket.SIZE);
        return buf.flip();
    }

    @Test
    void roundTripsInputAndHello() throws Exception {
        assertThat(ClientPacket.decode(encoded(input()))).isEqualTo(input());
        ClientPacket hello =
                new ClientPacket(PacketType.HELLO, 1, -5L, 0, 0f, 0f, false, false, 0, 0L);
        assertThat(ClientPacket.decode(encoded(hello))).isEqualTo(hello);
    }

    @Test
    void headerIsBigEndianMagicVersionType() {
        ByteBuffer buf = encoded(input());
        assertThat(buf.get(0)).isEqualTo((byte) 0x4C);
        assertThat(buf.get(1)).isEqualTo((byte) 0x5A);
        assertThat(buf.get(2)).isEqualTo(Protocol.VERSION);
        assertThat(buf.get(3)).isEqualTo(PacketType.INPUT.code());
        assertThat(buf.getInt(4)).isEqualTo(7);
    }

    @Test
    void rejectsWrongLengths() {
        ByteBuffer buf = encoded(input());
        assertThatThrownBy(() -> ClientPacket.decode(buf.duplicate().limit(ClientPacket.SIZE - 1)))
                .isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining("41 bytes");
        ByteBuffer longer =
                ByteBuffer.allocate(ClientPacket.SIZE + 1)
                        .put(buf.duplicate())
                        .put((byte) 0)
                        .flip();
        assertThatThrownBy(() -> ClientPacket.decode(longer))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> ClientPacket.decode(ByteBuffer.allocate(0)))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void rejectsCorruptedHeaderAndFields() {
        assertMalformed(0, (byte) 0x00, "magic");
        assertMalformed(2, (byte) 9, "version");
        assertMalformed(3, (byte) 99, "type");
        assertMalformed(3, PacketType.STATE.code(), "STATE");
        assertMalformed(28, (byte) 0xFF, "flags");
    }

    @Test
    void rejectsNonFiniteOrOversizedMovement() {
        ByteBuffer nan = encoded(input());
        nan.putFloat(20, Float.NaN);
        assertThatThrownBy(() -> ClientPacket.decode(nan))
                .isInstanceOf(MalformedPacketException.class);
        ByteBuffer big = encoded(input());
        big.putFloat(24, 3f);
        assertThatThrownBy(() -> ClientPacket.decode(big))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(
                        () ->
                                new ClientPacket(
                                        PacketType.INPUT, 1, 1, 1, 2f, 0f, false, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertMalformed(int offset, byte value, String messagePart) {
        ByteBuffer buf = encoded(input());
        buf.put(offset, value);
        assertThatThrownBy(() -> ClientPacket.decode(buf))
                .isInstanceOf(MalformedPacketException.class)
                .hasMessageContaining(messagePart);
    }
}
