package io.livezone.qemu;

import io.livezone.qemu.qmp.EventWaiter;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpEvent;

import java.time.Duration;

/**
 * A destination VM waiting for its migration stream. It keeps the QMP connection open from the
 * moment the VM listens, so the RESUME event that ends the migration cannot be missed.
 */
public final class IncomingMigration implements AutoCloseable {
    private final String zone;
    private final QmpClient qmp;
    private final EventWaiter resumed;

    IncomingMigration(String zone, QmpClient qmp, EventWaiter resumed) {
        this.zone = zone;
        this.qmp = qmp;
        this.resumed = resumed;
    }

    public String zone() {
        return zone;
    }

    QmpEvent awaitResume(Duration timeout) {
        return resumed.await(timeout);
    }

    @Override
    public void close() {
        resumed.close();
        qmp.close();
    }
}
