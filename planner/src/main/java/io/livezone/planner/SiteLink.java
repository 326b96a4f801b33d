package io.livezone.planner;

import io.livezone.core.InvalidInputException;

import java.util.Objects;

/**
 * The network between two sites. Symmetric and full duplex, like a WAN circuit: {@code bytesPerSec}
 * each way, shared by every migration crossing it in that direction.
 */
public record SiteLink(String siteA, String siteB, long bytesPerSec, double rttMillis) {
    public SiteLink {
        Objects.requireNonNull(siteA, "siteA is null");
        Objects.requireNonNull(siteB, "siteB is null");
        if (siteA.equals(siteB)) {
            throw new InvalidInputException(
                    "site link "
                            + siteA
                            + "–"
                            + siteB
                            + " joins a site to itself; hosts of one site meet at their NICs");
        }
        if (bytesPerSec <= 0) {
            throw new InvalidInputException(
                    "site link "
                            + siteA
                            + "–"
                            + siteB
                            + ": bandwidth must be > 0 bytes/s, got "
                            + bytesPerSec);
        }
        if (!(rttMillis >= 0) || Double.isInfinite(rttMillis)) {
            throw new InvalidInputException(
                    "site link " + siteA + "–" + siteB + ": RTT must be >= 0 ms, got " + rttMillis);
        }
    }

    boolean joins(String a, String b) {
        return (siteA.equals(a) && siteB.equals(b)) || (siteA.equals(b) && siteB.equals(a));
    }
}
