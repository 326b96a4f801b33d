package io.livezone.lab.faults;

import io.livezone.core.InvalidInputException;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One cell of the fault matrix: a real fault injected at one phase of a zone's move.
 *
 * @param phase where in the move the fault lands
 * @param fault what happens
 */
public record FaultCell(Phase phase, Fault fault) {

    /** Where in a move (or outside one) a fault lands, and the failpoint that holds it there. */
    public enum Phase {
        /** Memory pre-copy under way (the move's progress past 5 %). */
        PRECOPY(null),
        /** The disk mirror started; QEMU mirrors on while the source agent is held. */
        MIRROR("agent.mirror"),
        /** The source is paused at the switchover (QEMU's pre-switchover), before completion. */
        SWITCHOVER("agent.switchover"),
        /** Post-copy under way: the destination runs, the source holds the rest of memory. */
        POSTCOPY(null),
        /** The destination resumed and is confirmed running; the coordinator has not heard. */
        RESUMED("agent.resumed"),
        /** The source completed; the commit is stored; the destination not yet continued. */
        COMMIT("coordinator.commit"),
        /** The registry names the destination; the stopped source is not yet released. */
        RELEASE("coordinator.release"),
        /** No move: the zone just runs. */
        IDLE(null);

        private final String failpoint;

        Phase(String failpoint) {
            this.failpoint = failpoint;
        }

        /** The failpoint that holds the move here, or null when the phase is observed instead. */
        public String failpoint() {
            return failpoint;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A real fault. */
    public enum Fault {
        KILL_SOURCE_QEMU("kill-src-qemu"),
        KILL_DESTINATION_QEMU("kill-dst-qemu"),
        KILL_SOURCE_AGENT("kill-src-agent"),
        KILL_DESTINATION_AGENT("kill-dst-agent"),
        /** SIGSTOP of the destination's agent for longer than the commit's deadline. */
        STOP_DESTINATION_AGENT("stop-dst-agent"),
        /** Every packet between the two agents' hosts dropped, then the link heals. */
        PARTITION_AGENTS("partition-agents"),
        /** Every packet between the coordinator and the destination's host dropped, then healed. */
        PARTITION_COORDINATOR_DESTINATION("partition-coord-dst"),
        KILL_COORDINATOR("kill-coordinator"),
        KILL_GATEWAY("kill-gateway"),
        /** The destination's disk folder is too small for the zone's disk (a 384 KiB tmpfs). */
        DISK_FULL_DESTINATION("disk-full-dst"),
        /** The coordinator's database folder fills up (a small tmpfs filled to the last byte). */
        DISK_FULL_COORDINATOR("disk-full-coord"),
        /** The zone's QEMU killed while no move runs. */
        KILL_ZONE_QEMU("kill-zone-qemu");

        private final String id;

        Fault(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public String id() {
        return phase.id() + "/" + fault.id();
    }

    /**
     * Whether the fault itself destroys the zone's only complete copy, so no control plane could
     * keep it: the source killed before the destination had all of it (or, in post-copy, either
     * half), the destination killed after it ran. Such a cell passes when the zone is reported at
     * risk or failed and no copy runs anywhere.
     */
    public boolean destroysZone() {
        return switch (fault) {
            case KILL_SOURCE_QEMU ->
                    Set.of(Phase.PRECOPY, Phase.MIRROR, Phase.SWITCHOVER, Phase.POSTCOPY)
                            .contains(phase);
            case KILL_DESTINATION_QEMU ->
                    Set.of(Phase.POSTCOPY, Phase.RESUMED, Phase.RELEASE).contains(phase);
            case KILL_ZONE_QEMU -> true;
            default -> false;
        };
    }

    /** Every applicable cell, in the order a run takes them. */
    public static List<FaultCell> matrix() {
        Set<Phase> moving = EnumSet.range(Phase.PRECOPY, Phase.RELEASE);
        List<FaultCell> out = new ArrayList<>();
        for (Fault f :
                List.of(
                        Fault.KILL_SOURCE_QEMU,
                        Fault.KILL_DESTINATION_QEMU,
                        Fault.KILL_SOURCE_AGENT,
                        Fault.KILL_DESTINATION_AGENT,
                        Fault.KILL_COORDINATOR)) {
            moving.forEach(p -> out.add(new FaultCell(p, f)));
        }
        for (Phase p : List.of(Phase.SWITCHOVER, Phase.COMMIT, Phase.RESUMED)) {
            out.add(new FaultCell(p, Fault.STOP_DESTINATION_AGENT));
        }
        for (Phase p : List.of(Phase.PRECOPY, Phase.MIRROR, Phase.SWITCHOVER, Phase.POSTCOPY)) {
            out.add(new FaultCell(p, Fault.PARTITION_AGENTS));
        }
        for (Phase p : List.of(Phase.PRECOPY, Phase.SWITCHOVER, Phase.COMMIT, Phase.RESUMED)) {
            out.add(new FaultCell(p, Fault.PARTITION_COORDINATOR_DESTINATION));
        }
        // The disk mirror is what writes to the destination's disk before its commit.
        out.add(new FaultCell(Phase.MIRROR, Fault.DISK_FULL_DESTINATION));
        // The coordinator's next writes: the commit decision, then the new placement.
        for (Phase p : List.of(Phase.SWITCHOVER, Phase.COMMIT)) {
            out.add(new FaultCell(p, Fault.DISK_FULL_COORDINATOR));
        }
        out.add(new FaultCell(Phase.SWITCHOVER, Fault.KILL_GATEWAY));
        out.add(new FaultCell(Phase.COMMIT, Fault.KILL_GATEWAY));
        out.add(new FaultCell(Phase.IDLE, Fault.KILL_ZONE_QEMU));
        return List.copyOf(out);
    }

    /**
     * The cells named by {@code selectors}: each a cell id ({@code phase/fault}), a phase or a
     * fault id; empty: the whole matrix. An unknown selector is an error.
     */
    public static List<FaultCell> select(List<String> selectors) {
        if (selectors == null || selectors.isEmpty()) {
            return matrix();
        }
        List<FaultCell> out = new ArrayList<>();
        for (String s : selectors) {
            List<FaultCell> hit =
                    matrix().stream()
                            .filter(
                                    c ->
                                            c.id().equals(s)
                                                    || c.phase().id().equals(s)
                                                    || c.fault().id().equals(s))
                            .toList();
            if (hit.isEmpty()) {
                throw new InvalidInputException(
                        "no fault cell matches '"
                                + s
                                + "' (a cell phase/fault, a phase or a fault; e.g."
                                + " precopy/kill-dst-qemu)");
            }
            hit.stream().filter(c -> !out.contains(c)).forEach(out::add);
        }
        return List.copyOf(out);
    }
}
