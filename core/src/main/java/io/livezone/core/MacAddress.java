package io.livezone.core;

import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A unicast Ethernet address. A zone keeps its MAC for life so switches and peers need not relearn
 * more than the port.
 */
public record MacAddress(String value) {
    private static final Pattern FORM = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");

    public MacAddress {
        if (value == null || !FORM.matcher(value.toLowerCase(Locale.ROOT)).matches()) {
            throw new InvalidInputException(
                    "bad MAC address '" + value + "'; use e.g. 52:54:00:12:34:56");
        }
        value = value.toLowerCase(Locale.ROOT);
        if ((HexFormat.fromHexDigits(value.substring(0, 2)) & 1) != 0) {
            throw new InvalidInputException(
                    "MAC address " + value + " is multicast; a zone needs a unicast address");
        }
    }

    /**
     * A stable locally-administered address (QEMU's 52:54:00 prefix) derived from the zone name.
     */
    public static MacAddress forZone(String zoneName) {
        int h = zoneName.hashCode();
        return new MacAddress(
                String.format(
                        "52:54:00:%02x:%02x:%02x", (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff));
    }

    @Override
    public String toString() {
        return value;
    }
}
