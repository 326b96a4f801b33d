package io.livezone.core;

/**
 * Called at the exact moment a migration's source has stopped and before the device state is sent
 * (QEMU's pause-before-switchover), so e.g. a gateway can start holding the zone's inbound traffic.
 * Keep it short: the zone is paused while it runs. Throwing aborts the migration; the source
 * resumes.
 */
@FunctionalInterface
public interface SwitchoverHook {
    SwitchoverHook NONE = zone -> {};

    void atSwitchover(String zone) throws Exception;
}
