package io.livezone.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

class WelcomeRewriterTest {

    @Test
    void rewritesOnlyTheUdpPortOfAWellFormedWelcome() {
        assertThat(WelcomeRewriter.rewrite("WELCOME 7 a1b2 7001 20\n", 40000))
                .isEqualTo("WELCOME 7 a1b2 40000 20\n");
        assertThat(WelcomeRewriter.rewrite("WELCOME 7 a1b2 7001 20\r\n", 5))
                .isEqualTo("WELCOME 7 a1b2 5 20\r\n");
        assertThat(WelcomeRewriter.rewrite("WELCOME 7 a1b2 x 20\n", 5)).isNull();
        assertThat(WelcomeRewriter.rewrite("WELCOME 7 a1b2 7001\n", 5)).isNull();
    }

    @Test
    void findsTheWelcomeLineSplitAcrossSegmentsAndLeavesEverythingElseAlone() throws Exception {
        String before = "PONG 1\nWELCOMING nobody\n";
        String after = "PONG 2\nWELCOME 9 ff 1234 20\n";
        try (ServerSocket fakeZone = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                Gateway gateway =
                        Gateway.start(
                                GatewayConfig.loopback().toBuilder()
                                        .rewriteWelcomeUdpPort(true)
                                        .build())) {
            ZoneEndpoint endpoint =
                    gateway.addZone(
                            "z1",
                            ZoneLocation.of(
                                    (java.net.InetSocketAddress) fakeZone.getLocalSocketAddress(),
                                    "site-a"));
            Thread zone =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        try (Socket s = fakeZone.accept()) {
                                            OutputStream out = s.getOutputStream();
                                            for (String part :
                                                    new String[] {
                                                        before,
                                                        "WELC",
                                                        "OME 3 abc 70",
                                                        "01 20\n",
                                                        after
                                                    }) {
                                                out.write(part.getBytes(StandardCharsets.US_ASCII));
                                                out.flush();
                                                Thread.sleep(20);
                                            }
                                        } catch (Exception e) {
                                            throw new IllegalStateException(e);
                                        }
                                    });
            try (Socket client = new Socket()) {
                client.connect(endpoint.tcp(), 5000);
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                String received = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(received)
                        .isEqualTo(
                                before
                                        + "WELCOME 3 abc "
                                        + endpoint.udp().getPort()
                                        + " 20\n"
                                        + after);
            }
            zone.join();
        }
    }
}
