package io.livezone.dve.protocol;

/** Full state of the receiving client's own avatar. */
public record AvatarState(
        int id, float x, float y, float heading, int health, int score, int items) {}
