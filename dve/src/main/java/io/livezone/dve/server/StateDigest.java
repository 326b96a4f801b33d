package io.livezone.dve.server;

import java.nio.charset.StandardCharsets;

/**
 * 64-bit hash chain over the world state: {@code digest(t) = chain(digest(t-1), stateHash(t))}.
 * Observers compare {@code prevDigest} of an update with the digest of the previous one to detect a
 * rewind or a fork (e.g. a stale copy of the VM still ticking). Not cryptographic: it detects
 * accidents, not adversaries.
 */
final class StateDigest {
    private long h;

    StateDigest(long seed) {
        h = seed;
    }

    StateDigest put(long value) {
        h = Long.rotateLeft(h ^ mix(value), 29) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        return this;
    }

    StateDigest put(float value) {
        return put(Float.floatToIntBits(value));
    }

    long finish() {
        return mix(h);
    }

    /** Digest "before tick 1": depends on the zone name so two zones never share a chain. */
    static long genesis(String zone) {
        StateDigest d = new StateDigest(0x5A4F4E45L);
        for (byte b : zone.getBytes(StandardCharsets.UTF_8)) {
            d.put(b);
        }
        return d.finish();
    }

    static long chain(long previousDigest, long stateHash) {
        return new StateDigest(previousDigest).put(stateHash).finish();
    }

    /** SplitMix64 finalizer: cheap full avalanche. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
