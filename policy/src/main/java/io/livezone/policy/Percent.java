package io.livezone.policy;

import io.livezone.core.InvalidInputException;

import java.util.Locale;

/** A CPU share in % of one host, as the load-balancing records carry it. */
final class Percent {
    private Percent() {}

    static double requireLoad(double pct, String what) {
        if (!Double.isFinite(pct) || pct < 0) {
            throw new InvalidInputException(what + " must be a finite number >= 0 %, got " + pct);
        }
        return pct;
    }

    static String format(double pct) {
        return String.format(Locale.ROOT, "%.1f%%", pct);
    }
}
