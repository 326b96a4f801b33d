package io.livezone.dve.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads '\n'-terminated ASCII lines with a hard length limit, so a client sending an endless line
 * cannot make the server buffer unbounded memory.
 */
final class ControlLineReader {
    private final InputStream in;
    private final byte[] line;
    private boolean overflowed;

    ControlLineReader(InputStream in, int maxLength) {
        this.in = in;
        this.line = new byte[maxLength];
    }

    /**
     * Returns the next line without its terminator ("\r\n" tolerated), or null at end of stream. An
     * over-long line is consumed entirely and returned truncated with {@link #overflowed()} set.
     */
    String readLine() throws IOException {
        int length = 0;
        overflowed = false;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return length == 0 && !overflowed ? null : text(length);
            }
            if (b == '\n') {
                return text(length);
            }
            if (length < line.length) {
                line[length++] = (byte) b;
            } else {
                overflowed = true;
            }
        }
    }

    boolean overflowed() {
        return overflowed;
    }

    private String text(int length) {
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return new String(line, 0, length, StandardCharsets.ISO_8859_1);
    }
}
