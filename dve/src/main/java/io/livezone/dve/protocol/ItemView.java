package io.livezone.dve.protocol;

/** A collectible item as seen in a state update. */
public record ItemView(int id, float x, float y) {}
