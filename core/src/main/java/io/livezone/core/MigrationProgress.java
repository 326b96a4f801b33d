package io.livezone.core;

/** A progress sample during a migration (from QEMU's query-migrate). */
public record MigrationProgress(
        String zone,
        String status,
        long elapsedMillis,
        long transferredBytes,
        long remainingBytes,
        long totalBytes,
        long dirtySyncCount,
        double mbps,
        long dirtyPagesRate) {
    public double percent() {
        return totalBytes <= 0 ? 0 : 100.0 * (totalBytes - remainingBytes) / totalBytes;
    }
}
