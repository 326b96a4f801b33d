package io.livezone.dve.server;

/** What a player asked for since the previous tick. */
record PlayerIntent(float moveX, float moveY, boolean shoot, int inputSeq) {
    static final PlayerIntent IDLE = new PlayerIntent(0, 0, false, 0);
}
