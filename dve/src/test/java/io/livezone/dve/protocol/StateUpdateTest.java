package io.livezone.dve.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

class StateUpdateTest {

    private static final AvatarState SELF = new AvatarState(5, 10.5f, 999.25f, -3.1f, 75, 1234, 17);

    private static StateUpdate update(int avatars, int items) {
        List<AvatarView> a =
                IntStream.range(0, avatars)
                        .mapToObj(i -> new AvatarView(100 + i, i, 2f * i, 0.5f))
                        .toList();
        List<ItemView> it =
                IntStream.range(0, items).mapToObj(i -> new ItemView(200 + i, 3f * i, i)).toList();
        return new StateUpdate(123_456_789_012L, 0x1234_5678_9ABC_DEF0L, -42L, 77, SELF, a, it);
    }

    private static ByteBuffer encoded(StateUpdate u) {
        ByteBuffer buf = ByteBuffer.allocate(StateUpdate.SIZE + 16);
        buf.position(3); // encode must not assume position 0
        u.encode(buf);
        assertThat(buf.position() - 3).isEqualTo(256);
        return buf.flip().position(3);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1,0", "0,16", "8,5", "12,0", "3,12"})
    void alwaysExactly256BytesAndRoundTrips(int avatars, int items) throws Exception {
        StateUpdate u = update(avatars, items);
        ByteBuffer buf = encoded(u);
        assertThat(buf.remaining()).isEqualTo(256);
        assertThat(StateUpdate.decode(buf)).isEqualTo(u);
    }

    @Test
    void fieldOffsetsFollowTheDocumentedLayout() {
        ByteBuffer buf = encoded(update(1, 1)).slice();
        assertThat(buf.get(3)).isEqualTo(PacketType.STATE.code());
        assertThat(buf.getLong(4)).isEqualTo(123_456_789_012L);
        assertThat(buf.getLong(12)).isEqualTo(0x1234_5678_9ABC_DEF0L);
        assertThat(buf.getLong(20)).isEqualTo(-42L);
        assertThat(buf.getInt(28)).isEqualTo(77);
        assertThat(buf.getInt(32)).isEqualTo(5);
        assertThat(buf.get(58)).isEqualTo((byte) 1);
        assertThat(buf.get(59)).isEqualTo((byte) 1);
        assertThat(buf.getInt(60)).isEqualTo(100);
        assertThat(buf.getInt(76)).isEqualTo(200);
        for (int i = 88; i < 256; i++) {
            assertThat(buf.get(i)).as("padding byte %d", i).isZero();
        }
    }

    @Test
    void capacityIsEnforced() {
        assertThat(StateUpdate.fits(12, 0)).isTrue();
        assertThat(StateUpdate.fits(13, 0)).isFalse();
        assertThat(StateUpdate.fits(0, 16)).isTrue();
        assertThat(StateUpdate.fits(0, 17)).isFalse();
        assertThat(StateUpdate.itemCapacity(8)).isEqualTo(5);
        assertThat(StateUpdate.fits(8, StateUpdate.itemCapacity(8))).isTrue();
        assertThatThrownBy(() -> update(13, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> update(8, 6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsMalformedUpdates() {
        ByteBuffer good = encoded(update(2, 2)).slice();
        assertMalformed(good.duplicate().limit(255));
        assertMalformed(ByteBuffer.allocate(257).put(good.duplicate()).put((byte) 0).flip());
        ByteBuffer overflow = copy(good);
        overflow.put(58, (byte) 13);
        assertMalformed(overflow);
        ByteBuffer hugeCount = copy(good);
        hugeCount.put(59, (byte) 0xFF);
        assertMalformed(hugeCount);
        ByteBuffer wrongType = copy(good);
        wrongType.put(3, PacketType.PONG.code());
        assertMalformed(wrongType);
        ByteBuffer nanPosition = copy(good);
        nanPosition.putFloat(36, Float.POSITIVE_INFINITY);
        assertMalformed(nanPosition);
        ByteBuffer randomJunk = ByteBuffer.allocate(256);
        new java.util.Random(1).nextBytes(randomJunk.array());
        assertMalformed(randomJunk);
    }

    @Test
    void decodedListsAreImmutable() throws Exception {
        StateUpdate u = StateUpdate.decode(encoded(update(1, 1)));
        assertThatThrownBy(() -> u.avatars().add(new AvatarView(1, 1, 1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
        List<ItemView> source = new ArrayList<>(List.of(new ItemView(1, 1, 1)));
        StateUpdate copy = new StateUpdate(1, 1, 1, 1, SELF, List.of(), source);
        source.clear();
        assertThat(copy.items()).hasSize(1);
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining()).put(b.duplicate());
        return c.flip();
    }

    private static void assertMalformed(ByteBuffer buf) {
        assertThatThrownBy(() -> StateUpdate.decode(buf))
                .isInstanceOf(MalformedPacketException.class);
    }
}
