package io.livezone.core;

/** Receives progress while a migration runs; called from the migration thread, so keep it quick. */
@FunctionalInterface
public interface MigrationListener {
    MigrationListener NONE = progress -> {};

    void onProgress(MigrationProgress progress);
}
