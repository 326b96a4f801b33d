package io.livezone.link;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One accepted connection of a {@link Tunnel} and its connection to the target: two {@link Pump}s,
 * one per direction. When both directions have ended it closes both sockets; when anything fails it
 * closes both at once, so neither peer waits on a half-dead stream.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Tunnel tunnel;
    private final SocketChannel accepted;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger loopsRunning = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile SocketChannel target;
    private volatile List<Pump> pumps = List.of();

    Connection(Tunnel tunnel, SocketChannel accepted, long id) {
        this.tunnel = tunnel;
        this.accepted = accepted;
        this.name = tunnel.name() + " #" + id;
    }

    /** Connects to the target and starts the pumps; runs on its own thread. */
    void run() {
        threads.add(Thread.currentThread());
        try {
            SocketChannel t = tunnel.connectTarget();
            target = t;
            if (closed.get()) {
                Tunnel.closeQuietly(t);
                return;
            }
        } catch (IOException e) {
            if (!closed.get()) {
                tunnel.targetUnreachable(name, e);
            }
            close();
            return;
        } finally {
            threads.remove(Thread.currentThread());
        }
        LinkPair links = tunnel.links();
        List<Pump> started =
                List.of(
                        Pump.create(accepted, target, links.outbound(), tunnel.outboundCounter()),
                        Pump.create(target, accepted, links.inbound(), tunnel.inboundCounter()));
        pumps = started;
        List<Pump.Loop> loops = started.stream().flatMap(p -> p.loops().stream()).toList();
        loopsRunning.set(loops.size());
        for (Pump.Loop loop : loops) {
            Thread thread = Thread.ofVirtual().name(name).unstarted(() -> runLoop(loop));
            threads.add(thread);
            thread.start();
        }
        if (closed.get()) {
            threads.forEach(Thread::interrupt);
        }
    }

    private void runLoop(Pump.Loop loop) {
        try {
            loop.run();
            if (loopsRunning.decrementAndGet() == 0) {
                log.debug("{}: both directions ended", name);
                close();
            }
        } catch (ClosedByInterruptException | InterruptedException e) {
            close();
        } catch (IOException e) {
            if (!closed.get()) {
                log.debug("{}: closing both sides after {}", name, e.toString());
            }
            close();
        } catch (RuntimeException | Error e) {
            log.error("{}: pump failed, closing both sides", name, e);
            close();
            throw e;
        } finally {
            threads.remove(Thread.currentThread());
        }
    }

    /** Closes both sockets and stops the pumps; idempotent. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Tunnel.closeQuietly(accepted);
        SocketChannel t = target;
        if (t != null) {
            Tunnel.closeQuietly(t);
        }
        Thread self = Thread.currentThread();
        for (Thread thread : threads) {
            if (thread != self) {
                thread.interrupt();
            }
        }
        tunnel.connectionClosed(this);
    }

    long bufferedBytes() {
        long sum = 0;
        for (Pump p : pumps) {
            sum += p.bufferedBytes();
        }
        return sum;
    }
}
