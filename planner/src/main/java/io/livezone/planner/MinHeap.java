package io.livezone.planner;

import java.util.Arrays;

/**
 * A binary min-heap of (double key, long value) pairs without boxing; ties break on the value so
 * that the simulation is deterministic however entries were pushed.
 */
final class MinHeap {
    private double[] keys = new double[64];
    private long[] values = new long[64];
    private int size;

    void push(double key, long value) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(key, value, keys[parent], values[parent])) {
                break;
            }
            keys[i] = keys[parent];
            values[i] = values[parent];
            i = parent;
        }
        keys[i] = key;
        values[i] = value;
    }

    boolean isEmpty() {
        return size == 0;
    }

    double peekKey() {
        return keys[0];
    }

    long peekValue() {
        return values[0];
    }

    void pop() {
        size--;
        if (size == 0) {
            return;
        }
        double key = keys[size];
        long value = values[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size
                    && less(keys[child + 1], values[child + 1], keys[child], values[child])) {
                child++;
            }
            if (!less(keys[child], values[child], key, value)) {
                break;
            }
            keys[i] = keys[child];
            values[i] = values[child];
            i = child;
        }
        keys[i] = key;
        values[i] = value;
    }

    void clear() {
        size = 0;
    }

    private static boolean less(double k1, long v1, double k2, long v2) {
        return k1 < k2 || (k1 == k2 && v1 < v2);
    }
}
