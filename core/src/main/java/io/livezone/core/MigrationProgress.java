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

    /**
     * True once the destination runs the zone and the source never will again: the migration
     * completed, or post-copy began. Players' traffic is handed over to the destination here.
     */
    public boolean handedOver() {
        return status.equals("completed") || status.equals("postcopy-active");
    }
}
