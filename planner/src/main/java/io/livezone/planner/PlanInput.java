package io.livezone.planner;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MemorySize;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a schedule needs to know about one migration plan. Validated as a whole, so that a
 * plan that could never complete is rejected before anything moves.
 *
 * @param usedMemoryBytes zone memory in use on each host before the plan, including the zones about
 *     to leave it; hosts not listed use none
 */
public record PlanInput(
        List<Host> hosts,
        List<SiteLink> links,
        List<Move> moves,
        Map<String, Long> usedMemoryBytes,
        Caps caps) {

    public PlanInput {
        hosts = List.copyOf(Objects.requireNonNull(hosts, "hosts is null"));
        links = List.copyOf(Objects.requireNonNull(links, "links is null"));
        moves = List.copyOf(Objects.requireNonNull(moves, "moves is null"));
        usedMemoryBytes =
                Map.copyOf(Objects.requireNonNull(usedMemoryBytes, "usedMemoryBytes is null"));
        Objects.requireNonNull(caps, "caps is null");
        validate(hosts, links, moves, usedMemoryBytes);
    }

    /**
     * A plan whose hosts hold nothing but the zones that move: each source uses exactly the memory
     * of the zones leaving it.
     */
    public static PlanInput of(
            List<Host> hosts, List<SiteLink> links, List<Move> moves, Caps caps) {
        Map<String, Long> used = new LinkedHashMap<>();
        for (Move move : moves) {
            used.merge(move.source(), move.memoryBytes(), Long::sum);
        }
        return new PlanInput(hosts, links, moves, used, caps);
    }

    private static void validate(
            List<Host> hosts, List<SiteLink> links, List<Move> moves, Map<String, Long> used) {
        Map<String, Host> byId = new HashMap<>();
        Set<String> sites = new HashSet<>();
        for (Host host : hosts) {
            if (byId.put(host.id(), host) != null) {
                throw new InvalidInputException("host " + host.id() + " is listed twice");
            }
            sites.add(host.site());
        }
        Set<String> linked = new HashSet<>();
        for (SiteLink link : links) {
            for (String site : List.of(link.siteA(), link.siteB())) {
                if (!sites.contains(site)) {
                    throw new InvalidInputException(
                            "site link "
                                    + link.siteA()
                                    + "–"
                                    + link.siteB()
                                    + " names site "
                                    + site
                                    + ", which has no host; check the spelling");
                }
            }
            if (!linked.add(sitePair(link.siteA(), link.siteB()))) {
                throw new InvalidInputException(
                        "sites "
                                + link.siteA()
                                + " and "
                                + link.siteB()
                                + " have two links; give one link per pair");
            }
        }
        for (Map.Entry<String, Long> e : used.entrySet()) {
            Host host = byId.get(e.getKey());
            if (host == null) {
                throw new InvalidInputException(
                        "memory use given for unknown host " + e.getKey() + "; " + known(byId));
            }
            long bytes = Objects.requireNonNull(e.getValue(), "used memory is null");
            if (bytes < 0) {
                throw new InvalidInputException(
                        "host " + host.id() + ": used memory must be >= 0 bytes, got " + bytes);
            }
            if (bytes > host.memoryBytes()) {
                throw new InvalidInputException(
                        "host "
                                + host.id()
                                + " uses "
                                + size(bytes)
                                + " but has only "
                                + size(host.memoryBytes())
                                + "; correct its capacity or usage");
            }
        }
        Map<String, Long> leaving = new HashMap<>();
        Map<String, Long> arriving = new HashMap<>();
        Set<String> zones = new HashSet<>();
        for (Move move : moves) {
            if (!zones.add(move.zone())) {
                throw new InvalidInputException(
                        "zone "
                                + move.zone()
                                + " moves twice in one plan; give it a single destination");
            }
            Host source = requireHost(byId, move.source(), move);
            Host destination = requireHost(byId, move.destination(), move);
            if (move.memoryBytes() > destination.memoryBytes()) {
                throw new InvalidInputException(
                        "zone "
                                + move.zone()
                                + " ("
                                + size(move.memoryBytes())
                                + ") can never fit on "
                                + destination.id()
                                + ", which has "
                                + size(destination.memoryBytes())
                                + " for zones; pick a larger destination");
            }
            if (!source.site().equals(destination.site())
                    && !linked.contains(sitePair(source.site(), destination.site()))) {
                throw new InvalidInputException(
                        "zone "
                                + move.zone()
                                + " crosses from site "
                                + source.site()
                                + " to "
                                + destination.site()
                                + " but no SiteLink joins them; add one");
            }
            leaving.merge(move.source(), move.memoryBytes(), Long::sum);
            arriving.merge(move.destination(), move.memoryBytes(), Long::sum);
        }
        for (Host host : hosts) {
            long before = used.getOrDefault(host.id(), 0L);
            long out = leaving.getOrDefault(host.id(), 0L);
            long in = arriving.getOrDefault(host.id(), 0L);
            if (before < out) {
                throw new InvalidInputException(
                        "host "
                                + host.id()
                                + " is said to use "
                                + size(before)
                                + " but the zones leaving it alone take "
                                + size(out)
                                + "; used memory must include the zones that move");
            }
            if (before - out + in > host.memoryBytes()) {
                throw new InvalidInputException(
                        "after the plan host "
                                + host.id()
                                + " would hold "
                                + size(before - out + in)
                                + " of zones but has "
                                + size(host.memoryBytes())
                                + "; send fewer zones to it");
            }
        }
    }

    private static Host requireHost(Map<String, Host> byId, String id, Move move) {
        Host host = byId.get(id);
        if (host == null) {
            throw new InvalidInputException(
                    "zone " + move.zone() + " names unknown host " + id + "; " + known(byId));
        }
        return host;
    }

    private static String known(Map<String, Host> byId) {
        List<String> ids = byId.keySet().stream().sorted().limit(10).toList();
        return "known hosts: " + String.join(", ", ids) + (byId.size() > ids.size() ? ", …" : "");
    }

    static String sitePair(String a, String b) {
        return a.compareTo(b) < 0 ? a + "\u0000" + b : b + "\u0000" + a;
    }

    static String size(long bytes) {
        return new MemorySize(bytes).toString();
    }
}
