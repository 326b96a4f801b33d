package io.livezone.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Points clients' UDP at the gateway: the zone server answers JOIN with {@code WELCOME <clientId>
 * <tokenHex> <udpPort> <tickHz>} and clients send datagrams to that port on the host they joined
 * (see dve's {@code ControlConnection}); this stage replaces {@code udpPort} with the port of the
 * zone's stable gateway endpoint. Only the first WELCOME line of a connection is touched; other
 * bytes pass unchanged, and the stage steps aside once it has rewritten one line. Opt-in ({@link
 * GatewayConfig#rewriteWelcomeUdpPort()}) because it reads the zone protocol's control stream.
 */
final class WelcomeRewriter implements Stage {
    /** The zone server's limit for control lines; a longer candidate is passed on untouched. */
    static final int MAX_LINE = 256;

    private static final byte[] PREFIX = "WELCOME ".getBytes(StandardCharsets.US_ASCII);

    /** Per connection: the start of a line that may be the WELCOME line, kept back until '\n'. */
    static final class LineScan {
        private final ByteArrayOutputStream candidate = new ByteArrayOutputStream();
        private boolean atLineStart = true;
        private boolean done;
    }

    private final Stage next;

    WelcomeRewriter(Stage next) {
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        if (!(packet.flow instanceof TcpConnection connection)
                || packet.direction != Direction.TO_CLIENT
                || connection.welcomeScan == null) {
            next.accept(packet);
            return;
        }
        LineScan scan = connection.welcomeScan;
        if (packet.isEndOfStream()) {
            connection.welcomeScan = null;
            if (scan.candidate.size() > 0) {
                next.accept(chunk(connection, scan.candidate.toByteArray()));
            }
            next.accept(packet);
            return;
        }
        ByteBuffer in = packet.payload();
        int accounted = in.remaining() + scan.candidate.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.remaining() + 8);
        while (in.hasRemaining() && !scan.done) {
            scan(scan, in.get(), out, connection.zone().udpPort);
        }
        while (in.hasRemaining()) {
            out.write(in.get());
        }
        if (scan.done) {
            connection.welcomeScan = null;
        }
        byte[] bytes = out.toByteArray();
        // The line may have changed length; the connection's byte budget must stay exact.
        connection.adjustBuffered(
                Direction.TO_CLIENT, bytes.length + scan.candidate.size() - accounted);
        if (bytes.length > 0) {
            next.accept(chunk(connection, bytes));
        }
    }

    private static void scan(LineScan scan, byte b, ByteArrayOutputStream out, int gatewayPort) {
        ByteArrayOutputStream candidate = scan.candidate;
        if (candidate.size() == 0) {
            if (scan.atLineStart && b == PREFIX[0]) {
                candidate.write(b);
            } else {
                out.write(b);
            }
            scan.atLineStart = b == '\n';
            return;
        }
        candidate.write(b);
        int n = candidate.size();
        if (n <= PREFIX.length && b != PREFIX[n - 1]) {
            out.writeBytes(candidate.toByteArray());
            candidate.reset();
            scan.atLineStart = b == '\n';
        } else if (b == '\n') {
            String rewritten = rewrite(candidate.toString(StandardCharsets.US_ASCII), gatewayPort);
            out.writeBytes(
                    rewritten == null
                            ? candidate.toByteArray()
                            : rewritten.getBytes(StandardCharsets.US_ASCII));
            candidate.reset();
            scan.atLineStart = true;
            scan.done = rewritten != null;
        } else if (n > MAX_LINE) {
            out.writeBytes(candidate.toByteArray());
            candidate.reset();
            scan.atLineStart = false;
        }
    }

    /** The line with the UDP port replaced, or null when it is not a well-formed WELCOME. */
    static String rewrite(String line, int gatewayPort) {
        String ending = line.endsWith("\r\n") ? "\r\n" : "\n";
        String[] words = line.substring(0, line.length() - ending.length()).split(" ", -1);
        if (words.length != 5 || !words[0].equals("WELCOME") || !words[3].matches("[0-9]{1,5}")) {
            return null;
        }
        words[3] = Integer.toString(gatewayPort);
        return String.join(" ", words) + ending;
    }

    private static Packet chunk(TcpConnection connection, byte[] bytes) {
        return Packet.chunk(connection, Direction.TO_CLIENT, ByteBuffer.wrap(bytes)).detach();
    }
}
