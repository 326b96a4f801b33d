package io.livezone.storage;

/**
 * A snapshot of a mirror job ({@code query-block-jobs}).
 *
 * @param status QEMU's job status: {@code running}, {@code ready}, {@code standby} (ready but
 *     idle), {@code waiting}, {@code pending}, {@code concluded}...
 * @param offset bytes copied so far
 * @param length bytes to copy in total; grows while the guest dirties blocks already copied
 * @param ready the source and destination are in sync (BLOCK_JOB_READY was emitted); stays true
 *     while the mirror keeps copying new writes
 */
public record MirrorProgress(String jobId, String status, long offset, long length, boolean ready) {

    /** Copied fraction, 0..1 (1 for an empty job). */
    public double fraction() {
        return length == 0 ? 1.0 : Math.min(1.0, (double) offset / length);
    }

    public long remainingBytes() {
        return Math.max(0, length - offset);
    }
}
