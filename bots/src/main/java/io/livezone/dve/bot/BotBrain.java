package io.livezone.dve.bot;

import io.livezone.dve.protocol.AvatarState;
import io.livezone.dve.protocol.AvatarView;
import io.livezone.dve.protocol.ItemView;
import io.livezone.dve.protocol.Protocol;
import io.livezone.dve.protocol.StateUpdate;

import java.util.SplittableRandom;

/**
 * Player-like behaviour from the latest state update: go for the nearest visible item, otherwise
 * wander toward a random point; now and then turn on a nearby avatar and shoot (the server takes
 * the heading from the movement direction).
 */
final class BotBrain {
    /** Slightly below the server's shot range so that aimed shots usually land. */
    static final float ENGAGE_RANGE = 180f;

    private static final float ARRIVED = 15f;

    record Intent(float moveX, float moveY, boolean shoot) {
        static final Intent IDLE = new Intent(0, 0, false);
    }

    private final SplittableRandom rng;
    private final double shootProbability;
    private float wanderX = Float.NaN;
    private float wanderY;

    BotBrain(SplittableRandom rng, double shootProbability) {
        this.rng = rng;
        this.shootProbability = shootProbability;
    }

    Intent decide(StateUpdate latest) {
        if (latest == null) {
            return Intent.IDLE; // not spawned yet as far as we know
        }
        AvatarState self = latest.self();
        AvatarView enemy = nearestAvatar(self, latest);
        if (enemy != null && rng.nextDouble() < shootProbability) {
            return toward(self, enemy.x(), enemy.y(), true);
        }
        ItemView item = nearestItem(self, latest);
        if (item != null) {
            return toward(self, item.x(), item.y(), false);
        }
        if (Float.isNaN(wanderX) || distance(self.x(), self.y(), wanderX, wanderY) < ARRIVED) {
            wanderX = (float) rng.nextDouble(Protocol.MAP_SIZE);
            wanderY = (float) rng.nextDouble(Protocol.MAP_SIZE);
        }
        return toward(self, wanderX, wanderY, false);
    }

    private static AvatarView nearestAvatar(AvatarState self, StateUpdate s) {
        AvatarView best = null;
        float bestD = ENGAGE_RANGE;
        for (AvatarView a : s.avatars()) {
            float d = distance(self.x(), self.y(), a.x(), a.y());
            if (d <= bestD) {
                best = a;
                bestD = d;
            }
        }
        return best;
    }

    private static ItemView nearestItem(AvatarState self, StateUpdate s) {
        ItemView best = null;
        float bestD = Float.MAX_VALUE;
        for (ItemView i : s.items()) {
            float d = distance(self.x(), self.y(), i.x(), i.y());
            if (d < bestD) {
                best = i;
                bestD = d;
            }
        }
        return best;
    }

    private static Intent toward(AvatarState self, float x, float y, boolean shoot) {
        float dx = x - self.x();
        float dy = y - self.y();
        float len = (float) Math.sqrt(dx * dx + dy * dy);
        if (len < 1e-3f) {
            return new Intent(0, 0, shoot);
        }
        return new Intent(Math.clamp(dx / len, -1f, 1f), Math.clamp(dy / len, -1f, 1f), shoot);
    }

    private static float distance(float x1, float y1, float x2, float y2) {
        float dx = x2 - x1;
        float dy = y2 - y1;
        return (float) Math.sqrt(dx * dx + dy * dy);
    }
}
