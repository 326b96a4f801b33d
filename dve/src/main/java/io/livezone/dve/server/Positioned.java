package io.livezone.dve.server;

/** Anything placed on the map, for spatial queries. */
interface Positioned {
    float x();

    float y();
}
