package io.livezone.qemu.qmp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Splits a byte stream into {@code \n}-terminated lines (a trailing {@code \r} is dropped).
 *
 * <p>Works on bytes rather than chars so a multi-byte UTF-8 sequence split across two reads is
 * never decoded half-way; Jackson decodes each complete line. Not thread-safe: owned by the reader
 * thread.
 */
final class LineFramer {
    private final int maxLineBytes;
    private byte[] buf = new byte[8192];
    private int start; // first unconsumed byte
    private int end; // one past the last buffered byte
    private int scan; // where the search for '\n' resumes, so bytes are scanned once

    LineFramer(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    void append(ByteBuffer src) {
        int n = src.remaining();
        if (end + n > buf.length) {
            makeRoom(n);
        }
        src.get(buf, end, n);
        end += n;
    }

    /** The next complete line without its terminator, or {@code null} if none is buffered yet. */
    byte[] nextLine() {
        for (int i = scan; i < end; i++) {
            if (buf[i] == '\n') {
                int lineEnd = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                byte[] line = Arrays.copyOfRange(buf, start, lineEnd);
                start = scan = i + 1;
                return line;
            }
        }
        scan = end;
        if (end - start > maxLineBytes) {
            throw new QmpProtocolException(
                    "QMP message exceeds " + maxLineBytes + " bytes without a newline");
        }
        return null;
    }

    private void makeRoom(int extra) {
        int live = end - start;
        int needed = live + extra;
        byte[] target = needed > buf.length ? new byte[Math.max(needed, buf.length * 2)] : buf;
        System.arraycopy(buf, start, target, 0, live);
        buf = target;
        scan -= start;
        start = 0;
        end = live;
    }
}
