package io.livezone.qemu.qmp;

/** Handle for an event listener; {@link #close()} unregisters it (idempotent). */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
