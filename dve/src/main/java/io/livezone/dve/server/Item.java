package io.livezone.dve.server;

import io.livezone.dve.protocol.ItemView;

/** A collectible item lying on the map. */
record Item(int id, float x, float y) implements Positioned {
    ItemView view() {
        return new ItemView(id, x, y);
    }
}
