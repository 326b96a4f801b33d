package io.livezone.agent.balance;

import java.util.Optional;
import java.util.Set;

/**
 * Carries out a committed transfer: moves a zone of this host to another host and returns when the
 * move has ended either way. The live implementation asks the coordinator ({@link
 * CoordinatorZoneMover}); the conductor never moves VMs itself.
 */
@FunctionalInterface
public interface ZoneMover {
    /** How a move ended; {@code detail} says why it failed, or how it went. */
    record Outcome(boolean moved, String detail) {}

    Outcome move(String zone, String toHost);

    /**
     * The zones of {@code host} that may be moved now, or empty if every zone may. The live
     * implementation asks the coordinator, which refuses to move a zone that is still starting or
     * already being moved; a zone booting under TCG would otherwise look like the host's heaviest
     * and be proposed again and again.
     */
    default Optional<Set<String>> movableZones(String host) {
        return Optional.empty();
    }
}
