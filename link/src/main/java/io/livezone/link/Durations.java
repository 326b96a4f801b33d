package io.livezone.link;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints the short duration forms a cluster file uses: {@code 50ms}, {@code 1.5s},
 * {@code 200us}, {@code 0}. ISO-8601 ({@code PT0.05S}) is accepted too.
 */
public final class Durations {
    private static final Pattern FORM =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|min|h)?");

    private Durations() {}

    /**
     * Parses a non-negative duration.
     *
     * @throws IllegalArgumentException naming the bad text and the accepted forms
     */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("duration is empty; use e.g. 50ms, 1.5s or 0");
        }
        String t = text.trim();
        if (t.startsWith("-")) {
            throw new IllegalArgumentException("duration '" + text + "' must not be negative");
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            return parseIso(text, t);
        }
        Matcher m = FORM.matcher(t.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "bad duration '"
                            + text
                            + "'; use a number and a unit: ns, us, ms, s, m or h"
                            + " (e.g. 50ms, 1.5s)");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String unit = m.group(2);
        if (unit == null) {
            if (value.signum() == 0) {
                return Duration.ZERO;
            }
            throw new IllegalArgumentException(
                    "duration '" + text + "' has no unit; write e.g. " + m.group(1) + "ms");
        }
        long unitNanos =
                switch (unit) {
                    case "ns" -> 1L;
                    case "us", "µs" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    case "s" -> 1_000_000_000L;
                    case "m", "min" -> 60_000_000_000L;
                    case "h" -> 3_600_000_000_000L;
                    default -> throw new AssertionError(unit);
                };
        BigDecimal nanos = value.multiply(BigDecimal.valueOf(unitNanos));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException(
                    "duration '" + text + "' is finer than a nanosecond");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    private static Duration parseIso(String text, String trimmed) {
        Duration d;
        try {
            d = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "bad duration '" + text + "'; use e.g. 50ms, 1.5s or ISO-8601 PT0.05S", e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration '" + text + "' must not be negative");
        }
        return d;
    }

    /**
     * The shortest exact form {@link #parse} reads back: {@code 50ms}, {@code 1500us}, {@code 0}.
     */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        if (d.isNegative()) {
            return d.toString();
        }
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            return d.toString();
        }
        long[] sizes = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] names = {"h", "m", "s", "ms", "us"};
        for (int i = 0; i < sizes.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + names[i];
            }
        }
        return nanos + "ns";
    }
}
