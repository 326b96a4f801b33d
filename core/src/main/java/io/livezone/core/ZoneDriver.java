package io.livezone.core;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs zones on one host. QEMU is the implementation today; another backend (e.g. process
 * checkpointing where the kernel allows it) can sit behind the same interface without the control
 * plane noticing.
 */
public interface ZoneDriver {
    ZoneStatus start(ZoneSpec spec);

    /**
     * Stops the zone's VM and releases everything created for it. Unknown zone: {@link
     * ZoneNotFoundException}.
     */
    void stop(String zone);

    void pause(String zone);

    void resume(String zone);

    /** Hibernates: saves the whole VM to {@code file} and stops it. */
    void suspend(String zone, Path file);

    /** Brings a hibernated zone back from {@code file}, on this driver's host. */
    ZoneStatus restore(ZoneSpec spec, Path file);

    ZoneStatus status(String zone);

    ZoneStats stats(String zone);

    List<ZoneStatus> list();

    /**
     * Live-migrates the zone to a fresh VM instance on this host; the zone keeps its MAC and IP.
     */
    MigrationReport migrateLocal(
            String zone, MigrationOptions options, SwitchoverHook hook, MigrationListener listener);
}
