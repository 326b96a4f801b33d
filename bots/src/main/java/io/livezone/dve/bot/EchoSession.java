package io.livezone.dve.bot;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * A long-lived TCP session with the zone server's {@code ECHO} facility, like a player's chat or
 * trade connection: it sends a pseudo-random byte stream (from {@code seed}) in fixed-size chunks
 * at a steady pace, checks every echoed byte against the stream it sent, keeps a CRC-32 of each
 * direction, and measures each chunk's round trip. A reset or an early end of the connection is a
 * failure the session reports (it does not reconnect).
 *
 * <p>One writer and one reader thread per session; {@link #stats()} and {@link #cutWindow()} may be
 * called from any thread.
 */
public final class EchoSession implements AutoCloseable {
    private static final int MAX_REPLY = 256;

    /** The outcome so far: {@code intact} means every echoed byte matched and nothing failed. */
    public record Stats(
            long bytesSent,
            long bytesEchoed,
            long mismatches,
            long firstMismatchAt,
            long crcSent,
            long crcEchoed,
            LatencySummary chunkRtt,
            boolean failed,
            boolean reset,
            String failure) {

        /** No mismatch, no failure, and everything sent came back (after {@link #close()}). */
        public boolean complete() {
            return intact() && bytesEchoed == bytesSent && crcSent == crcEchoed;
        }

        /** No mismatch and no failure so far. */
        public boolean intact() {
            return mismatches == 0 && !failed;
        }
    }

    private final Socket socket;
    private final int chunkBytes;
    private final long intervalNanos;
    private final long seed;
    private final Thread writer;
    private final Thread reader;
    private final ConcurrentLinkedQueue<long[]> inFlight = new ConcurrentLinkedQueue<>();
    private final CRC32 crcSent = new CRC32();
    private final CRC32 crcEchoed = new CRC32();
    private Histogram windowRtt = LatencySummary.newHistogram();
    private final Histogram totalRtt = LatencySummary.newHistogram();
    private volatile boolean stopping;
    private volatile long bytesSent;
    private volatile long bytesEchoed;
    private volatile long mismatches;
    private volatile long firstMismatchAt = -1;
    private volatile String failure;
    private volatile boolean reset;

    private EchoSession(Socket socket, long seed, int chunkBytes, Duration interval) {
        this.socket = socket;
        this.seed = seed;
        this.chunkBytes = chunkBytes;
        this.intervalNanos = interval.toNanos();
        this.writer = Thread.ofPlatform().daemon().name("echo-writer").unstarted(this::write);
        this.reader = Thread.ofPlatform().daemon().name("echo-reader").unstarted(this::read);
    }

    /**
     * Connects to a zone's control endpoint (directly or through a gateway), switches the
     * connection to echo mode and starts streaming.
     *
     * @param chunkBytes bytes per chunk, 1..1 MiB
     * @param interval pause between chunks
     * @throws ZoneUnreachableException if the endpoint cannot be reached
     * @throws IOException if the zone does not answer ECHO with ECHOING
     */
    public static EchoSession open(
            InetSocketAddress endpoint,
            long seed,
            int chunkBytes,
            Duration interval,
            Duration timeout)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (chunkBytes < 1 || chunkBytes > (1 << 20)) {
            throw new IllegalArgumentException("chunkBytes must be 1..1048576, got " + chunkBytes);
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        int timeoutMs = (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
        Socket socket = new Socket();
        try {
            try {
                socket.connect(endpoint, timeoutMs);
            } catch (IOException e) {
                throw new ZoneUnreachableException(
                        "zone at "
                                + ZoneJoin.describe(endpoint)
                                + " is unreachable: "
                                + e.getMessage(),
                        e);
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write("ECHO\n".getBytes(StandardCharsets.US_ASCII));
            String reply = readLine(socket.getInputStream());
            if (!reply.equals("ECHOING")) {
                throw new IOException(
                        "zone at "
                                + ZoneJoin.describe(endpoint)
                                + " answered ECHO with '"
                                + reply
                                + "'");
            }
            socket.setSoTimeout(0);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        EchoSession session = new EchoSession(socket, seed, chunkBytes, interval);
        session.reader.start();
        session.writer.start();
        return session;
    }

    /** The local end of the connection (what a gateway sees as the client's address). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public Stats stats() {
        synchronized (this) {
            return stats(LatencySummary.of(totalRtt));
        }
    }

    /** Stats with the chunk round trips since the previous cut; a new window starts now. */
    public Stats cutWindow() {
        synchronized (this) {
            LatencySummary rtt = LatencySummary.of(windowRtt);
            windowRtt = LatencySummary.newHistogram();
            return stats(rtt);
        }
    }

    /**
     * Stops sending, waits up to {@code timeout} for the rest of the echo, and closes; returns the
     * final stats ({@link Stats#complete()} tells whether the stream came back whole).
     */
    public Stats finish(Duration timeout) throws InterruptedException {
        stopping = true;
        writer.interrupt();
        writer.join(timeout.toMillis());
        try {
            if (failure == null) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            fail(e);
        }
        reader.join(timeout.toMillis());
        close();
        return stats();
    }

    @Override
    public void close() {
        stopping = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        writer.interrupt();
    }

    private Stats stats(LatencySummary rtt) {
        String why = failure;
        long crcOut;
        long crcIn;
        synchronized (crcSent) {
            crcOut = crcSent.getValue();
        }
        synchronized (crcEchoed) {
            crcIn = crcEchoed.getValue();
        }
        return new Stats(
                bytesSent,
                bytesEchoed,
                mismatches,
                firstMismatchAt,
                crcOut,
                crcIn,
                rtt,
                why != null,
                reset,
                why);
    }

    private void write() {
        SplittableRandom stream = new SplittableRandom(seed);
        byte[] chunk = new byte[chunkBytes];
        try {
            OutputStream out = socket.getOutputStream();
            long next = System.nanoTime();
            while (!stopping) {
                stream.nextBytes(chunk);
                long sentAt = System.nanoTime();
                inFlight.add(new long[] {bytesSent + chunkBytes, sentAt});
                out.write(chunk);
                synchronized (crcSent) {
                    crcSent.update(chunk);
                }
                bytesSent += chunkBytes;
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime(); // fell behind (backpressure): no burst to catch up
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                fail(e);
            }
        }
    }

    private void read() {
        SplittableRandom stream = new SplittableRandom(seed);
        byte[] expected = new byte[chunkBytes];
        int at = chunkBytes;
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long now = System.nanoTime();
                long offset = bytesEchoed;
                for (int i = 0; i < n; i++) {
                    if (at == chunkBytes) {
                        stream.nextBytes(expected);
                        at = 0;
                    }
                    if (buffer[i] != expected[at++]) {
                        if (mismatches == 0) {
                            firstMismatchAt = offset + i;
                        }
                        mismatches++;
                    }
                }
                synchronized (crcEchoed) {
                    crcEchoed.update(buffer, 0, n);
                }
                bytesEchoed = offset + n;
                recordRoundTrips(offset + n, now);
            }
            if (!stopping || bytesEchoed < bytesSent) {
                failure = "connection closed by the other end after " + bytesEchoed + " bytes";
            }
        } catch (IOException e) {
            if (!stopping || !socket.isClosed()) {
                fail(e);
            }
        }
    }

    private void recordRoundTrips(long echoed, long now) {
        long[] chunk;
        while ((chunk = inFlight.peek()) != null && chunk[0] <= echoed) {
            inFlight.poll();
            synchronized (this) {
                LatencySummary.recordNanos(windowRtt, now - chunk[1]);
                LatencySummary.recordNanos(totalRtt, now - chunk[1]);
            }
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            reset = m.contains("reset") || m.contains("broken pipe");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        try {
            while (line.length() < MAX_REPLY) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed before the ECHO reply");
                }
                if (b == '\n') {
                    return line.toString().strip();
                }
                line.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no reply to ECHO", e);
        }
        throw new IOException("over-long reply to ECHO");
    }
}
