package io.livezone.dve.bot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A zone that accepts JOIN on TCP but never sends a single update: the situation bots face when the
 * zone VM freezes while its connections stay open.
 */
final class FakeZone implements AutoCloseable {
    private final ServerSocket tcp = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    private final DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final String reply;

    /** {@code reply} is sent to every JOIN; "%d" placeholders get a client id and the UDP port. */
    FakeZone(String reply) throws IOException {
        this.reply = reply;
        Thread.ofVirtual().start(this::accept);
    }

    static FakeZone silent() throws IOException {
        return new FakeZone("WELCOME %d 1f %d 20");
    }

    InetSocketAddress endpoint() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), tcp.getLocalPort());
    }

    private void accept() {
        int id = 1;
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                clients.add(s);
                int clientId = id++;
                Thread.ofVirtual().start(() -> serve(s, clientId));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int clientId) {
        try (s) {
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            while (in.readLine() != null) {
                out.write(
                        (String.format(reply, clientId, udp.getLocalPort()) + "\n")
                                .getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            // test over
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
        for (Socket s : clients) {
            s.close();
        }
    }
}
