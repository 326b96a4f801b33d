package io.livezone.coordinator.plan;

import io.livezone.core.ZoneStatus;

import java.util.Optional;

/**
 * What to do with a move that did not end cleanly, decided from what both hosts' QEMU processes say
 * — never from what the coordinator believed when it lost track. One pure function, shared by the
 * move transaction (after a failed step) and by recovery (after a coordinator restart), so the
 * rules that keep a zone from being lost or run twice are written once:
 *
 * <ul>
 *   <li>A destination runs only after the move's commit (or once post-copy began). So a destination
 *       that is waiting, arrived-but-paused, failed before running or absent never executed guest
 *       code: the source may resume once that destination is gone (fenced).
 *   <li>A destination that runs holds the zone: it is adopted and the source released; a source is
 *       never resumed after its destination ran.
 *   <li>After post-copy began, neither half alone holds the zone: the source is never resumed and
 *       the destination never discarded.
 *   <li>While a host whose copy matters cannot be asked, nothing is resumed or discarded: the move
 *       waits, and past its deadline the zone is reported at risk, everything left as it is.
 * </ul>
 */
public final class MoveResolution {
    private MoveResolution() {}

    /** How far the move had got, as the coordinator stored it. */
    public enum Phase {
        /** Pre-copy (or preparing): the source can take the zone back. */
        TRANSFER,
        /** Post-copy began: the point of no return. */
        POSTCOPY,
        /**
         * The source completed; the commit was decided (reversible while the destination never
         * ran).
         */
        COMMITTING
    }

    /** One host's copy of the zone, as its agent reports it. */
    public enum Kind {
        /** The agent did not answer. */
        UNREACHABLE,
        /** The host has no copy of the zone. */
        ABSENT,
        RUNNING,
        /** Stopped with the zone's state (a source after its switchover or a failed migration). */
        STOPPED,
        /** Still sending the zone (an outgoing migration under way). */
        MIGRATING,
        /** A destination receiving the stream: incomplete, never ran. */
        WAITING,
        /** A destination holding the complete stream, paused, never ran. */
        ARRIVED,
        /**
         * A destination holding the complete stream, paused, that its agent marked to run: its
         * continue may have come or not (the agent died in between), so it may have run.
         */
        ARRIVED_MARKED,
        /** A destination that ended before it ever ran. */
        ARRIVAL_FAILED,
        /** A copy that ran and whose process is gone. */
        DEAD,
        /** Anything else (e.g. suspended): not a copy this move made. */
        OTHER
    }

    /**
     * @param postcopy the copy's own QEMU reports post-copy (a source whose migration is, or was,
     *     in post-copy): past the point of no return even if the coordinator never stored it
     */
    public record Side(Kind kind, boolean postcopy, String detail) {
        public static Side unreachable(String why) {
            return new Side(Kind.UNREACHABLE, false, why);
        }

        /** What an agent's zone list says about one zone ({@code empty}: it has none). */
        public static Side of(Optional<ZoneStatus> status) {
            if (status.isEmpty()) {
                return new Side(Kind.ABSENT, false, "no copy");
            }
            ZoneStatus z = status.get();
            String q = z.qemuStatus();
            boolean postcopy = q.contains("postcopy");
            Kind kind =
                    switch (z.state()) {
                        case RUNNING -> Kind.RUNNING;
                        case PAUSED ->
                                q.equals(ZoneStatus.ARRIVED_MARKED)
                                        ? Kind.ARRIVED_MARKED
                                        : Kind.STOPPED;
                        case MIGRATING -> Kind.MIGRATING;
                        case INCOMING -> q.equals(ZoneStatus.ARRIVED) ? Kind.ARRIVED : Kind.WAITING;
                        case ARRIVAL_FAILED -> Kind.ARRIVAL_FAILED;
                        case DEAD -> Kind.DEAD;
                        case SUSPENDED -> Kind.OTHER;
                    };
            return new Side(kind, postcopy, z.state() + " (" + q + ")");
        }

        boolean neverRanHere() {
            return kind == Kind.WAITING
                    || kind == Kind.ARRIVED
                    || kind == Kind.ARRIVAL_FAILED
                    || kind == Kind.ABSENT;
        }
    }

    /** The decision. */
    public sealed interface Action {
        /** The destination runs the zone: name it in the registry, then release the source. */
        record AdoptDestination() implements Action {}

        /** The destination holds the whole zone, paused: continue it (the commit). */
        record Commit() implements Action {}

        /**
         * The destination never ran: discard it (unless absent), then resume the source if it is
         * stopped. The zone stays where it was.
         */
        record RollBack(boolean resumeSource) implements Action {}

        /**
         * Post-copy paused (its stream broke or stalled) with both halves alive: the destination
         * listens again, the source resumes sending to it, then the commit.
         */
        record RecoverPostcopy() implements Action {}

