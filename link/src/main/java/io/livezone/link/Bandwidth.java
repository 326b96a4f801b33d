package io.livezone.link;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints link bandwidths, always as bytes per second (0 = unlimited).
 *
 * <p>Bits use the {@code tc} spelling ({@code 100mbit}, {@code 1gbit}, {@code 10Mbit/s}); bytes
 * need a capital {@code B} and {@code /s} ({@code 12.5MB/s}, {@code 64MiB/s}). Prefixes are SI
 * (1000) except the binary {@code Ki/Mi/Gi/Ti}. {@code Mbps} and {@code mb/s} are refused: tools
 * disagree whether they mean bits or bytes, and a factor of eight is not a typo worth guessing.
 */
public final class Bandwidth {
    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(\\S*)");
    private static final Pattern BITS =
            Pattern.compile("([kmgt]?)bits?(?:/s|ps)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern BYTES = Pattern.compile("([kKMGT]?)(i?)B/s");
    private static final Pattern AMBIGUOUS =
            Pattern.compile("([kmgt]?)(?:i?)(?:bps|b/s)", Pattern.CASE_INSENSITIVE);

    private Bandwidth() {}

    /**
     * Parses a bandwidth into bytes per second; {@code 0}, {@code unlimited} and {@code none} give
     * 0 (no limit).
     *
     * @throws IllegalArgumentException naming the bad text and the accepted forms
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                    "bandwidth is empty; use e.g. 100mbit, 12.5MB/s or unlimited");
        }
        String t = text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("unlimited") || lower.equals("none")) {
            return 0;
        }
        if (t.startsWith("-")) {
            throw new IllegalArgumentException(
                    "bandwidth '" + text + "' must not be negative (0 means unlimited)");
        }
        Matcher m = NUMBER_AND_UNIT.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "bad bandwidth '" + text + "'; use e.g. 100mbit, 1gbit, 12.5MB/s or 64MiB/s");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String unit = m.group(2);
        BigDecimal bytesPerSec;
        Matcher u;
        if (unit.isEmpty()) {
            if (value.signum() == 0) {
                return 0;
            }
            throw new IllegalArgumentException(
                    "bandwidth '"
                            + text
                            + "' has no unit; write e.g. "
                            + m.group(1)
                            + "mbit (bits) or "
                            + m.group(1)
                            + "MB/s (bytes)");
        } else if ((u = BITS.matcher(unit)).matches()) {
            bytesPerSec =
                    value.multiply(BigDecimal.valueOf(siPrefix(u.group(1))))
                            .divide(BigDecimal.valueOf(8));
        } else if ((u = BYTES.matcher(unit)).matches()) {
            long multiplier =
                    u.group(2).isEmpty() ? siPrefix(u.group(1)) : binaryPrefix(text, u.group(1));
            bytesPerSec = value.multiply(BigDecimal.valueOf(multiplier));
        } else if ((u = AMBIGUOUS.matcher(unit)).matches()) {
            String p = u.group(1);
            throw new IllegalArgumentException(
                    "ambiguous bandwidth unit in '"
                            + text
                            + "'; write "
                            + m.group(1)
                            + p.toLowerCase(Locale.ROOT)
                            + "bit for bits or "
                            + m.group(1)
                            + p.toUpperCase(Locale.ROOT)
                            + "B/s for bytes per second");
        } else {
            throw new IllegalArgumentException(
                    "unknown bandwidth unit '"
                            + unit
                            + "' in '"
                            + text
                            + "'; use bit, kbit, mbit, gbit or B/s, KB/s, MB/s, GB/s, MiB/s");
        }
        if (bytesPerSec.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("bandwidth '" + text + "' is too large");
        }
        long rounded = bytesPerSec.setScale(0, RoundingMode.HALF_UP).longValueExact();
        if (rounded == 0 && bytesPerSec.signum() > 0) {
            throw new IllegalArgumentException(
                    "bandwidth '" + text + "' is below 1 byte/s; use 0 for unlimited");
        }
        return rounded;
    }

    private static long siPrefix(String prefix) {
        return switch (prefix.toLowerCase(Locale.ROOT)) {
            case "" -> 1L;
            case "k" -> 1_000L;
            case "m" -> 1_000_000L;
            case "g" -> 1_000_000_000L;
            case "t" -> 1_000_000_000_000L;
            default -> throw new AssertionError(prefix);
        };
    }

    private static long binaryPrefix(String text, String prefix) {
        return switch (prefix) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            case "T" -> 1L << 40;
            default ->
                    throw new IllegalArgumentException(
                            "bad binary prefix in '" + text + "'; use KiB/s, MiB/s or GiB/s");
        };
    }

    /**
     * Prints bytes per second the way network people read it: {@code 100 Mbit/s}, {@code 12.5
     * Mbit/s}, {@code unlimited}.
     */
    public static String format(long bytesPerSec) {
        if (bytesPerSec < 0) {
            throw new IllegalArgumentException("bandwidth must not be negative: " + bytesPerSec);
        }
        if (bytesPerSec == 0) {
            return "unlimited";
        }
        BigDecimal bits = BigDecimal.valueOf(bytesPerSec).multiply(BigDecimal.valueOf(8));
        String[] names = {"Tbit/s", "Gbit/s", "Mbit/s", "kbit/s"};
        long[] sizes = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < sizes.length; i++) {
            if (bits.compareTo(BigDecimal.valueOf(sizes[i])) >= 0) {
                BigDecimal v =
                        bits.divide(BigDecimal.valueOf(sizes[i]), 3, RoundingMode.HALF_UP)
                                .stripTrailingZeros();
                return v.toPlainString() + " " + names[i];
            }
        }
        return bits.toPlainString() + " bit/s";
    }
}
