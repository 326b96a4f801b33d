package io.livezone.link;

import java.util.Objects;

/** An ordered pair of distinct sites: the direction {@code from -> to} of an inter-site link. */
public record SitePair(String from, String to) {
    public SitePair {
        requireSite(from, "from");
        requireSite(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException(
                    "site " + from + " has no link to itself; traffic within a site is direct");
        }
    }

    private static void requireSite(String site, String what) {
        Objects.requireNonNull(site, what + " site is null");
        if (site.isBlank()) {
            throw new IllegalArgumentException(what + " site name is blank");
        }
    }

    public static SitePair of(String from, String to) {
        return new SitePair(from, to);
    }

    public SitePair reversed() {
        return new SitePair(to, from);
    }

    @Override
    public String toString() {
        return from + "->" + to;
    }
}
