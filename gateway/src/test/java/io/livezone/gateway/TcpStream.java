package io.livezone.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A client streaming pseudo-random bytes through an echo and checksumming what comes back: the
 * writer and the reader run on their own threads, so the stream keeps flowing (or is pushed back)
 * while a test holds and releases the zone. The writer sends 4 KiB per millisecond until {@link
 * #stop()} or until a given total, then closes its side.
 */
final class TcpStream implements AutoCloseable {
    private final Socket socket;
    private volatile long total;
    private final CRC32 sentCrc = new CRC32();
    private final CRC32 receivedCrc = new CRC32();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final Thread writer;
    private final Thread reader;
    private volatile Throwable failure;

    private TcpStream(Socket socket, long total) {
        this.socket = socket;
        this.total = total;
        writer = Thread.ofPlatform().daemon().name("tcp-stream-writer").start(this::writeLoop);
        reader = Thread.ofPlatform().daemon().name("tcp-stream-reader").start(this::readLoop);
    }

    static TcpStream open(InetSocketAddress gateway, long totalBytes) throws IOException {
        Socket socket = new Socket();
        socket.connect(gateway, 5000);
        socket.setTcpNoDelay(true);
        return new TcpStream(socket, totalBytes);
    }

    long written() {
        return written.get();
    }

    long read() {
        return read.get();
    }

    /** Open-ended: writes until {@link #stop()}. */
    static TcpStream open(InetSocketAddress gateway) throws IOException {
        return open(gateway, Long.MAX_VALUE);
    }

    /** The writer ends the stream after its current chunk. */
    void stop() {
        total = 0;
    }

    /** Waits until the echo ended; returns {sent CRC, received CRC}. */
    long[] finish(long timeoutMillis) throws Exception {
        writer.join(timeoutMillis);
        reader.join(timeoutMillis);
        if (failure != null) {
            throw new AssertionError("stream failed", failure);
        }
        if (writer.isAlive() || reader.isAlive()) {
            throw new AssertionError(
                    "stream did not finish: written " + written() + ", read " + read());
        }
        synchronized (this) {
            return new long[] {sentCrc.getValue(), receivedCrc.getValue()};
        }
    }

    private void writeLoop() {
        Random random = new Random(42);
        byte[] chunk = new byte[4096];
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                long remaining = total - written.get();
                if (remaining <= 0) {
                    break;
                }
                Thread.sleep(1);
                int n = (int) Math.min(chunk.length, remaining);
                random.nextBytes(chunk);
                synchronized (this) {
                    sentCrc.update(chunk, 0, n);
                }
                out.write(chunk, 0, n);
                written.addAndGet(n);
            }
            socket.shutdownOutput();
        } catch (Exception e) {
            failure = e;
        }
    }

    private void readLoop() {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (this) {
                    receivedCrc.update(buffer, 0, n);
                }
                read.addAndGet(n);
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
