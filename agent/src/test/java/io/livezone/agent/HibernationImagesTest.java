package io.livezone.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.HibernatedSend;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Hibernation images carried between two "hosts" over loopback TCP, through an emulated link. */
class HibernationImagesTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir Path dir;
    private final StreamTunnels tunnels = new StreamTunnels();

    @AfterEach
    void tearDown() {
        tunnels.close();
    }

    private HibernationImages host(String name, String site) throws Exception {
        Path sockets = Files.createDirectories(dir.resolve(name + "-mig"));
        return new HibernationImages(
                dir.resolve(name + "-hibernation"), tunnels, site, LOOPBACK, sockets);
    }

    @Test
    void anImageArrivesWholeAndVerified() throws Exception {
        HibernationImages source = host("h1", "a");
        HibernationImages destination = host("h3", "b");
        byte[] content = new byte[3 << 20];
        new Random(7).nextBytes(content);
        Files.write(source.image("arena"), content);
        Files.writeString(destination.image("arena"), "a leftover of an earlier transfer");

        TransferTicket ticket = destination.receive("arena");
        StorageTransfer moved =
                source.send(
                        "arena", new HibernatedSend(ticket, new LinkSettings(5, 0, 50_000_000)));

        assertThat(Files.readAllBytes(destination.image("arena"))).isEqualTo(content);
        assertThat(moved.kind()).isEqualTo("hibernated");
        assertThat(moved.dataBytes()).isEqualTo(content.length);
        assertThat(moved.wireBytes()).isGreaterThanOrEqualTo(content.length);
        assertThat(source.image("arena")).as("the source keeps its image").exists();

        destination.delete("arena");
        assertThat(destination.image("arena")).doesNotExist();
    }

    @Test
    void aReceiverThatGotSomethingElseFailsTheSend() throws Exception {
        HibernationImages source = host("h1", "a");
        Files.write(source.image("arena"), new byte[64 << 10]);
        try (ServerSocket liar = new ServerSocket(0, 1, LOOPBACK)) {
            Thread.ofVirtual()
                    .start(
                            () -> {
                                try (Socket s = liar.accept()) {
                                    InputStream in = s.getInputStream();
                                    in.readAllBytes();
                                    OutputStream out = s.getOutputStream();
                                    out.write("OK 1 00\n".getBytes(StandardCharsets.UTF_8));
                                } catch (Exception ignored) {
                                    // the test fails on the sender's side
                                }
                            });
            TransferTicket ticket =
                    new TransferTicket("b", LOOPBACK.getHostAddress(), liar.getLocalPort(), false);
            assertThatThrownBy(
                            () ->
                                    source.send(
                                            "arena", new HibernatedSend(ticket, LinkSettings.NONE)))
                    .isInstanceOf(LiveZoneException.class)
                    .hasMessageContaining("did not get the image of zone 'arena' intact");
        }
    }

    @Test
    void noImageNoSend() throws Exception {
        HibernationImages source = host("h1", "a");
        TransferTicket ticket = new TransferTicket("b", LOOPBACK.getHostAddress(), 1, false);
        assertThatThrownBy(
                        () -> source.send("arena", new HibernatedSend(ticket, LinkSettings.NONE)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("no hibernation image of zone 'arena'");
    }
}
