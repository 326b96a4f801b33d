package io.livezone.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.livezone.core.InvalidInputException;
import io.livezone.core.image.ImageRef;
import io.livezone.core.image.ServicePort;

import org.junit.jupiter.api.Test;

import java.util.List;

/** A zone that boots a zone image, as the coordinator and agents exchange it. */
class ZoneDefinitionTest {
    private static final ImageRef KV =
            new ImageRef(
                    "kv",
                    "a".repeat(64),
                    List.of(ServicePort.parse("tcp/6379"), ServicePort.parse("udp/30000")));
    private static final DiskDefinition ROOT =
            new DiskDefinition("kv", "b".repeat(64), 200, false, null);

    private static ZoneDefinition zone(DiskDefinition disk, int redis, ImageRef image) {
        return new ZoneDefinition(
                "kv1",
                160,
                1,
                "10.213.5.10/24",
                "52:54:00:00:00:01",
                7000,
                7001,
                20,
                disk,
                null,
                redis,
                image);
    }

    @Test
    void aZoneOfAnImageKeepsItThroughChangesAndJson() throws Exception {
        ZoneDefinition z = zone(ROOT, 0, KV);
        assertThat(z.bootsImage()).isTrue();
        assertThat(z.withDisk(ROOT.standalone()).image()).isEqualTo(KV);
        assertThat(z.withRestart(RestartPolicy.RESTART).image()).isEqualTo(KV);

        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(z);
        assertThat(text).contains("\"ports\":[\"tcp/6379\",\"udp/30000\"]");
        assertThat(json.readValue(text, ZoneDefinition.class)).isEqualTo(z);
    }

    @Test
    void aZoneStoredBeforeImagesRunsTheZoneServer() throws Exception {
        String old =
                "{\"name\":\"z\",\"memoryMiB\":192,\"vcpus\":1,\"address\":\"10.213.5.11/24\","
                        + "\"mac\":\"52:54:00:00:00:02\",\"tcpPort\":7000,\"udpPort\":7001,"
                        + "\"tickHz\":20}";
        assertThat(new ObjectMapper().readValue(old, ZoneDefinition.class).bootsImage()).isFalse();
    }

    @Test
    void anImageNeedsItsRootDiskAndNoRedisBesideIt() {
        assertThatThrownBy(() -> zone(null, 0, KV))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("no disk");
        assertThatThrownBy(() -> zone(ROOT, 6380, KV))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Redis");
        assertThatThrownBy(() -> new ImageRef("kv", "a".repeat(64), List.of()))
                .hasMessageContaining("declares no port");
        assertThatThrownBy(
                        () ->
                                new ImageRef(
                                        "kv",
                                        "a".repeat(64),
                                        List.of(
                                                ServicePort.parse("tcp/1"),
                                                ServicePort.parse("tcp/1"))))
                .hasMessageContaining("twice");
    }
}
