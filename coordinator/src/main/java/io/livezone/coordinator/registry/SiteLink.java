package io.livezone.coordinator.registry;

import io.livezone.core.cluster.LinkSettings;

/** The emulated link between two sites (symmetric). */
public record SiteLink(String siteA, String siteB, LinkSettings settings) {
    public boolean joins(String a, String b) {
        return (siteA.equals(a) && siteB.equals(b)) || (siteA.equals(b) && siteB.equals(a));
    }
}
