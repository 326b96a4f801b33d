package io.livezone.dve.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port already in use is a clear error naming the ports, and nothing is left listening. */
class ZoneServerPortInUseTest {

    @Test
    void tcpPortInUseIsReportedWithThePorts() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket taken = new ServerSocket(0, 1, lo)) {
            var options = new ZoneServerOptions("busy", lo, taken.getLocalPort(), 0, 20);
            assertThatThrownBy(() -> ZoneServer.start(options))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen")
                    .hasMessageContaining("tcp=" + taken.getLocalPort());
        }
    }

    @Test
    void udpPortInUseReleasesTheTcpPortAgain() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket taken = new DatagramSocket(0, lo);
                ServerSocket probe = new ServerSocket(0, 1, lo)) {
            int tcpPort = probe.getLocalPort();
            probe.close();
            var options = new ZoneServerOptions("busy", lo, tcpPort, taken.getLocalPort(), 20);
            assertThatThrownBy(() -> ZoneServer.start(options))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("udp=" + taken.getLocalPort());
            // The failed start must not keep the TCP port it had already bound.
            try (ServerSocket again = new ServerSocket(tcpPort, 1, lo)) {
                again.getLocalPort();
            }
        }
    }
}
