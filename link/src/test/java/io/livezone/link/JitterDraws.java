package io.livezone.link;

import java.util.ArrayList;
import java.util.List;

/**
 * The jitter a link draws, recovered from {@link EmulatedLink#transmit} on a link with jitter only
 * (no latency, no rate): a chunk arrives at "now + jitter", where "now" is read inside the call, so
 * clock readings just before and after the call bound the jitter from both sides. Comparing such
 * bounds needs no tolerance that a busy machine could exceed.
 */
record JitterDraws(List<long[]> bounds) {

    /** Sends {@code n} one-byte chunks, each on its own (no ordering constraint). */
    static JitterDraws of(EmulatedLink link, int n) throws InterruptedException {
        List<long[]> bounds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long before = System.nanoTime();
            long arrival = link.transmit(1, Long.MIN_VALUE);
            long after = System.nanoTime();
            bounds.add(new long[] {arrival - after, arrival - before});
        }
        return new JitterDraws(List.copyOf(bounds));
    }

    /** True if every draw may have been the same as the other's draw of the same index. */
    boolean couldEqual(JitterDraws other) {
        if (bounds.size() != other.bounds.size()) {
            return false;
        }
        for (int i = 0; i < bounds.size(); i++) {
            long[] a = bounds.get(i);
            long[] b = other.bounds.get(i);
            if (Math.max(a[0], b[0]) > Math.min(a[1], b[1])) {
                return false;
            }
        }
        return true;
    }
}
