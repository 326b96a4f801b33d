package io.livezone.dve.server;

import io.livezone.dve.protocol.Protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Uniform grid over the map, rebuilt every tick, so that proximity queries (collection, shooting,
 * interest management) stay near-linear with thousands of avatars instead of quadratic.
 */
final class SpatialGrid<T extends Positioned> {
    private final float cellSize;
    private final int cellsPerSide;
    private final List<List<T>> cells;

    SpatialGrid(float cellSize) {
        this.cellSize = cellSize;
        this.cellsPerSide = (int) Math.ceil(Protocol.MAP_SIZE / cellSize);
        this.cells = new ArrayList<>(cellsPerSide * cellsPerSide);
        for (int i = 0; i < cellsPerSide * cellsPerSide; i++) {
            cells.add(new ArrayList<>());
        }
    }

    void rebuild(Iterable<? extends T> entities) {
        for (List<T> cell : cells) {
            cell.clear();
        }
        for (T e : entities) {
            cells.get(cellIndex(cell(e.x()), cell(e.y()))).add(e);
        }
    }

    /**
     * Appends to {@code out} every entity within {@code radius} of (x, y), in no particular order.
     */
    void collectWithin(float x, float y, float radius, List<? super T> out) {
        int minX = cell(x - radius);
        int maxX = cell(x + radius);
        int minY = cell(y - radius);
        int maxY = cell(y + radius);
        float r2 = radius * radius;
        for (int cy = minY; cy <= maxY; cy++) {
            for (int cx = minX; cx <= maxX; cx++) {
                for (T e : cells.get(cellIndex(cx, cy))) {
                    float dx = e.x() - x;
                    float dy = e.y() - y;
                    if (dx * dx + dy * dy <= r2) {
                        out.add(e);
                    }
                }
            }
        }
    }

    private int cell(float coordinate) {
        return Math.clamp((int) (coordinate / cellSize), 0, cellsPerSide - 1);
    }

    private int cellIndex(int cx, int cy) {
        return cy * cellsPerSide + cx;
    }
}
