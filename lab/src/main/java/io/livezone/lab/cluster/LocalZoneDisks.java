package io.livezone.lab.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.LiveZoneException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.qemu.QemuZoneDriver;
import io.livezone.storage.GuestDiskContent;
import io.livezone.storage.QemuImg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Zone disks of a local cluster as the machine that runs it sees them: where each disk's image is,
 * how far the guest's disk writer got, and whether the disk holds what the guest wrote (every
 * record intact, no write lost, base content untouched). Tests and benchmarks check a disk after
 * every storage move with it.
 */
public final class LocalZoneDisks {
    private static final Pattern ANNOUNCED = Pattern.compile("LIVEZONE-DISK seq=(\\d+)");

    private final LocalCluster cluster;
    private final JsonHttpClient api;
    private final QemuImg qemuImg = QemuImg.locate();

    public LocalZoneDisks(LocalCluster cluster) {
        this.cluster = cluster;
        this.api = cluster.api();
    }

    /** The zone as the coordinator knows it. */
    public JsonNode zone(String name) {
        return api.get("/v1/zones/" + name, JsonNode.class);
    }

    /** The image file holding the zone's disk: on its host, or on the host serving it. */
    public Path image(String name) {
        JsonNode zone = zone(name);
        JsonNode remote = zone.path("definition").path("disk").path("remote");
        Path hosts = cluster.dir().resolve("hosts");
        if (remote.isMissingNode() || remote.isNull()) {
            return hosts.resolve(zone.path("host").asText())
                    .resolve("disks")
                    .resolve(name)
                    .resolve("disk.qcow2");
        }
        return hosts.resolve(remote.path("host").asText())
                .resolve("served")
                .resolve(name)
                .resolve("disk.qcow2");
    }

    /** The highest record number the zone's guest announced on its current console (0: none). */
    public long announced(String name) {
        String host = zone(name).path("host").asText();
        Matcher m = ANNOUNCED.matcher(cluster.driverOf(host).console(name));
        long last = 0;
        while (m.find()) {
            last = Math.max(last, Long.parseLong(m.group(1)));
        }
        return last;
    }

    /** Waits until the guest announced record {@code atLeast}; returns what it announced. */
    public long awaitAnnounced(String name, long atLeast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = announced(name);
        while (seen < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new LiveZoneException(
                        "zone "
                                + name
                                + " announced disk record "
                                + seen
                                + ", not "
                                + atLeast
                                + ", within "
                                + timeout.toSeconds()
                                + " s");
            }
            sleep(500);
            seen = announced(name);
        }
        return seen;
    }

    /**
     * Pauses the zone (which drains and flushes its I/O), checks its disk image and resumes it.
     *
     * @param base the base image the disk was made from, or null: an overlay's base, or the base a
     *     standalone disk (after a pull or a full mirror) still holds the bytes of
     */
    public GuestDiskContent.Check check(String name, String base) {
        JsonNode zone = zone(name);
        long baseSize = 0;
        if (base != null) {
            for (JsonNode i : api.get("/v1/images", JsonNode.class)) {
                if (i.path("image").path("name").asText().equals(base)) {
                    baseSize = i.path("image").path("virtualSize").asLong();
                }
            }
        }
        QemuZoneDriver driver = cluster.driverOf(zone.path("host").asText());
        Path image = image(name);
        driver.pause(name);
        try {
            return GuestDiskContent.checkImage(qemuImg, image, name, base, baseSize);
        } finally {
            driver.resume(name);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LiveZoneException("interrupted");
        }
    }
}
