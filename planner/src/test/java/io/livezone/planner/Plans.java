package io.livezone.planner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small hand-checkable plans: hosts in one site (no RTT) with 10 MB/s NICs and 100 MB zones, so a
 * lone migration without dirty pages takes 1 s of setup plus 10 s of transfer under {@link #MODEL}.
 */
final class Plans {
    static final long MB = 1_000_000;
    static final long NIC = 10 * MB;
    static final long ZONE = 100 * MB;

    /** 1 s setup, no handshakes, full line rate, 1/8 s downtime limit (exact in binary). */
    static final MigrationTimeModel MODEL = new MigrationTimeModel(1.0, 0, 1.0, 0.125, true);

    static final PlanSimulator SIMULATOR = new PlanSimulator(MODEL);

    private final List<Host> hosts = new ArrayList<>();
    private final List<SiteLink> links = new ArrayList<>();
    private final List<Move> moves = new ArrayList<>();
    private final Map<String, Long> used = new LinkedHashMap<>();
    private Caps caps = Caps.NONE;
    private boolean explicitUse;

    static Plans plan() {
        return new Plans();
    }

    /** Hosts with room for plenty of zones. */
    Plans hosts(String... ids) {
        for (String id : ids) {
            host(id, NIC, 10 * ZONE);
        }
        return this;
    }

    Plans host(String id, long nic, long memory) {
        return host(id, "site", nic, memory);
    }

    Plans host(String id, String site, long nic, long memory) {
        hosts.add(new Host(id, site, nic, memory));
        return this;
    }

    Plans link(String a, String b, long bytesPerSec, double rttMillis) {
        links.add(new SiteLink(a, b, bytesPerSec, rttMillis));
        return this;
    }

    Plans move(String zone, String from, String to) {
        return move(zone, from, to, 0);
    }

    Plans move(String zone, String from, String to, long dirty) {
        moves.add(new Move(zone, from, to, ZONE, 0, dirty));
        return this;
    }

    Plans move(Move move) {
        moves.add(move);
        return this;
    }

    /** Memory in use on {@code host} before the plan; once called, only explicit uses count. */
    Plans used(String host, long bytes) {
        explicitUse = true;
        used.put(host, bytes);
        return this;
    }

    Plans caps(Caps value) {
        caps = value;
        return this;
    }

    PlanInput build() {
        if (explicitUse) {
            return new PlanInput(hosts, links, moves, used, caps);
        }
        return PlanInput.of(hosts, links, moves, caps);
    }

    static PlanResult simulate(PlanInput input, String policy) {
        return SIMULATOR.simulate(input, MigrationSchedulePolicy.byName(policy, MODEL));
    }
}
