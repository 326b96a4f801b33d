package io.livezone.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.LiveZoneException;
import io.livezone.core.cluster.BaseImageInfo;
import io.livezone.core.cluster.BaseImageSend;
import io.livezone.core.cluster.BaseImageSpec;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.StorageTransfer;
import io.livezone.core.cluster.TransferTicket;
import io.livezone.core.http.ApiException;
import io.livezone.storage.GuestDiskContent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Base images between two hosts' site caches over loopback TCP, through an emulated link: built
 * with known content, sent once, counted, checked on arrival.
 */
class BaseImageShippingTest {
    @TempDir Path dir;

    private record Host(HostDisks disks, BaseImageShipping shipping, StreamTunnels tunnels) {}

    private Host host(String name, String site) throws Exception {
        Path state = Files.createDirectories(dir.resolve(name));
        Path sockets = Files.createDirectories(state.resolve("mig"));
        HostDisks disks = new HostDisks(state, dir.resolve("cache-" + site));
        StreamTunnels tunnels = new StreamTunnels();
        return new Host(
                disks,
                new BaseImageShipping(
                        disks, tunnels, site, InetAddress.getLoopbackAddress(), sockets),
                tunnels);
    }

    @Test
    void aBaseImageCrossesTheLinkOnceAndArrivesIntact() throws Exception {
        Host a = host("h1", "a");
        Host b = host("h3", "b");
        BaseImageInfo image = a.disks().createBase(new BaseImageSpec("world", 4));
        assertThat(image.virtualSize()).isEqualTo(4L << 20);

        TransferTicket ticket = b.shipping().receive(image);
        assertThat(ticket.alreadyCached()).isFalse();
        StorageTransfer sent =
                a.shipping()
                        .send(
                                new BaseImageSend(
                                        image.sha256(),
                                        ticket,
                                        new LinkSettings(5, 0, 50_000_000)));
        assertThat(sent.kind()).isEqualTo("base");
        assertThat(sent.dataBytes()).isEqualTo(image.fileBytes());
        // The image and the receiver's one-line answer, nothing else.
        assertThat(sent.wireBytes()).isBetween(image.fileBytes(), image.fileBytes() + 64);

        Path cached = b.disks().cache().find(image.sha256()).orElseThrow().path();
        Path raw = dir.resolve("check.raw");
        b.disks().qemuImg().toRaw(cached, raw);
        GuestDiskContent.Check check = GuestDiskContent.check(raw, "none", "world", 4L << 20);
        assertThat(check.ok()).as(check.toString()).isTrue();

        // Now cached there: no second transfer.
        TransferTicket again = b.shipping().receive(image);
        assertThat(again.alreadyCached()).isTrue();
        assertThat(a.shipping().send(new BaseImageSend(image.sha256(), again, null)).wireBytes())
                .isZero();
        a.tunnels().close();
        b.tunnels().close();
    }

    @Test
    void aBaseTheSenderLacksOrTheReceiverRefusesFailsClearly() throws Exception {
        Host a = host("h1", "a");
        Host b = host("h3", "b");
        BaseImageInfo image = a.disks().createBase(new BaseImageSpec("world", 2));
        String other = "0".repeat(64);
        assertThatThrownBy(
                        () ->
                                a.shipping()
                                        .send(
                                                new BaseImageSend(
                                                        other,
                                                        new TransferTicket(
                                                                "b", "127.0.0.1", 1, false),
                                                        null)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("not cached at this site");

        // The receiver expects another image: it checks the hash and refuses.
        BaseImageInfo wrong =
                new BaseImageInfo("world", other, "qcow2", image.virtualSize(), image.fileBytes());
        TransferTicket ticket = b.shipping().receive(wrong);
        assertThatThrownBy(() -> a.shipping().send(new BaseImageSend(image.sha256(), ticket, null)))
                .isInstanceOf(LiveZoneException.class)
                .hasMessageContaining("refused")
                .hasMessageContaining("SHA-256");
        assertThat(b.disks().cache().list()).isEmpty();
        a.tunnels().close();
        b.tunnels().close();
    }
}
