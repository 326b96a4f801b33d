package io.livezone.dve.server;

import io.livezone.dve.protocol.AvatarView;
import io.livezone.dve.protocol.ItemView;
import io.livezone.dve.protocol.Protocol;
import io.livezone.dve.protocol.StateUpdate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Authoritative zone state, confined to the tick thread. Deterministic for a given seed and input
 * sequence (sorted iteration, seeded RNG), which keeps the digest chain meaningful.
 */
final class World {
    static final float SPEED_PER_SECOND = 120f;
    static final float COLLECT_RADIUS = 12f;
    static final float SHOT_RANGE = 200f;
    static final double SHOT_HALF_ANGLE = Math.toRadians(15);
    static final int SHOT_DAMAGE = 25;
    static final int KILL_SCORE = 5;
    static final float INTEREST_RADIUS = 250f;

    /** Preferred share of an update's space for avatars; items take the rest. */
    static final int PREFERRED_AVATARS = 8;

    static final int BASE_ITEMS = 40;
    static final int MAX_ITEMS = 1000;
    static final int ITEM_SPAWNS_PER_TICK = 5;

    private final SplittableRandom rng;
    private final float stepDistance;
    private final TreeMap<Integer, Avatar> avatars = new TreeMap<>();

    /** Kept in id order (ids only grow, removal preserves order) for a stable digest. */
    private final List<Item> items = new ArrayList<>();

    private final SpatialGrid<Avatar> avatarGrid = new SpatialGrid<>(100f);
    private final SpatialGrid<Item> itemGrid = new SpatialGrid<>(100f);
    private final List<Avatar> avatarScratch = new ArrayList<>();
    private final List<Item> itemScratch = new ArrayList<>();
    private int nextItemId = 1;
    private long tick;
    private long digest;
    private long prevDigest;

    World(long seed, int tickHz, long genesisDigest) {
        this.rng = new SplittableRandom(seed);
        this.stepDistance = SPEED_PER_SECOND / tickHz;
        this.digest = genesisDigest;
        this.prevDigest = genesisDigest;
    }

    long tick() {
        return tick;
    }

    long digest() {
        return digest;
    }

    long prevDigest() {
        return prevDigest;
    }

    int avatarCount() {
        return avatars.size();
    }

    int itemCount() {
        return items.size();
    }

    boolean contains(int id) {
        return avatars.containsKey(id);
    }

    List<Integer> avatarIds() {
        return List.copyOf(avatars.keySet());
    }

    Avatar avatar(int id) {
        return avatars.get(id);
    }

    void join(int id) {
        avatars.computeIfAbsent(id, k -> new Avatar(k, randomCoordinate(), randomCoordinate()));
    }

    void leave(int id) {
        avatars.remove(id);
    }

    /** Adds an item at a fixed place; used by tests to set up deterministic scenes. */
    void placeItem(float x, float y) {
        items.add(new Item(nextItemId++, x, y));
    }

    /**
     * Advances the world to {@code tickNumber}, which must be the next one: the tick loop owns the
     * numbering, the world only refuses to be rewound or skipped.
     */
    void advance(long tickNumber, IntFunction<PlayerIntent> intents) {
        if (tickNumber != tick + 1) {
            throw new IllegalStateException("tick " + tickNumber + " does not follow " + tick);
        }
        tick = tickNumber;
        List<Avatar> shooters = new ArrayList<>();
        for (Avatar a : avatars.values()) {
            PlayerIntent intent = intents.apply(a.id);
            move(a, intent == null ? PlayerIntent.IDLE : intent);
            if (intent != null) {
                a.lastInputSeq = intent.inputSeq();
                if (intent.shoot()) {
                    shooters.add(a);
                }
            }
        }
        collectItems();
        avatarGrid.rebuild(avatars.values());
        resolveShots(shooters);
        spawnItems();
        avatarGrid.rebuild(avatars.values());
        itemGrid.rebuild(items);
        prevDigest = digest;
        digest = StateDigest.chain(prevDigest, stateHash());
    }

    private void move(Avatar a, PlayerIntent intent) {
        float mx = intent.moveX();
        float my = intent.moveY();
        float len = (float) Math.sqrt(mx * mx + my * my);
        if (len < 0.01f) {
            return;
        }
        float scale = stepDistance / Math.max(1f, len); // longer than 1 would be a speed hack
        a.x = Math.clamp(a.x + mx * scale, 0f, Protocol.MAP_SIZE);
        a.y = Math.clamp(a.y + my * scale, 0f, Protocol.MAP_SIZE);
        a.heading = (float) Math.atan2(my, mx);
    }

