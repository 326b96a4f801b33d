package io.livezone.storage;

/**
 * A mirror job could not be started, failed, was cancelled or did not reach the awaited state in
 * time. By the time this is thrown the job is gone and the nodes LiveZone added for it are removed;
 * the zone's own disk is untouched.
 */
public final class BlockJobException extends StorageException {
    private final String jobId;

    public BlockJobException(String jobId, String message) {
        super(message);
        this.jobId = jobId;
    }

    public BlockJobException(String jobId, String message, Throwable cause) {
        super(message, cause);
        this.jobId = jobId;
    }

    /** QEMU's id of the job, e.g. {@code lz-disk0-push}. */
    public String jobId() {
        return jobId;
    }
}
