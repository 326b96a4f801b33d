package io.livezone.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's one I/O thread: a selector over every socket, a task queue for calls from other
 * threads, and timers (the delay line, hold expiry, idle sweeps). All pipeline state is touched
 * only here, so the handlers need no locks.
 *
 * <p>Timers fire in (due, insertion) order and never early; the selector's millisecond timeout
 * makes them up to about 1 ms late.
 */
final class EventLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);
    private static final long CALL_TIMEOUT_SECONDS = 10;

    /** Called when a registered channel is ready; the key's attachment. */
    interface IoHandler {
        void ready(SelectionKey key) throws IOException;

        /** The handler's channel failed or its key was cancelled: release what it holds. */
        void failed(Exception cause);
    }

    /** A scheduled action; cancel() makes it a no-op. */
    static final class Timer implements Comparable<Timer> {
        private final long due;
        private final long seq;
        private final Runnable action;
        private boolean cancelled;

        private Timer(long due, long seq, Runnable action) {
            this.due = due;
            this.seq = seq;
            this.action = action;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSeq;
    private volatile boolean running = true;

    EventLoop(String name) throws IOException {
        selector = Selector.open();
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    Thread thread() {
        return thread;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop, soon. */
    void execute(Runnable task) {
        if (!running) {
            throw new GatewayException("gateway is closed");
        }
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup();
        }
    }

    /** Runs {@code call} on the loop and waits for its result; rethrows what it throws. */
    <T> T call(Callable<T> call) {
        if (inLoop()) {
            try {
                return call.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new GatewayException(e.getMessage(), e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(
                () -> {
                    try {
                        result.complete(call.call());
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                });
        try {
            return result.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException("interrupted while waiting for the gateway loop", e);
        } catch (TimeoutException e) {
            throw new GatewayException(
                    "gateway loop did not answer within " + CALL_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new GatewayException(String.valueOf(e.getCause().getMessage()), e.getCause());
        }
    }

    /** Loop thread only. */
    Timer schedule(long dueNanos, Runnable action) {
        Timer timer = new Timer(dueNanos, timerSeq++, action);
        timers.add(timer);
        return timer;
    }

    private void run() {
        while (running) {
            try {
                runTasks();
                runDueTimers();
                select();
            } catch (IOException e) {
                log.error("gateway selector failed; stopping the gateway loop", e);
                running = false;
            } catch (RuntimeException e) {
                log.warn("gateway loop step failed; continuing", e);
            }
        }
        runTasks();
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing the selector failed", e);
        }
    }

    private void select() throws IOException {
        Timer next = timers.peek();
        int ready;
        if (!tasks.isEmpty()) {
            ready = selector.selectNow();
        } else if (next == null) {
            ready = selector.select();
        } else {
            long waitNanos = next.due - System.nanoTime();
            if (waitNanos <= 0) {
                ready = selector.selectNow();
            } else {
                // Round up: a timer must never fire before its due time (delays are lower bounds).
                ready = selector.select((waitNanos + 999_999) / 1_000_000);
            }
        }
        if (ready == 0) {
            return;
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            IoHandler handler = (IoHandler) key.attachment();
            try {
                if (key.isValid()) {
                    handler.ready(key);
                }
            } catch (IOException | CancelledKeyException e) {
                handler.failed(e);
            } catch (RuntimeException e) {
                log.warn("gateway handler failed", e);
                handler.failed(e);
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("gateway task failed", e);
            }
        }
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        Timer timer;
        while ((timer = timers.peek()) != null && timer.due - now <= 0) {
            timers.poll();
            if (timer.cancelled) {
                continue;
            }
            try {
                timer.action.run();
            } catch (RuntimeException e) {
                log.warn("gateway timer failed", e);
            }
        }
    }

    /** Stops the loop after running the queued tasks; waits for the thread. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        if (!inLoop()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(CALL_TIMEOUT_SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
