package io.livezone.link;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Byte-stream helpers for tests: seeded random payloads, digests, read-to-end. */
final class Streams {
    private Streams() {}

    static SocketChannel connect(SocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open(address);
        if (address instanceof InetSocketAddress) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return ch;
    }

    /** Writes {@code length} seeded random bytes, then half-closes; returns their SHA-256. */
    static String sendRandom(SocketChannel ch, long seed, long length) throws IOException {
        return sendRandom(ch, seed, length, new AtomicLong());
    }

    /**
     * As {@link #sendRandom(SocketChannel, long, long)}, counting written bytes in {@code
     * progress}.
     */
    static String sendRandom(SocketChannel ch, long seed, long length, AtomicLong progress)
            throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            random.nextBytes(chunk);
            digest.update(chunk, 0, n);
            writeFully(ch, ByteBuffer.wrap(chunk, 0, n));
            progress.addAndGet(n);
            left -= n;
        }
        ch.shutdownOutput();
        return HexFormat.of().formatHex(digest.digest());
    }

    record Received(long bytes, String sha256) {}

    /** Reads to end of stream. */
    static Received drain(SocketChannel ch) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        int n;
        while ((n = ch.read(buffer)) >= 0) {
            digest.update(buffer.array(), 0, n);
            total += n;
            buffer.clear();
        }
        return new Received(total, HexFormat.of().formatHex(digest.digest()));
    }

    static byte[] readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (ch.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toByteArray();
    }

    /** Reads exactly {@code buffer.remaining()} bytes; false on end of stream before that. */
    static boolean readFully(SocketChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (ch.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    static void writeFully(SocketChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }
}
