package io.livezone.qemu.qmp;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One-shot wait for the first event matching a predicate, registered <em>before</em> the command
 * that triggers it so an event arriving ahead of (or together with) the command's reply is not
 * missed.
 *
 * <pre>{@code
 * try (EventWaiter stopped = qmp.expectEvent("STOP")) {
 *     qmp.execute("stop");
 *     QmpEvent e = stopped.await(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * Closing an unused waiter unregisters it; a waiter that timed out is unregistered automatically.
 */
public final class EventWaiter implements AutoCloseable {
    private final String description;
    private final Predicate<QmpEvent> match;
    private final Consumer<EventWaiter> unregister;
    private final Thread readerThread;
    private final CompletableFuture<QmpEvent> result = new CompletableFuture<>();

    EventWaiter(
            String description,
            Predicate<QmpEvent> match,
            Consumer<EventWaiter> unregister,
            Thread reader) {
        this.description = description;
        this.match = match;
        this.unregister = unregister;
        this.readerThread = reader;
    }

    /**
     * Returns the first matching event received since this waiter was created, waiting up to {@code
     * timeout}.
     *
     * @throws QmpTimeoutException no matching event in time
     * @throws QmpConnectionClosedException the connection closed first
     */
    public QmpEvent await(Duration timeout) {
        if (Thread.currentThread() == readerThread) {
            throw new IllegalStateException(
                    "EventWaiter.await() called from the QMP reader thread (an event "
                            + "listener); it would block the thread that delivers the event");
        }
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            close();
            if (result.isDone() && !result.isCompletedExceptionally()) {
                return result.join(); // matched in the instant between the timeout and close()
            }
            throw new QmpTimeoutException("no QMP " + description + " within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for QMP " + description, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof QmpException) { // the connection's terminal failure
                throw new QmpConnectionClosedException(
                        "QMP connection closed while waiting for "
                                + description
                                + ": "
                                + cause.getMessage(),
                        cause);
            }
            throw new QmpException("event predicate for " + description + " threw", cause);
        }
    }

    /** True once a matching event arrived, or the waiter failed. */
    public boolean isDone() {
        return result.isDone();
    }

    @Override
    public void close() {
        unregister.accept(this);
    }

    /**
     * Called on the reader thread; returns true when this waiter is finished and can be dropped.
     */
    boolean offer(QmpEvent event) {
        if (result.isDone()) {
            return true;
        }
        try {
            if (!match.test(event)) {
                return false;
            }
            result.complete(event);
        } catch (RuntimeException e) {
            result.completeExceptionally(
                    e); // surface the bug to the awaiting thread instead of timing out
        }
        return true;
    }

    void fail(QmpException reason) {
        result.completeExceptionally(reason);
    }
}
