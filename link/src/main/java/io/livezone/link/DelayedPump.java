package io.livezone.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Carries one direction through an {@link EmulatedLink}: a reader puts chunks on the link (which
 * may make it wait, pushing back on the sender), a writer hands each chunk to the sink once the
 * link says it has arrived. The queue between them is FIFO and arrival times only grow, so the
 * stream stays in order whatever the jitter.
 *
 * <p>The bytes this direction holds are capped at the link's in-flight limit: a receiver that stops
 * reading stalls its own sender, like a full TCP window, without filling the shared link (whose
 * in-flight bytes only count until they arrive).
 */
final class DelayedPump extends Pump {
    /**
     * What a queued chunk costs beyond its bytes; charging it keeps a stream of tiny writes from
     * queueing millions of chunk objects inside a byte-sized window.
     */
    static final int CHUNK_OVERHEAD_BYTES = 64;

    private final EmulatedLink link;
    private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    private final Semaphore window;
    private final AtomicLong held = new AtomicLong();

    /** Bytes in flight; {@code data == null} marks the end of the stream. */
    private record Chunk(byte[] data, long arrivalNanos) {}

    DelayedPump(SocketChannel source, SocketChannel sink, EmulatedLink link, LongAdder delivered) {
        super(source, sink, delivered);
        this.link = link;
        this.window = new Semaphore((int) link.maxInFlightBytes());
    }

    @Override
    List<Loop> loops() {
        return List.of(this::read, this::write);
    }

    private void read() throws IOException, InterruptedException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(link.maxChunkBytes());
        long previousArrival = Long.MIN_VALUE;
        while (true) {
            buffer.clear();
            int n = source.read(buffer);
            if (n < 0) {
                queue.put(new Chunk(null, link.transmit(0, previousArrival)));
                return;
            }
            held.addAndGet(n);
            window.acquire(n + CHUNK_OVERHEAD_BYTES);
            byte[] data = new byte[n];
            buffer.flip().get(data);
            previousArrival = link.transmit(n, previousArrival);
            queue.put(new Chunk(data, previousArrival));
        }
    }

    private void write() throws IOException, InterruptedException {
        while (true) {
            Chunk chunk = queue.take();
            EmulatedLink.sleepUntil(chunk.arrivalNanos);
            if (chunk.data == null) {
                sink.shutdownOutput();
                return;
            }
            int n = chunk.data.length;
            writeFully(sink, ByteBuffer.wrap(chunk.data));
            window.release(n + CHUNK_OVERHEAD_BYTES);
            held.addAndGet(-n);
            delivered.add(n);
        }
    }

    @Override
    long bufferedBytes() {
        return held.get();
    }
}
