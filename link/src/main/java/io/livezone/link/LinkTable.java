package io.livezone.link;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The emulated links between a cluster's sites: one shared {@link EmulatedLink} per direction
 * between every two distinct sites, so that all migration and storage streams from site a to site b
 * share the a→b link's bandwidth, as they would share a real WAN link.
 *
 * <p>A profile given for {@code (a, b)} applies to both directions unless {@code (b, a)} has its
 * own. Sites with no profile between them get a {@link LinkProfile#NONE} link, which only counts
 * bytes. Within a site there is no link and no emulation.
 */
public final class LinkTable {
    private final Set<String> sites;
    private final Map<SitePair, EmulatedLink> links;

    private LinkTable(Set<String> sites, Map<SitePair, EmulatedLink> links) {
        this.sites = sites;
        this.links = links;
    }

    /** A table with random jitter. */
    public static LinkTable of(Collection<String> sites, Map<SitePair, LinkProfile> profiles) {
        return of(sites, profiles, new SplittableRandom().nextLong());
    }

    /**
     * A table whose jitter is reproducible: each link's jitter sequence is derived from {@code
     * jitterSeed} and the link's sites.
     *
     * @throws IllegalArgumentException for duplicate or blank sites, or a profile naming a site not
     *     in {@code sites}
     */
    public static LinkTable of(
            Collection<String> sites, Map<SitePair, LinkProfile> profiles, long jitterSeed) {
        Objects.requireNonNull(sites, "sites is null");
        Objects.requireNonNull(profiles, "profiles is null");
        Set<String> siteSet = new LinkedHashSet<>();
        for (String site : sites) {
            Objects.requireNonNull(site, "a site name is null");
            if (site.isBlank()) {
                throw new IllegalArgumentException("a site name is blank");
            }
            if (!siteSet.add(site)) {
                throw new IllegalArgumentException("site " + site + " is listed twice");
            }
        }
        for (Map.Entry<SitePair, LinkProfile> e : profiles.entrySet()) {
            SitePair pair = Objects.requireNonNull(e.getKey(), "a link's site pair is null");
            Objects.requireNonNull(e.getValue(), "link " + pair + " has a null profile");
            for (String site : List.of(pair.from(), pair.to())) {
                if (!siteSet.contains(site)) {
                    throw new IllegalArgumentException(
                            "link "
                                    + pair
                                    + " names unknown site "
                                    + site
                                    + "; sites are "
                                    + siteSet);
                }
            }
        }
        Map<SitePair, EmulatedLink> links = new LinkedHashMap<>();
        for (String from : siteSet) {
            for (String to : siteSet) {
                if (from.equals(to)) {
                    continue;
                }
                SitePair pair = new SitePair(from, to);
                LinkProfile profile = profiles.get(pair);
                if (profile == null) {
                    profile = profiles.getOrDefault(pair.reversed(), LinkProfile.NONE);
                }
                long seed =
                        new SplittableRandom(jitterSeed ^ pair.toString().hashCode()).nextLong();
                links.put(pair, new EmulatedLink(pair.toString(), profile, seed));
            }
        }
        return new LinkTable(Set.copyOf(siteSet), Map.copyOf(links));
    }

    public Set<String> sites() {
        return sites;
    }

    /**
     * The shared link carrying bytes from {@code from} to {@code to}; empty within one site.
     *
     * @throws IllegalArgumentException for a site not in the table
     */
    public Optional<EmulatedLink> link(String from, String to) {
        requireKnown(from);
        requireKnown(to);
        if (from.equals(to)) {
            return Optional.empty();
        }
        return Optional.of(links.get(new SitePair(from, to)));
    }

    /**
     * The links for a tunnel whose accepted connections come from site {@code from} and whose
     * target is in site {@code to} — a {@link UnixToTcpForwarder} on a host in {@code from}, or a
     * {@link TcpToUnixForwarder} on a host in {@code to}: {@code from -> to} outbound, {@code to ->
     * from} inbound; {@link LinkPair#DIRECT} within one site.
     */
    public LinkPair between(String from, String to) {
        Optional<EmulatedLink> outbound = link(from, to);
        if (outbound.isEmpty()) {
            return LinkPair.DIRECT;
        }
        return new LinkPair(outbound, link(to, from));
    }

    /** Every inter-site link, e.g. to report bytes carried per link after a benchmark. */
    public Collection<EmulatedLink> links() {
        return links.values();
    }

    private void requireKnown(String site) {
        Objects.requireNonNull(site, "site is null");
        if (!sites.contains(site)) {
            throw new IllegalArgumentException("unknown site " + site + "; sites are " + sites);
        }
    }
}
