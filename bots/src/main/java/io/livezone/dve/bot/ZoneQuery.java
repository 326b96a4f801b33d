package io.livezone.dve.bot;

import io.livezone.dve.server.InputDelivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** One-shot questions to a zone server's control channel, each on its own short connection. */
public final class ZoneQuery {
    private static final int MAX_REPLY = 1024;

    private ZoneQuery() {}

    /** How the clients' input datagrams have arrived so far ({@code INPUTS}). */
    public static InputDelivery inputs(InetSocketAddress control, Duration timeout)
            throws IOException {
        String reply = call(control, "INPUTS", timeout);
        try {
            return InputDelivery.parse(reply);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "zone at " + ZoneJoin.describe(control) + ": " + e.getMessage(), e);
        }
    }

    /** Sends one command line and returns the reply line. */
    public static String call(InetSocketAddress control, String command, Duration timeout)
            throws IOException {
        int timeoutMs = (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
        try (Socket socket = new Socket()) {
            try {
                socket.connect(control, timeoutMs);
            } catch (IOException e) {
                throw new ZoneUnreachableException(
                        "zone at "
                                + ZoneJoin.describe(control)
                                + " is unreachable: "
                                + e.getMessage(),
                        e);
            }
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            while (line.length() < MAX_REPLY) {
                int b;
                try {
                    b = in.read();
                } catch (SocketTimeoutException e) {
                    throw new IOException(
                            "zone at "
                                    + ZoneJoin.describe(control)
                                    + " did not answer "
                                    + command
                                    + " within "
                                    + timeoutMs
                                    + " ms",
                            e);
                }
                if (b < 0) {
                    throw new IOException(
                            "zone at " + ZoneJoin.describe(control) + " closed before answering");
                }
                if (b == '\n') {
                    return line.toString().strip();
                }
                line.append((char) b);
            }
            throw new IOException("zone at " + ZoneJoin.describe(control) + ": over-long reply");
        }
    }
}