    private void collectItems() {
        itemGrid.rebuild(items);
        boolean any = false;
        Set<Item> taken = new HashSet<>();
        for (Avatar a : avatars.values()) { // id order: lowest id wins a contested item
            itemScratch.clear();
            itemGrid.collectWithin(a.x, a.y, COLLECT_RADIUS, itemScratch);
            for (Item item : itemScratch) {
                if (taken.add(item)) {
                    a.items++;
                    a.score++;
                    any = true;
                }
            }
        }
        if (any) {
            items.removeAll(taken);
        }
    }

    private void resolveShots(List<Avatar> shooters) {
        List<Avatar> hit = new ArrayList<>();
        for (Avatar shooter : shooters) {
            Avatar target = nearestInSight(shooter);
            if (target != null) {
                hit.add(target);
                target.health -= SHOT_DAMAGE;
                if (target.health <= 0 && target.health + SHOT_DAMAGE > 0) {
                    shooter.score += KILL_SCORE; // only the killing shot scores
                }
            }
        }
        // Respawn after all shots so simultaneous shots resolve independently of order.
        for (Avatar a : hit) {
            if (a.health <= 0) {
                a.health = Avatar.MAX_HEALTH;
                a.x = randomCoordinate();
                a.y = randomCoordinate();
            }
        }
    }

    /** Nearest other avatar within range and within the shooter's heading cone, or null. */
    Avatar nearestInSight(Avatar shooter) {
        avatarScratch.clear();
        avatarGrid.collectWithin(shooter.x, shooter.y, SHOT_RANGE, avatarScratch);
        Avatar best = null;
        float bestD2 = Float.MAX_VALUE;
        for (Avatar other : avatarScratch) {
            if (other == shooter) {
                continue;
            }
            double bearing = Math.atan2(other.y - shooter.y, other.x - shooter.x);
            double off = Math.abs(Math.IEEEremainder(bearing - shooter.heading, 2 * Math.PI));
            float d2 = shooter.distanceSquared(other);
            if (off <= SHOT_HALF_ANGLE && (d2 < bestD2 || (d2 == bestD2 && other.id < best.id))) {
                best = other;
                bestD2 = d2;
            }
        }
        return best;
    }

    private void spawnItems() {
        int target = Math.min(MAX_ITEMS, BASE_ITEMS + avatars.size() / 2);
        for (int n = 0; n < ITEM_SPAWNS_PER_TICK && items.size() < target; n++) {
            items.add(new Item(nextItemId++, randomCoordinate(), randomCoordinate()));
        }
    }

    private long stateHash() {
        StateDigest h = new StateDigest(tick).put(avatars.size());
        for (Avatar a : avatars.values()) {
            h.put(a.id)
                    .put(a.x)
                    .put(a.y)
                    .put(a.heading)
                    .put(a.health)
                    .put(a.score)
                    .put(a.items)
                    .put(a.lastInputSeq);
        }
        h.put(items.size());
        for (Item i : items) {
            h.put(i.id()).put(i.x()).put(i.y());
        }
        return h.finish();
    }

    /** The update for avatar {@code id} at the current tick (nearest entities first), or null. */
    StateUpdate stateFor(int id) {
        Avatar self = avatars.get(id);
        if (self == null) {
            return null;
        }
        avatarScratch.clear();
        avatarGrid.collectWithin(self.x, self.y, INTEREST_RADIUS, avatarScratch);
        avatarScratch.remove(self);
        avatarScratch.sort(Comparator.comparingDouble(self::distanceSquared));
        itemScratch.clear();
        itemGrid.collectWithin(self.x, self.y, INTEREST_RADIUS, itemScratch);
        itemScratch.sort(Comparator.comparingDouble(self::distanceSquared));

        int avatarCount = Math.min(avatarScratch.size(), PREFERRED_AVATARS);
        int itemCount = Math.min(itemScratch.size(), StateUpdate.itemCapacity(avatarCount));
        while (avatarCount < avatarScratch.size() && StateUpdate.fits(avatarCount + 1, itemCount)) {
            avatarCount++; // few items around: give the room to more avatars
        }
        List<AvatarView> avatarViews = new ArrayList<>(avatarCount);
        for (int n = 0; n < avatarCount; n++) {
            avatarViews.add(avatarScratch.get(n).view());
        }
        List<ItemView> itemViews = new ArrayList<>(itemCount);
        for (int n = 0; n < itemCount; n++) {
            itemViews.add(itemScratch.get(n).view());
        }
        return new StateUpdate(
                tick, digest, prevDigest, self.lastInputSeq, self.state(), avatarViews, itemViews);
    }

    private float randomCoordinate() {
        return (float) rng.nextDouble(Protocol.MAP_SIZE);
    }
}
