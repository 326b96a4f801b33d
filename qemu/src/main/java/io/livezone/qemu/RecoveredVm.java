package io.livezone.qemu;

import io.livezone.core.ZoneState;

/**
 * What an agent's start-up found and did for one live VM a previous agent process left (see {@link
 * OrphanDecision}).
 *
 * @param instance the QEMU instance
 * @param runState QEMU's run state after the action; null if its monitor did not answer
 * @param migrationStatus QEMU's migration status after the action; null if unknown
 * @param report the state to report for the zone; null if unknown
 * @param note what to tell the coordinator and operator; null when there is nothing to say
 */
public record RecoveredVm(
        String zone,
        String instance,
        OrphanDecision.Role role,
        String runState,
        String migrationStatus,
        OrphanDecision.Action action,
        ZoneState report,
        String note) {}
