package io.livezone.link;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/** Read, write, repeat: one thread, one direct buffer, no emulation. */
final class DirectPump extends Pump {
    /** Large enough that a loopback stream is not syscall-bound. */
    static final int BUFFER_BYTES = 256 * 1024;

    private final Optional<EmulatedLink> countedLink;
    private volatile long held;

    DirectPump(
            SocketChannel source,
            SocketChannel sink,
            Optional<EmulatedLink> countedLink,
            LongAdder delivered) {
        super(source, sink, delivered);
        this.countedLink = countedLink;
    }

    @Override
    List<Loop> loops() {
        return List.of(this::copy);
    }

    private void copy() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        while (true) {
            buffer.clear();
            int n = source.read(buffer);
            if (n < 0) {
                sink.shutdownOutput();
                return;
            }
            held = n;
            buffer.flip();
            writeFully(sink, buffer);
            held = 0;
            delivered.add(n);
            countedLink.ifPresent(link -> link.countPassedThrough(n));
        }
    }

    @Override
    long bufferedBytes() {
        return held;
    }
}
