package io.livezone.dve.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-tick update the server sends each client: always exactly {@value #SIZE} bytes, a typical
 * MMOG update size, so bandwidth per client is constant whatever the scene.
 *
 * <pre>
 * off  0  magic u16 | version u8 | type u8
 * off  4  tick i64 | digest i64 | prevDigest i64 | lastInputSeq i32
 * off 32  self: id i32 | x f32 | y f32 | heading f32 | health i16 | score i32 | items i32
 * off 58  avatarCount u8 | itemCount u8
 * off 60  avatarCount x (id i32 | x f32 | y f32 | heading f32), then itemCount x (id i32 | x f32 | y f32)
 *         zero padding up to 256
 * </pre>
 *
 * <p>{@code digest} is the zone's hash chain value after this tick and {@code prevDigest} the value
 * after the previous tick, so a receiver can check continuity of consecutive updates.
 */
public record StateUpdate(
        long tick,
        long digest,
        long prevDigest,
        int lastInputSeq,
        AvatarState self,
        List<AvatarView> avatars,
        List<ItemView> items) {

    public static final int SIZE = 256;
    public static final int AVATAR_ENTRY_SIZE = 16;
    public static final int ITEM_ENTRY_SIZE = 12;
    static final int ENTRIES_OFFSET = 60;

    /** Bytes left for nearby avatars and items. */
    public static final int ENTRY_CAPACITY = SIZE - ENTRIES_OFFSET;

    public StateUpdate {
        avatars = List.copyOf(avatars);
        items = List.copyOf(items);
        if (!fits(avatars.size(), items.size())) {
            throw new IllegalArgumentException(
                    avatars.size()
                            + " avatars and "
                            + items.size()
                            + " items do not fit in "
                            + SIZE
                            + " bytes");
        }
        if (self.health() < Short.MIN_VALUE || self.health() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("health out of i16 range: " + self.health());
        }
    }

    public static boolean fits(int avatarCount, int itemCount) {
        return avatarCount >= 0
                && itemCount >= 0
                && avatarCount * AVATAR_ENTRY_SIZE + itemCount * ITEM_ENTRY_SIZE <= ENTRY_CAPACITY;
    }

    /** How many items still fit once {@code avatarCount} avatars are in the update. */
    public static int itemCapacity(int avatarCount) {
        return Math.max(0, (ENTRY_CAPACITY - avatarCount * AVATAR_ENTRY_SIZE) / ITEM_ENTRY_SIZE);
    }

    /** Writes exactly {@link #SIZE} bytes at the buffer's position. */
    public void encode(ByteBuffer buf) {
        int start = buf.position();
        Protocol.writeHeader(buf, PacketType.STATE);
        buf.putLong(tick).putLong(digest).putLong(prevDigest).putInt(lastInputSeq);
        buf.putInt(self.id())
                .putFloat(self.x())
                .putFloat(self.y())
                .putFloat(self.heading())
                .putShort((short) self.health())
                .putInt(self.score())
                .putInt(self.items());
        buf.put((byte) avatars.size()).put((byte) items.size());
        for (AvatarView a : avatars) {
            buf.putInt(a.id()).putFloat(a.x()).putFloat(a.y()).putFloat(a.heading());
        }
        for (ItemView i : items) {
            buf.putInt(i.id()).putFloat(i.x()).putFloat(i.y());
        }
        while (buf.position() - start < SIZE) {
            buf.put((byte) 0);
        }
    }

    /** Decodes the remaining bytes of {@code buf}, which must be exactly one state update. */
    public static StateUpdate decode(ByteBuffer buf) throws MalformedPacketException {
        if (buf.remaining() != SIZE) {
            throw new MalformedPacketException(
                    "state update must be " + SIZE + " bytes, got " + buf.remaining());
        }
        PacketType type = Protocol.readHeader(buf);
        if (type != PacketType.STATE) {
            throw new MalformedPacketException("expected STATE, got " + type);
        }
        long tick = buf.getLong();
        long digest = buf.getLong();
        long prevDigest = buf.getLong();
        int lastInputSeq = buf.getInt();
        AvatarState self =
                new AvatarState(
                        buf.getInt(),
                        Protocol.finite(buf.getFloat(), "x"),
                        Protocol.finite(buf.getFloat(), "y"),
                        Protocol.finite(buf.getFloat(), "heading"),
                        buf.getShort(),
                        buf.getInt(),
                        buf.getInt());
        int avatarCount = buf.get() & 0xFF;
        int itemCount = buf.get() & 0xFF;
        if (!fits(avatarCount, itemCount)) {
            throw new MalformedPacketException(
                    "entry counts overflow the packet: "
                            + avatarCount
                            + " avatars, "
                            + itemCount
                            + " items");
        }
        List<AvatarView> avatars = new ArrayList<>(avatarCount);
        for (int n = 0; n < avatarCount; n++) {
            avatars.add(
                    new AvatarView(
                            buf.getInt(),
                            Protocol.finite(buf.getFloat(), "avatar x"),
                            Protocol.finite(buf.getFloat(), "avatar y"),
                            Protocol.finite(buf.getFloat(), "avatar heading")));
        }
        List<ItemView> items = new ArrayList<>(itemCount);
        for (int n = 0; n < itemCount; n++) {
            items.add(
                    new ItemView(
                            buf.getInt(),
                            Protocol.finite(buf.getFloat(), "item x"),
                            Protocol.finite(buf.getFloat(), "item y")));
        }
        return new StateUpdate(tick, digest, prevDigest, lastInputSeq, self, avatars, items);
    }
}
