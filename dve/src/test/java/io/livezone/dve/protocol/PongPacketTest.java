package io.livezone.dve.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

class PongPacketTest {

    @Test
    void roundTripsAndPeeksType() throws Exception {
        PongPacket pong = new PongPacket(3, 17, Long.MIN_VALUE + 5, 99);
        ByteBuffer buf = ByteBuffer.allocate(PongPacket.SIZE);
        pong.encode(buf);
        buf.flip();
        assertThat(Protocol.peekType(buf)).isEqualTo(PacketType.PONG);
        assertThat(buf.position()).isZero();
        assertThat(PongPacket.decode(buf)).isEqualTo(pong);
    }

    @Test
    void rejectsOtherTypesAndSizes() {
        ByteBuffer buf = ByteBuffer.allocate(PongPacket.SIZE);
        new PongPacket(1, 1, 1, 1).encode(buf);
        buf.flip();
        buf.put(3, PacketType.INPUT.code());
        assertThatThrownBy(() -> PongPacket.decode(buf))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> PongPacket.decode(ByteBuffer.allocate(PongPacket.SIZE + 1)))
                .isInstanceOf(MalformedPacketException.class);
    }
}
