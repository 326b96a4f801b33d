package io.livezone.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.http.JsonHttpServer;

import org.junit.jupiter.api.Test;

/** Zone disks as coordinator and agents exchange them: validation and JSON form. */
class DiskDefinitionTest {
    private static final String SHA =
            "7aed05a9abdcae7e99b96596b1253041097804e420cbf7b3948186e5d8c64e35";
    private static final ZoneDefinition ZONE =
            new ZoneDefinition(
                    "arena", 192, 1, "10.213.5.10/24", "52:54:00:12:34:56", 7000, 7001, 20);

    @Test
    void badDisksAreRejectedWithTheReason() {
        assertThatThrownBy(() -> new DiskDefinition("World", SHA, 32, true, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("bad base image name 'World'");
        assertThatThrownBy(() -> new DiskDefinition("world", "abc", 32, true, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("64 lower-case hex digits");
        assertThatThrownBy(() -> new DiskDefinition(null, SHA, 32, true, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("without base image");
        assertThatThrownBy(() -> new DiskDefinition(null, null, 8, true, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("out of range 16..4096 MiB");
        assertThatThrownBy(() -> new BaseImageSpec("world", 65))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("1..64 MiB");
        assertThatThrownBy(
                        () ->
                                new RemoteDisk(
                                        "h3", "b", "10.214.0.12", 0, "arena", LinkSettings.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("invalid NBD port 0");
    }

    @Test
    void aPulledOrFullyMirroredDiskIsLocalAndStandalone() {
        RemoteDisk served = new RemoteDisk("h3", "b", "10.214.0.12", 40000, "arena", null);
        DiskDefinition remote = new DiskDefinition("world", SHA, 32, true, served);
        assertThat(remote.local()).isFalse();
        assertThat(served.link()).isEqualTo(LinkSettings.NONE);
        LinkSettings wan = new LinkSettings(10, 1, 50_000_000);
        assertThat(served.via(wan).link()).isEqualTo(wan);

        DiskDefinition standalone = remote.standalone();
        assertThat(standalone.local()).isTrue();
        assertThat(standalone.image()).isNull();
        assertThat(standalone.imageSha256()).isNull();
        assertThat(standalone.sizeBytes()).isEqualTo(32L << 20);
        assertThat(standalone.writer()).isTrue();
    }

    @Test
    void zonesWithAndWithoutDiskSurviveJson() throws Exception {
        DiskDefinition disk =
                new DiskDefinition(
                        "world",
                        SHA,
                        48,
                        true,
                        new RemoteDisk(
                                "h3",
                                "b",
                                "10.214.0.12",
                                40000,
                                "arena",
                                new LinkSettings(10, 1, 0)));
        ZoneDefinition withDisk = ZONE.withDisk(disk);
        String json = JsonHttpServer.JSON.writeValueAsString(withDisk);
        assertThat(JsonHttpServer.JSON.readValue(json, ZoneDefinition.class)).isEqualTo(withDisk);
        assertThat(json).doesNotContain("sizeBytes").doesNotContain("\"local\"");

        // Zones stored before disks existed have no "disk" field at all.
        String old =
                "{\"name\":\"arena\",\"memoryMiB\":192,\"vcpus\":1,\"address\":\"10.213.5.10/24\","
                        + "\"mac\":\"52:54:00:12:34:56\",\"tcpPort\":7000,\"udpPort\":7001,"
                        + "\"tickHz\":20}";
        assertThat(JsonHttpServer.JSON.readValue(old, ZoneDefinition.class)).isEqualTo(ZONE);
        assertThat(ZONE.disk()).isNull();
    }
}
