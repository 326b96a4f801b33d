package io.livezone.dve.bot;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Opens a bot's TCP control connection and performs the JOIN handshake in blocking mode (simple,
 * with timeouts), then hands over the channel in non-blocking mode for the bot's selector.
 */
final class ZoneJoin {
    private ZoneJoin() {}

    record Joined(SocketChannel control, Welcome welcome) {}

    static Joined join(InetSocketAddress zone, String name, Duration timeout) throws IOException {
        if (zone.isUnresolved()) {
            throw new ZoneUnreachableException(
                    "zone address " + zone + " cannot be resolved", null);
        }
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        SocketChannel channel = SocketChannel.open();
        try {
            try {
                channel.socket().connect(zone, timeoutMs);
            } catch (IOException e) {
                throw new ZoneUnreachableException(
                        "zone at " + describe(zone) + " is unreachable: " + e.getMessage(), e);
            }
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().setSoTimeout(timeoutMs);
            channel.write(
                    ByteBuffer.wrap(("JOIN " + name + "\n").getBytes(StandardCharsets.US_ASCII)));
            String reply;
            try {
                reply = readLine(channel.socket().getInputStream(), zone);
            } catch (SocketTimeoutException e) {
                throw new IOException(
                        "zone at "
                                + describe(zone)
                                + " did not answer JOIN within "
                                + timeoutMs
                                + " ms",
                        e);
            }
            if (reply.startsWith("ERR")) {
                throw new IOException(
                        "zone at " + describe(zone) + " rejected JOIN " + name + ": " + reply);
            }
            Welcome welcome = Welcome.parse(reply);
            channel.configureBlocking(false);
            return new Joined(channel, welcome);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Byte by byte: nothing may be buffered past the line, the selector takes over afterwards. */
    private static String readLine(InputStream in, InetSocketAddress zone) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < 256) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(
                        "zone at " + describe(zone) + " closed the connection during JOIN");
            }
            if (b == '\n') {
                return line.toString().strip();
            }
            line.append((char) b);
        }
        throw new IOException("zone at " + describe(zone) + " sent an over-long reply to JOIN");
    }

    static String describe(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
