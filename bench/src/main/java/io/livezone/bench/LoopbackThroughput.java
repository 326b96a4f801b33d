package io.livezone.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Measures what one TCP stream carries over loopback on this host: the ceiling for a local
 * migration stream, against which the benchmark judges migration total time.
 */
final class LoopbackThroughput {
    private LoopbackThroughput() {}

    /** Sends {@code bytes} through one loopback TCP connection and returns Mbit/s. */
    static double measureMbps(long bytes) throws IOException, InterruptedException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread sink =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        try (Socket s = server.accept();
                                                InputStream in = s.getInputStream()) {
                                            byte[] buf = new byte[1 << 20];
                                            while (in.read(buf) >= 0) {
                                                // drain
                                            }
                                        } catch (IOException ignored) {
                                            // the sender reports failures
                                        }
                                    });
            long start;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                    OutputStream out = s.getOutputStream()) {
                byte[] buf = new byte[1 << 20];
                start = System.nanoTime();
                for (long sent = 0; sent < bytes; sent += buf.length) {
                    out.write(buf);
                }
            }
            sink.join();
            double seconds = (System.nanoTime() - start) / 1e9;
            return bytes * 8 / 1e6 / seconds;
        }
    }
}
