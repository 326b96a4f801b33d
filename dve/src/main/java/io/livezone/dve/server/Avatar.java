package io.livezone.dve.server;

import io.livezone.dve.protocol.AvatarState;
import io.livezone.dve.protocol.AvatarView;

/** A player's avatar; mutated only by the tick thread. */
final class Avatar implements Positioned {
    static final int MAX_HEALTH = 100;

    final int id;
    float x;
    float y;
    float heading;
    int health = MAX_HEALTH;
    int score;
    int items;
    int lastInputSeq;

    Avatar(int id, float x, float y) {
        this.id = id;
        this.x = x;
        this.y = y;
    }

    @Override
    public float x() {
        return x;
    }

    @Override
    public float y() {
        return y;
    }

    float distanceSquared(Positioned other) {
        float dx = other.x() - x;
        float dy = other.y() - y;
        return dx * dx + dy * dy;
    }

    AvatarState state() {
        return new AvatarState(id, x, y, heading, health, score, items);
    }

    AvatarView view() {
        return new AvatarView(id, x, y, heading);
    }
}
