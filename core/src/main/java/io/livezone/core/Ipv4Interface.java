package io.livezone.core;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 address with its prefix length, e.g. 10.213.0.10/24. */
public record Ipv4Interface(Inet4Address address, int prefixLength) {
    private static final Pattern DOTTED =
            Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public Ipv4Interface {
        if (address == null) {
            throw new InvalidInputException("IPv4 address is missing");
        }
        if (prefixLength < 8 || prefixLength > 30) {
            throw new InvalidInputException(
                    "prefix length /" + prefixLength + " out of range 8..30");
        }
    }

    public static Ipv4Interface parse(String text) {
        if (text == null) {
            throw new InvalidInputException("IPv4 address is missing");
        }
        String[] parts = text.trim().split("/", -1);
        if (parts.length != 2) {
            throw new InvalidInputException(
                    "bad address '" + text + "'; use ADDRESS/PREFIX, e.g. 10.213.0.10/24");
        }
        try {
            return new Ipv4Interface(parseAddress(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new InvalidInputException("bad prefix length in '" + text + "'");
        }
    }

    /** Parses dotted-quad text without ever doing a DNS lookup. */
    public static Inet4Address parseAddress(String text) {
        var m = DOTTED.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new InvalidInputException("bad IPv4 address '" + text + "'");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(m.group(i + 1));
            if (v > 255) {
                throw new InvalidInputException("bad IPv4 address '" + text + "'");
            }
            b[i] = (byte) v;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public String addressText() {
        return address.getHostAddress();
    }

    @Override
    public String toString() {
        return addressText() + "/" + prefixLength;
    }
}
