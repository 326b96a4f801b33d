package io.livezone.bots.clients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A Teeworlds 0.7 server browser's query, as the game's own clients send it: a token handshake (the
 * server answers connectionless requests only with the token it gave this client's address), then
 * "gie3" info requests answered by "inf3" with the server's name, map and players. Written from the
 * protocol's description (teeworlds 0.7 {@code network.h}, {@code server.cpp}); no maintained Java
 * client exists.
 *
 * <p>The server's token comes from a seed in its memory, so a server that was migrated live keeps
 * answering the token it gave before; a server that restarted ignores it, and the client must shake
 * hands again. {@link #handshakes()} beyond the first are therefore reconnects.
 *
 * <p>Not thread-safe: one caller at a time.
 */
public final class TeeworldsQuery implements AutoCloseable {
    /** What a server says about itself. */
    public record Info(
            String version,
            String name,
            String map,
            String gameType,
            int players,
            int maxPlayers,
            int clients,
            int maxClients) {}

    private static final byte[] GETINFO = {
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'g', 'i', 'e', '3'
    };
    private static final byte[] INFO = {
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'i', 'n', 'f', '3'
    };
    private static final int CTRL_TOKEN = 5;

    /** The server ignores a token request whose payload is shorter (an amplification guard). */
    private static final int TOKEN_REQUEST_PAYLOAD = 512;

    private final DatagramSocket socket;
    private final int myToken;
    private int serverToken;
    private boolean hasToken;
    private int browserToken;
    private long handshakes;
    private long retries;

    private TeeworldsQuery(InetSocketAddress server) throws IOException {
        socket = new DatagramSocket();
        socket.connect(server);
        // Never 0xffffffff ("no token"); random so two clients of one address differ.
        myToken = ThreadLocalRandom.current().nextInt() & 0xfffffffe;
    }

    public static TeeworldsQuery open(InetSocketAddress server) throws IOException {
        return new TeeworldsQuery(server);
    }

    /**
     * The token request a readiness probe can send on its own: fixed client token "LZPR"; the
     * server's answer starts with {@code 0400004c5a505205}.
     */
    public static byte[] probeRequest() {
        return tokenRequest(0x4c5a5052);
    }

    /** Token handshakes so far: 1 after the first query, more after each reconnect. */
    public long handshakes() {
        return handshakes;
    }

    /** Requests sent again after one went unanswered (a datagram lost on the way). */
    public long retries() {
        return retries;
    }

    /**
     * One info query: shakes hands first if there is no token yet. An unanswered request is sent
     * again, as UDP loses datagrams; a second silence means the server no longer knows the token
     * (it restarted, or the token expired), so the client shakes hands again and asks once more.
     *
     * @param timeout how long to wait for each answer
     * @throws SocketTimeoutException no answer even after a new handshake
     */
    public Info query(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                if (!hasToken) {
                    handshake();
                }
                // never -1: 0.7.5 servers crash on it
                browserToken = (browserToken + 1) & 0xffffff;
                send(infoRequest(serverToken, myToken, browserToken));
                return awaitInfo();
            } catch (SocketTimeoutException e) {
                retries++;
                if (attempt == 1) {
                    hasToken = false;
                }
            }
        }
        throw new SocketTimeoutException("the server did not answer an info request");
    }

    private void handshake() throws IOException {
        send(tokenRequest(myToken));
        byte[] d = receive();
        while (!(d.length >= 12
                && (d[0] & 0x04) != 0
                && d[7] == CTRL_TOKEN
                && ByteBuffer.wrap(d, 3, 4).getInt() == myToken)) {
            d = receive(); // something older; the timeout bounds the wait
        }
        serverToken = ByteBuffer.wrap(d, 8, 4).getInt();
        hasToken = true;
        handshakes++;
    }

    /** The answer to the latest request; older answers (to retried requests) are skipped. */
    private Info awaitInfo() throws IOException {
        while (true) {
            byte[] d = receive();
            if (d.length < 18 || d[0] != 0x21 || !Arrays.equals(d, 9, 17, INFO, 0, INFO.length)) {
                continue;
            }
            Reader r = new Reader(d, 17);
            if (r.varInt() != browserToken) {
                continue; // the answer to an earlier, retried request
            }
            serverToken = ByteBuffer.wrap(d, 5, 4).getInt(); // its current token: adopt it
            String version = r.string();
            String name = r.string();
            r.string(); // host name
            String map = r.string();
            String gameType = r.string();
            r.varInt(); // flags
            r.varInt(); // skill level
            return new Info(
                    version, name, map, gameType, r.varInt(), r.varInt(), r.varInt(), r.varInt());
        }
    }

    private void send(byte[] datagram) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length));
    }

    private byte[] receive() throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        return Arrays.copyOf(buf, p.getLength());
    }

    /** Control packet (flag 1, no ack, no chunks, no token) carrying CTRL_TOKEN and ours. */
    static byte[] tokenRequest(int token) {
        ByteBuffer b = ByteBuffer.allocate(7 + TOKEN_REQUEST_PAYLOAD);
        b.put(new byte[] {0x04, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        b.put((byte) CTRL_TOKEN).putInt(token);
        return b.array(); // the rest is the zero padding
    }

    /** Connectionless packet (flag 8, version 1), both tokens, "gie3" and the browser token. */
    static byte[] infoRequest(int serverToken, int myToken, int browserToken) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(24);
        ByteBuffer head =
                ByteBuffer.allocate(9).put((byte) 0x21).putInt(serverToken).putInt(myToken);
        out.writeBytes(head.array());
        out.writeBytes(GETINFO);
        out.writeBytes(varInt(browserToken));
        return out.toByteArray();
    }

    /** Teeworlds' variable-length int: sign bit, 6 bits, then 7 bits a byte. */
    static byte[] varInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(5);
        int first = (value >> 25) & 0x40;
        int i = value ^ (value >> 31);
        first |= i & 0x3f;
        i >>>= 6;
        int current = first;
        while (i != 0) {
            out.write(current | 0x80);
            current = i & 0x7f;
            i >>>= 7;
        }
        out.write(current);
        return out.toByteArray();
    }

    /** Reads an info reply's strings and ints. */
    static final class Reader {
        private final byte[] d;
        private int p;

        Reader(byte[] d, int p) {
            this.d = d;
            this.p = p;
        }

        int varInt() throws IOException {
            need(1);
            int sign = (d[p] >> 6) & 1;
            int v = d[p] & 0x3f;
            int shift = 6;
            while ((d[p] & 0x80) != 0 && shift <= 27) {
                p++;
                need(1);
                v |= (d[p] & 0x7f) << shift;
                shift += 7;
            }
            p++;
            return v ^ -sign;
        }

        String string() throws IOException {
            int end = p;
            while (end < d.length && d[end] != 0) {
                end++;
            }
            if (end == d.length) {
                throw new IOException("truncated string in a Teeworlds info reply");
            }
            String s = new String(d, p, end - p, StandardCharsets.UTF_8);
            p = end + 1;
            return s;
        }

        private void need(int n) throws IOException {
            if (p + n > d.length) {
                throw new IOException("truncated Teeworlds info reply");
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
