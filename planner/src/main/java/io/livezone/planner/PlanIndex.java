package io.livezone.planner;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An integer-indexed view of a {@link PlanInput}, built once per plan so that schedules and the
 * simulator never hash names in their event loops. Moves and hosts keep their input positions.
 *
 * <p>Network resources, each with one capacity shared by the flows using it: {@code out(h)} and
 * {@code in(h)} are the two directions of host h's NIC, then two per site link (one per direction).
 * A migration uses its source's out, its destination's in and, across sites, the link direction it
 * crosses.
 */
final class PlanIndex {
    final PlanInput input;
    final int hosts;
    final int moves;
    final int resources;
    final int[] source;
    final int[] destination;
    final long[] memory;
    final long[] disk;
    final double[] dirty;
    final double[] rttSeconds;
    final long[] hostMemory;
    final long[] usedMemory;

    /** Nominal bytes/s of each resource. */
    final double[] capacity;

    /** Up to three resources per move at {@code 3m..3m+2}, -1 when unused. */
    final int[] moveResources;

    final String[] resourceNames;
    final double perMoveCap;
    private final Map<String, Integer> moveByZone;
    private final Map<String, Integer> hostById;

    private PlanIndex(PlanInput input) {
        this.input = input;
        List<Host> hostList = input.hosts();
        List<Move> moveList = input.moves();
        List<SiteLink> links = input.links();
        hosts = hostList.size();
        moves = moveList.size();
        resources = 2 * hosts + 2 * links.size();
        hostById = new HashMap<>(hosts * 2);
        hostMemory = new long[hosts];
        usedMemory = new long[hosts];
        capacity = new double[resources];
        resourceNames = new String[resources];
        for (int h = 0; h < hosts; h++) {
            Host host = hostList.get(h);
            hostById.put(host.id(), h);
            hostMemory[h] = host.memoryBytes();
            usedMemory[h] = input.usedMemoryBytes().getOrDefault(host.id(), 0L);
            capacity[out(h)] = host.nicBytesPerSec();
            capacity[in(h)] = host.nicBytesPerSec();
            resourceNames[out(h)] = "host " + host.id() + " outbound";
            resourceNames[in(h)] = "host " + host.id() + " inbound";
        }
        Map<String, Integer> linkByPair = new HashMap<>();
        for (int l = 0; l < links.size(); l++) {
            SiteLink link = links.get(l);
            linkByPair.put(PlanInput.sitePair(link.siteA(), link.siteB()), l);
            capacity[linkResource(l, 0)] = link.bytesPerSec();
            capacity[linkResource(l, 1)] = link.bytesPerSec();
            resourceNames[linkResource(l, 0)] = "link " + link.siteA() + "→" + link.siteB();
            resourceNames[linkResource(l, 1)] = "link " + link.siteB() + "→" + link.siteA();
        }
        source = new int[moves];
        destination = new int[moves];
        memory = new long[moves];
        disk = new long[moves];
        dirty = new double[moves];
        rttSeconds = new double[moves];
        moveResources = new int[3 * moves];
        moveByZone = new HashMap<>(moves * 2);
        for (int m = 0; m < moves; m++) {
            Move move = moveList.get(m);
            moveByZone.put(move.zone(), m);
            int s = hostById.get(move.source());
            int d = hostById.get(move.destination());
            source[m] = s;
            destination[m] = d;
            memory[m] = move.memoryBytes();
            disk[m] = move.diskBytes();
            dirty[m] = move.dirtyBytesPerSec();
            moveResources[3 * m] = out(s);
            moveResources[3 * m + 1] = in(d);
            moveResources[3 * m + 2] = -1;
            String siteS = hostList.get(s).site();
            String siteD = hostList.get(d).site();
            if (!siteS.equals(siteD)) {
                int l = linkByPair.get(PlanInput.sitePair(siteS, siteD));
                SiteLink link = links.get(l);
                moveResources[3 * m + 2] = linkResource(l, link.siteA().equals(siteS) ? 0 : 1);
                rttSeconds[m] = link.rttMillis() / 1000.0;
            }
        }
        perMoveCap = input.caps().maxBytesPerSecPerMove();
    }

    static PlanIndex of(PlanInput input) {
        return new PlanIndex(input);
    }

    int out(int host) {
        return host;
    }

    int in(int host) {
        return hosts + host;
    }

    private int linkResource(int link, int direction) {
        return 2 * hosts + 2 * link + direction;
    }

    /**
     * The fastest move {@code m} can go with the network to itself, at {@code efficiency} of
     * nominal capacity; QEMU's max-bandwidth limits the stream itself, so it is not scaled.
     */
    double aloneRate(int m, double efficiency) {
        double rate = Double.POSITIVE_INFINITY;
        for (int k = 3 * m; k < 3 * m + 3; k++) {
            int r = moveResources[k];
            if (r >= 0) {
                rate = Math.min(rate, capacity[r] * efficiency);
            }
        }
        return perMoveCap > 0 ? Math.min(rate, perMoveCap) : rate;
    }

    Move move(int m) {
        return input.moves().get(m);
    }

    String hostId(int h) {
        return input.hosts().get(h).id();
    }

    /** Index of {@code zone}, or -1. */
    int moveIndex(String zone) {
        Integer m = moveByZone.get(zone);
        return m == null ? -1 : m;
    }

    /** Index of {@code host}, or -1. */
    int hostIndex(String host) {
        Integer h = hostById.get(host);
        return h == null ? -1 : h;
    }
}
