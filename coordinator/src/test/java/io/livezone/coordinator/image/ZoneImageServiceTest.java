package io.livezone.coordinator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.coordinator.testing.TestCluster;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;
import io.livezone.core.cluster.DiskDefinition;
import io.livezone.core.http.ApiException;
import io.livezone.core.image.ImageRecipe;
import io.livezone.core.image.Probe;
import io.livezone.core.image.ServicePort;
import io.livezone.core.image.ZoneImage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Zone images in the coordinator: registration, zones that boot them, and deletion. */
class ZoneImageServiceTest {
    private static final String DISK = "/var/lib/images/kv/root.qcow2";

    private final TestCluster cluster = new TestCluster();
    private final ZoneService zones =
            new ZoneService(cluster.registry, cluster.agents, Ipv4Interface.parse("10.213.5.1/24"));
    private final ZoneImageService images = zones.images();

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private static ZoneImage image(String name, String exec, char hash) {
        ImageRecipe recipe =
                new ImageRecipe(
                        name,
                        List.of("redis-server"),
                        exec,
                        List.of(ServicePort.parse("tcp/6379"), ServicePort.parse("udp/30000")),
                        Probe.parse("tcp/6379"),
                        160);
        return new ZoneImage(
                name,
                recipe.digest("test"),
                recipe,
                String.valueOf(hash).repeat(64),
                100L << 20,
                0,
                1000);
    }

    private static ZoneImage kv() {
        return image("kv", "redis-server --port 6379", 'a');
    }

    @Test
    void aRegisteredImageIsItsOwnBaseImageCachedAtTheSiteAsked() {
        var view = images.register(new ZoneImageService.RegisterImage(kv(), DISK, "us"));

        assertThat(view.sites()).containsExactly("us");
        assertThat(cluster.registry.findImage("kv").orElseThrow().sha256())
                .isEqualTo("a".repeat(64));
        assertThat(cluster.agents.calls()).containsExactly("h3.importBaseImage(kv)");
        // The same image again: nothing happens.
        images.register(new ZoneImageService.RegisterImage(kv(), DISK, "us"));
        assertThat(cluster.agents.calls()).hasSize(1);
    }

    @Test
    void aNameNeverMeansTwoImages() {
        images.register(new ZoneImageService.RegisterImage(kv(), DISK, null));
        ZoneImage other = image("kv", "redis-server --port 6380", 'b');

        assertThatThrownBy(
                        () ->
                                images.register(
                                        new ZoneImageService.RegisterImage(other, DISK, null)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("registered with other inputs")
                .hasMessageContaining("livezone image delete kv");
        assertThat(images.get("kv").image()).isEqualTo(kv());
    }

    @Test
    void aZoneOfAnImageBootsItWithItsRootDiskAndMemory() {
        images.register(new ZoneImageService.RegisterImage(kv(), DISK, "eu"));

        ZoneRecord z =
                zones.create(
                        new ZoneService.CreateZone(
                                "kv1", "h1", null, null, null, null, null, "kv"));

        assertThat(z.definition().image()).isEqualTo(kv().ref());
        assertThat(z.definition().memoryMiB()).isEqualTo(160);
        DiskDefinition disk = z.definition().disk();
        assertThat(disk.image()).isEqualTo("kv");
        assertThat(disk.imageSha256()).isEqualTo("a".repeat(64));
        assertThat(disk.sizeMiB()).isEqualTo(128);
        assertThat(disk.writer()).isFalse();
        assertThat(images.get("kv").zones()).containsExactly("kv1");
    }

    @Test
    void anImageInUseIsNotDeleted() {
        images.register(new ZoneImageService.RegisterImage(kv(), DISK, "eu"));
        zones.create(new ZoneService.CreateZone("kv1", "h1", null, null, null, null, null, "kv"));

        assertThatThrownBy(() -> images.delete("kv"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("in use by zones [kv1]");
        assertThat(images.get("kv")).isNotNull();

        zones.delete("kv1");
        images.delete("kv");
        assertThat(images.list()).isEmpty();
        assertThat(cluster.registry.findImage("kv")).isEmpty();
        assertThatThrownBy(() -> images.delete("kv")).hasMessageContaining("knows no image 'kv'");
    }

    @Test
    void badZoneRequestsForAnImageChangeNothing() {
        images.register(new ZoneImageService.RegisterImage(kv(), DISK, "eu"));

        assertThatThrownBy(
                        () ->
                                zones.create(
                                        new ZoneService.CreateZone(
                                                "kv1", "h1", null, null, null, null, null, "nope")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unknown image 'nope'");
        assertThatThrownBy(
                        () ->
                                zones.create(
                                        new ZoneService.CreateZone(
                                                "kv1", "h1", null, null, null, null, 6380, "kv")))
                .hasMessageContaining("--redis-port is for LiveZone's zone server");
        assertThatThrownBy(
                        () ->
                                zones.create(
                                        new ZoneService.CreateZone(
                                                "kv1",
                                                "h1",
                                                null,
                                                null,
                                                new StorageService.DiskRequest(
                                                        null, 64L, null, false),
                                                null,
                                                null,
                                                "kv")))
                .hasMessageContaining("smaller than its base image kv");
        assertThat(cluster.registry.findZone("kv1")).isEmpty();
        assertThat(cluster.agents.calls()).containsExactly("h1.importBaseImage(kv)");
    }

    @Test
    void aNameTakenByABaseImageIsRefused() {
        cluster.registry.putImage(
                new io.livezone.coordinator.registry.BaseImageRecord(
                        "kv", "c".repeat(64), "qcow2", 1 << 20, 1 << 20, "eu", 0));

        assertThatThrownBy(
                        () -> images.register(new ZoneImageService.RegisterImage(kv(), DISK, null)))
                .hasMessageContaining("taken by a base image");
        assertThat(images.list()).isEmpty();
    }
}
