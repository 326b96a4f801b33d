/**
 * What the coordinator does with zones whose VMs died outside a migration. Agents judge death by
 * what QEMU does (their zone watch) and repeat it in every heartbeat; {@link
 * io.livezone.coordinator.health.ZoneHealthMonitor} marks such a zone FAILED with the reason, keeps
 * the failure in the zone's history and, for a zone created with restart policy {@code restart},
 * has its agent boot it again. A report counts only from the host the registry names and for a zone
 * no plan, creation or hibernation owns at that moment, so a zone that moved away, or that is being
 * stopped or suspended, is never reported as died.
 */
package io.livezone.coordinator.health;
