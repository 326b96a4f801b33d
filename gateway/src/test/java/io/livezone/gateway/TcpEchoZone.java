package io.livezone.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in zone's TCP side on 127.0.0.1: echoes every byte back on the same connection and closes
 * its side when the client closes its.
 */
final class TcpEchoZone implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicLong receivedBytes = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private TcpEchoZone(ServerSocket server) {
        this.server = server;
        Thread.ofPlatform().daemon().name("tcp-echo-zone").start(this::acceptLoop);
    }

    static TcpEchoZone start() throws IOException {
        return new TcpEchoZone(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    long receivedBytes() {
        return receivedBytes.get();
    }

    long accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                sockets.add(socket);
                Thread.ofVirtual().start(() -> echo(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                receivedBytes.addAndGet(n);
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // client went away
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
