package io.livezone.core;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of memory in bytes; parses the forms operators type: 256M, 256MiB, 1G, 1.5GiB, 65536.
 */
public record MemorySize(long bytes) implements Comparable<MemorySize> {
    private static final Pattern FORM =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);
    public static final long MIB = 1024L * 1024;

    public MemorySize {
        if (bytes < 0) {
            throw new InvalidInputException("memory size must not be negative: " + bytes);
        }
    }

    public static MemorySize ofMiB(long mib) {
        return new MemorySize(Math.multiplyExact(mib, MIB));
    }

    public static MemorySize parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("memory size is empty; use e.g. 256M or 1G");
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidInputException(
                    "bad memory size '" + text + "'; use e.g. 256M, 512MiB or 1G");
        }
        double value = Double.parseDouble(m.group(1));
        long unit =
                switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "k" -> 1024L;
                    case "m" -> MIB;
                    case "g" -> MIB * 1024;
                    case "t" -> MIB * 1024 * 1024;
                    default -> 1L;
                };
        double bytes = value * unit;
        if (bytes > Long.MAX_VALUE / 2) {
            throw new InvalidInputException("memory size '" + text + "' is too large");
        }
        return new MemorySize((long) bytes);
    }

    public long mib() {
        return bytes / MIB;
    }

    public double gib() {
        return bytes / (double) (MIB * 1024);
    }

    @Override
    public int compareTo(MemorySize other) {
        return Long.compare(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return bytes % MIB == 0 ? mib() + "MiB" : bytes + "B";
    }
}