        /** The source still migrates: ask it to cancel, then look again. */
        record CancelAndWait() implements Action {}

        /** A copy that matters cannot be asked yet: change nothing, look again later. */
        record Wait(String why) implements Action {}

        /**
         * Nothing can be done without losing players' data or running the zone twice: change
         * nothing and say so (the zone is at risk).
         */
        record AtRisk(String why) implements Action {}
    }

    public static Action decide(Phase phase, Side source, Side destination) {
        boolean noReturn = phase == Phase.POSTCOPY || source.postcopy();
        Kind s = source.kind();
        Kind d = destination.kind();

        if (d == Kind.RUNNING) {
            if (s == Kind.RUNNING && !noReturn) {
                // Cannot happen under the protocol (the destination runs only after the commit
                // or in post-copy, and then the source never resumes). If it does, the copy the
                // registry still names, the source, stays; the never-confirmed one is stopped.
                return new Action.RollBack(false);
            }
            return new Action.AdoptDestination();
        }
        if (noReturn) {
            return switch (d) {
                case UNREACHABLE -> new Action.Wait("destination unreachable during post-copy");
                case ARRIVED, ARRIVED_MARKED, WAITING -> new Action.Commit();
                case MIGRATING -> inPostcopy(source, destination);
                default ->
                        new Action.AtRisk(
                                "post-copy was interrupted and the destination's copy is "
                                        + destination.detail()
                                        + "; the source, "
                                        + source.detail()
                                        + ", lacks the pages the destination changed: neither"
                                        + " copy is resumed");
            };
        }
        if (d == Kind.MIGRATING && destination.postcopy()) {
            // The destination reports post-copy although the coordinator never stored it (it
            // restarted in between): past the point of no return all the same.
            return inPostcopy(source, destination);
        }
        if (d == Kind.ARRIVED_MARKED) {
            // It holds the whole zone and may have run, so the source (stopped at the switchover
            // for good) is never resumed: going forward keeps every acknowledged input.
            return switch (s) {
                case RUNNING, MIGRATING ->
                        new Action.AtRisk(
                                "the destination holds the whole zone and may have run, yet the"
                                        + " source is "
                                        + source.detail()
                                        + ": neither copy is resumed or discarded");
                default -> new Action.Commit();
            };
        }
        if (d == Kind.ARRIVED) {
            return switch (s) {
                case RUNNING -> new Action.RollBack(false);
                case MIGRATING -> new Action.CancelAndWait();
                // The source completed (it stopped for good, or it is gone): going forward is
                // the only way that keeps every acknowledged input.
                default -> new Action.Commit();
            };
        }
        if (destination.neverRanHere()) {
            return switch (s) {
                case RUNNING -> new Action.RollBack(false);
                case STOPPED -> new Action.RollBack(true);
                case MIGRATING -> new Action.CancelAndWait();
                case UNREACHABLE ->
                        new Action.Wait("source unreachable, destination " + destination.detail());
                default ->
                        new Action.AtRisk(
                                "the source's copy is "
                                        + source.detail()
                                        + " and the destination never received the whole zone ("
                                        + destination.detail()
                                        + ")");
            };
        }
        if (d == Kind.UNREACHABLE) {
            if (s == Kind.RUNNING && phase == Phase.TRANSFER) {
                // Before a commit the destination cannot have run: the source holds the zone.
                return new Action.RollBack(false);
            }
            return new Action.Wait("destination unreachable, source " + source.detail());
        }
        // The destination ran and its process is gone (DEAD), or holds something else.
        if (s == Kind.RUNNING) {
            return new Action.RollBack(false);
        }
        return new Action.AtRisk(
                "the destination's copy is "
                        + destination.detail()
                        + " after it ran; the source's copy ("
                        + source.detail()
                        + ") holds the zone as it was at the switchover and is kept as it is:"
                        + " resuming it would lose what players did since");
    }

    /** Both halves of a post-copy exist: recover it once it paused, wait while it flows. */
    private static Action inPostcopy(Side source, Side destination) {
        return switch (source.kind()) {
            case UNREACHABLE -> new Action.Wait("source unreachable during post-copy");
            case MIGRATING ->
                    source.detail().contains("postcopy-paused")
                            ? new Action.RecoverPostcopy()
                            : new Action.Wait("post-copy still sending");
            case STOPPED ->
                    source.postcopy()
                            ? new Action.RecoverPostcopy()
                            : new Action.AtRisk(
                                    "the destination is in post-copy ("
                                            + destination.detail()
                                            + ") but the source, "
                                            + source.detail()
                                            + ", is not: neither copy is resumed");
            default ->
                    new Action.AtRisk(
                            "post-copy was interrupted and the source's copy is "
                                    + source.detail()
                                    + "; the destination ("
                                    + destination.detail()
                                    + ") lacks the pages the source still held: neither copy"
                                    + " is resumed");
        };
    }
}
