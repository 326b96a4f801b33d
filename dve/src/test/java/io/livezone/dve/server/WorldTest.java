package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.dve.protocol.StateUpdate;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

class WorldTest {
    private static final long GENESIS = StateDigest.genesis("test");

    private static World world() {
        return new World(1, 20, GENESIS);
    }

    private static final IntFunction<PlayerIntent> IDLE = id -> null;

    @Test
    void digestIsAHashChainOverTicks() {
        World w = world();
        w.join(1);
        w.join(2);
        long previous = w.digest();
        assertThat(previous).isEqualTo(GENESIS);
        for (int t = 1; t <= 50; t++) {
            int seq = t;
            w.advance(t, id -> new PlayerIntent(1, 0, false, seq));
            assertThat(w.prevDigest()).isEqualTo(previous);
            assertThat(w.digest()).isNotEqualTo(previous);
            previous = w.digest();
        }
    }

    @Test
    void sameSeedAndInputsGiveSameDigestsAndDifferentInputsDiverge() {
        World a = world();
        World b = world();
        World c = world();
        for (World w : List.of(a, b, c)) {
            w.join(1);
        }
        for (int t = 1; t <= 20; t++) {
            float cMove = t == 10 ? 0 : 1;
            a.advance(t, id -> new PlayerIntent(1, 0, false, 1));
            b.advance(t, id -> new PlayerIntent(1, 0, false, 1));
            c.advance(t, id -> new PlayerIntent(cMove, 0, false, 1));
            if (t < 10) {
                assertThat(c.digest()).isEqualTo(a.digest());
            }
        }
        assertThat(b.digest()).isEqualTo(a.digest());
        assertThat(c.digest()).isNotEqualTo(a.digest()); // the chain carries the divergence forever
    }

    @Test
    void chainDependsOnHistoryNotJustCurrentState() {
        assertThat(StateDigest.chain(1, 99)).isNotEqualTo(StateDigest.chain(2, 99));
        assertThat(StateDigest.chain(1, 99)).isNotEqualTo(StateDigest.chain(1, 98));
        assertThat(StateDigest.genesis("a")).isNotEqualTo(StateDigest.genesis("b"));
    }

