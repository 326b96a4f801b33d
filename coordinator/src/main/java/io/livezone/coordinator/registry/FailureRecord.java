package io.livezone.coordinator.registry;

import io.livezone.core.ZoneFailure;

import java.util.Objects;

/**
 * One death of a zone's VM outside a migration, as the coordinator recorded it: it stays in the
 * zone's history whatever happens next (a restart, a move) until the zone is deleted.
 *
 * @param id the record's number, 0 before it is stored
 * @param host the host whose agent reported it
 * @param failure what the agent saw
 * @param outcome what the coordinator did: {@code reported}, {@code restarting}, {@code restarted},
 *     {@code restart failed: …} or {@code not restarted: …}
 */
public record FailureRecord(long id, String host, ZoneFailure failure, String outcome) {
    public FailureRecord {
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(failure, "failure is null");
        Objects.requireNonNull(outcome, "outcome is null");
    }

    public String zone() {
        return failure.zone();
    }

    /**
     * The death of the same VM: every heartbeat repeats a death, and an agent that restarts notices
     * it again at another time.
     */
    public boolean sameVm(String otherHost, ZoneFailure other) {
        return host.equals(otherHost)
                && failure.zone().equals(other.zone())
                && failure.instance().equals(other.instance());
    }

    FailureRecord withId(long newId) {
        return new FailureRecord(newId, host, failure, outcome);
    }

    public FailureRecord withOutcome(String newOutcome) {
        return new FailureRecord(id, host, failure, newOutcome);
    }
}
