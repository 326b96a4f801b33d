package io.livezone.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Copies one direction of a {@link Connection}: straight through, or through an {@link
 * EmulatedLink}. A pump runs one or more blocking loops, each on its own thread, and reports to its
 * connection when the direction ended cleanly (end of stream passed on as a half-close); the
 * connection turns any exception from a loop into closing both sides.
 */
abstract sealed class Pump permits DirectPump, DelayedPump {
    final SocketChannel source;
    final SocketChannel sink;
    final LongAdder delivered;

    Pump(SocketChannel source, SocketChannel sink, LongAdder delivered) {
        this.source = source;
        this.sink = sink;
        this.delivered = delivered;
    }

    /** A pump that emulates {@code link} unless it is absent or changes nothing. */
    static Pump create(
            SocketChannel source,
            SocketChannel sink,
            Optional<EmulatedLink> link,
            LongAdder delivered) {
        if (link.isEmpty() || link.get().passesThrough()) {
            return new DirectPump(source, sink, link, delivered);
        }
        return new DelayedPump(source, sink, link.get(), delivered);
    }

    /** The blocking loops to run, each on its own thread; the last one to end ends the pump. */
    abstract List<Loop> loops();

    /** Bytes this direction has read but not yet written. */
    abstract long bufferedBytes();

    /** One blocking loop of a pump. */
    @FunctionalInterface
    interface Loop {
        void run() throws IOException, InterruptedException;
    }

    static void writeFully(SocketChannel sink, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            sink.write(buffer);
        }
    }
}