    @Test
    void refusesToSkipOrRepeatTicks() {
        World w = world();
        w.advance(1, IDLE);
        assertThatThrownBy(() -> w.advance(1, IDLE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> w.advance(3, IDLE)).isInstanceOf(IllegalStateException.class);
        w.advance(2, IDLE);
        assertThat(w.tick()).isEqualTo(2);
    }

    @Test
    void movesAtBoundedSpeedWithinTheMapAndRecordsInputSeq() {
        World w = world();
        w.join(1);
        Avatar a = w.avatar(1);
        a.x = 500;
        a.y = 500;
        w.advance(1, id -> new PlayerIntent(1, 1, false, 33)); // diagonal: normalized
        float step = World.SPEED_PER_SECOND / 20;
        assertThat(Math.hypot(a.x - 500, a.y - 500))
                .isCloseTo(step, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(a.heading)
                .isCloseTo((float) Math.PI / 4, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(a.lastInputSeq).isEqualTo(33);
        a.x = 1;
        for (long t = 2; t < 10; t++) {
            w.advance(t, id -> new PlayerIntent(-1, 0, false, 34));
        }
        assertThat(a.x).isZero();
    }

    @Test
    void avatarsCollectItemsTheyTouch() {
        World w = world();
        w.join(1);
        Avatar a = w.avatar(1);
        a.x = 100;
        a.y = 100;
        w.placeItem(100 + World.SPEED_PER_SECOND / 20, 100);
        w.placeItem(900, 900);
        w.advance(1, id -> new PlayerIntent(1, 0, false, 1));
        assertThat(a.items).isEqualTo(1);
        assertThat(a.score).isEqualTo(1);
    }

    @Test
    void shootingHitsNearestAvatarInHeadingAndRespawnsTheDead() {
        World w = world();
        for (int id = 1; id <= 4; id++) {
            w.join(id);
        }
        place(w.avatar(1), 100, 500);
        place(w.avatar(2), 250, 500); // straight ahead, farther
        place(w.avatar(3), 180, 505); // ahead, nearest -> the target
        place(w.avatar(4), 140, 700); // near but off to the side
        IntFunction<PlayerIntent> shootAhead =
                id -> id == 1 ? new PlayerIntent(1, 0, true, 0) : null;
        for (int shot = 1; shot <= 3; shot++) {
            w.advance(shot, shootAhead);
            assertThat(w.avatar(3).health).isEqualTo(Avatar.MAX_HEALTH - shot * World.SHOT_DAMAGE);
            assertThat(w.avatar(2).health).isEqualTo(Avatar.MAX_HEALTH);
            assertThat(w.avatar(4).health).isEqualTo(Avatar.MAX_HEALTH);
        }
        w.advance(4, shootAhead); // fourth hit kills
        assertThat(w.avatar(3).health).isEqualTo(Avatar.MAX_HEALTH); // respawned
        Avatar shooter = w.avatar(1);
        assertThat(shooter.score - shooter.items)
                .isEqualTo(World.KILL_SCORE); // items may score too
    }

    @Test
    void shotsWithoutSomeoneInSightHitNobody() {
        World w = world();
        w.join(1);
        w.join(2);
        place(w.avatar(1), 100, 100);
        place(w.avatar(2), 100, 400); // straight up but out of range
        w.advance(1, id -> id == 1 ? new PlayerIntent(0, 1, true, 1) : null);
        assertThat(w.avatar(2).health).isEqualTo(Avatar.MAX_HEALTH);
    }

    @Test
    void stateUpdateFitsIn256BytesEvenInACrowd() {
        World w = world();
        for (int id = 1; id <= 1000; id++) {
            w.join(id);
        }
        for (int id = 1; id <= 1000; id++) {
            place(w.avatar(id), 500 + id % 10, 500 + id / 100f);
        }
        for (int i = 0; i < 40; i++) {
            w.placeItem(600, 505); // in view, out of reach: not collected
        }
        w.advance(1, IDLE);
        StateUpdate u = w.stateFor(17);
        assertThat(u.tick()).isEqualTo(1);
        assertThat(u.self().id()).isEqualTo(17);
        assertThat(u.avatars()).hasSize(World.PREFERRED_AVATARS).noneMatch(a -> a.id() == 17);
        assertThat(u.items()).hasSize(StateUpdate.itemCapacity(World.PREFERRED_AVATARS));
        ByteBuffer buf = ByteBuffer.allocate(512);
        u.encode(buf);
        assertThat(buf.position()).isEqualTo(256);
        assertThat(w.stateFor(99_999)).isNull();
    }

    @Test
    void nearbyAvatarsAreSentNearestFirstAndFillSpareRoom() {
        World w = world();
        List<Integer> ids = new ArrayList<>();
        for (int id = 1; id <= 15; id++) {
            w.join(id);
            ids.add(id);
            place(w.avatar(id), 300 + id * 5, 300);
        }
        // Only avatars (no items nearby) -> more than the preferred 8 fit.
        w.advance(1, IDLE);
        StateUpdate u = w.stateFor(1);
        assertThat(u.items())
                .allMatch(i -> Math.hypot(i.x() - 305, i.y() - 300) <= World.INTEREST_RADIUS);
        assertThat(u.avatars().size()).isGreaterThanOrEqualTo(World.PREFERRED_AVATARS);
        assertThat(u.avatars().getFirst().id()).isEqualTo(2);
        assertThat(StateUpdate.fits(u.avatars().size(), u.items().size())).isTrue();
    }

    private static void place(Avatar a, float x, float y) {
        a.x = x;
        a.y = y;
    }
}
