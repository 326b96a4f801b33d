package io.livezone.dve.protocol;

/** Another avatar as seen in a state update. */
public record AvatarView(int id, float x, float y, float heading) {}
