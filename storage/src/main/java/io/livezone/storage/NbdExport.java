package io.livezone.storage;

import io.livezone.qemu.qmp.EventWaiter;
import io.livezone.qemu.qmp.QmpClient;
import io.livezone.qemu.qmp.QmpCommandException;
import io.livezone.qemu.qmp.QmpException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One writable NBD export of a block node, added by {@link EmbeddedNbdServer#export}. {@link
 * #close()} removes it, dropping any client still connected.
 */
public final class NbdExport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NbdExport.class);
    private static final Duration REMOVAL_TIMEOUT = Duration.ofSeconds(10);

    private final QmpClient qmp;
    private final String id;
    private final String nodeName;
    private final NbdEndpoint endpoint;
    private final Consumer<NbdExport> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    NbdExport(
            QmpClient qmp,
            String id,
            String nodeName,
            NbdEndpoint endpoint,
            Consumer<NbdExport> onClose) {
        this.qmp = qmp;
        this.id = id;
        this.nodeName = nodeName;
        this.endpoint = endpoint;
        this.onClose = onClose;
    }

    /** QEMU's id of the export ({@code query-block-exports}). */
    public String id() {
        return id;
    }

    /** The exported block node. */
    public String nodeName() {
        return nodeName;
    }

    /** What a client (e.g. {@link DiskMirror} on the source host) connects to. */
    public NbdEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Removes the export ({@code block-export-del}, mode {@code hard}) and waits for {@code
     * BLOCK_EXPORT_DELETED}. Idempotent; failures are logged, since the QEMU process is usually
     * discarded right after.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (EventWaiter deleted =
                qmp.expectEvent(
                        e ->
                                e.name().equals("BLOCK_EXPORT_DELETED")
                                        && id.equals(e.data().path("id").asText()))) {
            qmp.execute("block-export-del", Map.of("id", id, "mode", "hard"));
            deleted.await(REMOVAL_TIMEOUT);
        } catch (QmpCommandException e) {
            // Already gone, e.g. removed together with the server by nbd-server-stop.
            LOG.debug("NBD export {} not removed: {}", id, e.description());
        } catch (QmpException e) {
            LOG.warn("could not confirm removal of NBD export {}: {}", id, e.getMessage());
        } finally {
            onClose.accept(this);
        }
    }

    @Override
    public String toString() {
        return "NbdExport[" + id + " of " + nodeName + " at " + endpoint.uri() + "]";
    }

    static String exportIdFor(String nodeName) {
        return Objects.requireNonNull(nodeName, "nodeName is null") + "-export";
    }
}
