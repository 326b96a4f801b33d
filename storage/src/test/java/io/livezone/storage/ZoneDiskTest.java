package io.livezone.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

class ZoneDiskTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void localDiskIsAQcow2NodeOverAFileNode() throws Exception {
        ZoneDisk disk = ZoneDisk.local("disk0", Path.of("/srv/zones/a,b/zone.qcow2"));

        assertThat(disk.nodeName()).isEqualTo("lz-disk0");
        assertThat(disk.fileNodeName()).isEqualTo("lz-disk0-file");
        assertThat(disk.deviceId()).isEqualTo("lz-disk0-dev");
        assertThat(disk.blockBackendPath())
                .isEqualTo("/machine/peripheral/lz-disk0-dev/virtio-backend");
        assertThat(disk.deviceArguments())
                .containsExactly(
                        "-device", "virtio-blk-pci,drive=lz-disk0,id=lz-disk0-dev,serial=disk0");

        assertThat(disk.blockdevArguments().get(0)).isEqualTo("-blockdev");
        JsonNode json = MAPPER.readTree(disk.blockdevArguments().get(1));
        assertThat(json.path("driver").asText()).isEqualTo("qcow2");
        assertThat(json.path("node-name").asText()).isEqualTo("lz-disk0");
        assertThat(json.path("file").path("node-name").asText()).isEqualTo("lz-disk0-file");
        // A comma in the path needs no escaping in JSON syntax.
        assertThat(json.path("file").path("filename").asText())
                .isEqualTo("/srv/zones/a,b/zone.qcow2");
        assertThat(disk.qemuArguments()).hasSize(4).startsWith("-blockdev");
    }

    @Test
    void remoteDiskIsAnNbdNode() throws Exception {
        NbdEndpoint endpoint = new NbdEndpoint(Path.of("/run/lz/y.sock"), "lz-disk0");
        ZoneDisk disk = ZoneDisk.remote("disk0", endpoint, Duration.ofSeconds(5));

        JsonNode json = MAPPER.readTree(disk.blockdevArguments().get(1));
        assertThat(json.path("driver").asText()).isEqualTo("nbd");
        assertThat(json.path("server").path("type").asText()).isEqualTo("unix");
        assertThat(json.path("server").path("path").asText()).isEqualTo("/run/lz/y.sock");
        assertThat(json.path("export").asText()).isEqualTo("lz-disk0");
        assertThat(json.path("reconnect-delay").asLong()).isEqualTo(5);
        assertThat(endpoint.uri()).isEqualTo("nbd+unix:///lz-disk0?socket=/run/lz/y.sock");
        assertThatThrownBy(disk::fileNodeName).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void namesStayWithinQemuLimits() {
        ZoneDisk longest = ZoneDisk.local("a234567890123456", Path.of("/x.qcow2"));
        assertThat(longest.withNodeName("lz-a234567890123456-local").fileNodeName()).hasSize(30);

        assertThatThrownBy(() -> ZoneDisk.local("a2345678901234567", Path.of("/x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZoneDisk.local("Disk", Path.of("/x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NbdEndpoint(Path.of("/" + "d".repeat(120)), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shorter");
    }
}
