package io.livezone.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.cli.ImageCommand;
import io.livezone.coordinator.ZoneService;
import io.livezone.coordinator.image.ZoneImageService;
import io.livezone.coordinator.storage.StorageService;
import io.livezone.core.ImageName;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneApp;
import io.livezone.core.ZoneSpec;
import io.livezone.core.http.JsonHttpClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;

/** {@code livezone zone ...}: zones of a cluster, through the coordinator's API. */
@Command(
        name = "zone",
        description = "Create, list, hibernate, resume and delete zones of a cluster.",
        subcommands = {
            ZoneCommand.Create.class,
            ZoneCommand.List.class,
            ZoneCommand.Failures.class,
            ZoneCommand.Delete.class,
            ZoneCommand.PullDisk.class,
            ZoneCommand.Suspend.class,
            ZoneCommand.Resume.class,
            ZoneCommand.Images.class,
            ZoneCommand.Storage.class
        })
public final class ZoneCommand {
    @Command(name = "create", description = "Boot a new zone on a host.")
    static final class Create implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0", description = "zone name")
        String name;

        @Option(names = "--host", required = true)
        String host;

        @Option(
                names = "--memory-mib",
                description = "the zone's memory (default: the image's, or 192 MiB)")
        Long memoryMiB;

        @Option(
                names = "--image",
                description =
                        "boot this zone image (livezone image build) instead of LiveZone's zone"
                                + " server; an image built on this machine is registered with"
                                + " the cluster first")
        String image;

        @Option(
                names = "--disk-image",
                description = "give the zone a disk: an overlay on this base image")
        String diskImage;

        @Option(
                names = "--disk-size-mib",
                description = "disk size (default: the base image's, or 64 MiB without one)")
        Long diskSizeMiB;

        @Option(
                names = "--disk-host",
                description = "keep the disk on this host and serve it to the zone over NBD")
        String diskHost;

        @Option(
                names = "--disk",
                description = "give the zone a blank disk (implied by the other --disk options)")
        boolean disk;

        @Option(
                names = "--disk-writer",
                description = "the guest writes self-checking records to its disk")
        boolean diskWriter;

        @Option(
                names = "--restart",
                defaultValue = "never",
                description =
                        "never (default): a zone whose VM dies is reported FAILED and left;"
                                + " restart: it is also booted again on its host")
        String restart;

        @Option(
                names = "--redis-port",
                description =
                        "also run Debian's Redis server in the zone on this TCP port; players reach"
                                + " it through the gateway at the endpoint NAME.redis")
        Integer redisPort;

        @Override
        public void run() {
            // The coordinator checks these too; here they are refused before the cluster is
            // looked for, so a typo is not reported as "cluster not up".
            ZoneSpec.validateName(name);
            if (memoryMiB != null
                    && (memoryMiB < ZoneSpec.MIN_MEMORY.mib()
                            || memoryMiB > ZoneSpec.MAX_MEMORY.mib())) {
                throw new InvalidInputException(
                        "zone memory "
                                + memoryMiB
                                + " MiB out of range "
                                + ZoneSpec.MIN_MEMORY.mib()
                                + ".."
                                + ZoneSpec.MAX_MEMORY.mib()
                                + " MiB");
            }
            io.livezone.core.cluster.RestartPolicy.of(restart); // bad input fails here, with exit 2
            if (redisPort != null) {
                ZoneApp.DEFAULT.withRedis(redisPort); // a bad or clashing port fails here
            }
            if (image != null) {
                ImageName.validate(image, "image");
                if (disk || diskImage != null || diskWriter || redisPort != null) {
                    throw new InvalidInputException(
                            "a zone of image "
                                    + image
                                    + " has the image's root disk and runs the image's service:"
                                    + " --disk, --disk-image, --disk-writer and --redis-port do"
                                    + " not apply (--disk-size-mib and --disk-host do)");
                }
            }
            boolean withDisk = disk || diskImage != null || diskSizeMiB != null || diskHost != null;
            if (diskWriter && !withDisk) {
                throw new InvalidInputException(
                        "--disk-writer needs a disk (--disk or --disk-image)");
            }
            StorageService.DiskRequest diskRequest =
                    withDisk
                            ? new StorageService.DiskRequest(
                                    diskImage, diskSizeMiB, diskHost, diskWriter)
                            : null;
            JsonHttpClient api = cluster.api();
            if (image != null) {
                registerLocalImage(api, image, host);
            }
            JsonNode z =
                    api.post(
                            "/v1/zones",
                            new ZoneService.CreateZone(
                                    name,
                                    host,
                                    memoryMiB,
                                    1,
                                    diskRequest,
                                    restart,
                                    redisPort,
                                    image),
                            JsonNode.class,
                            Duration.ofMinutes(5));
            System.out.println(
                    "zone "
                            + name
                            + " runs on "
                            + z.path("host").asText()
                            + " at "
                            + z.path("definition").path("address").asText()
                            + imageText(z.path("definition"))
                            + diskText(z.path("definition").path("disk")));
        }

        /**
         * Registers an image of this machine's image store with the cluster (nothing changes if it
         * knows it already), its root disk cached first at the site of {@code host}. An image the
         * store lacks is left to the coordinator, which may know it.
         */
        private static void registerLocalImage(JsonHttpClient api, String image, String host) {
            var local = ImageCommand.store().find(image);
            if (local.isEmpty()) {
                return;
            }
            String site = null;
            for (JsonNode h : api.get("/v1/hosts", JsonNode.class)) {
                if (h.path("name").asText().equals(host)) {
                    site = h.path("site").asText();
                }
            }
            if (site == null) { // before anything is registered
                throw new InvalidInputException("unknown host '" + host + "'");
            }
            api.post(
                    "/v1/zone-images",
                    new ZoneImageService.RegisterImage(
                            local.get(),
                            ImageCommand.store().rootDisk(image).toAbsolutePath().toString(),
                            site),
                    JsonNode.class,
                    Duration.ofMinutes(5));
        }
    }

    /** ", image kv (tcp/6379)" for a zone booting a zone image; empty otherwise. */
    static String imageText(JsonNode definition) {
        JsonNode image = definition.path("image");
        if (!image.isObject()) {
            return "";
        }
        java.util.List<String> ports = new java.util.ArrayList<>(); // List is the command
        image.path("ports").forEach(p -> ports.add(p.asText()));
        return ", image " + image.path("name").asText() + " (" + String.join(" ", ports) + ")";
    }

    @Command(name = "list", description = "List zones.")
    static final class List implements Runnable {
        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            for (JsonNode z : cluster.api().get("/v1/zones", JsonNode.class)) {
                System.out.printf(
                        "%-12s %-8s %-10s %s%s%s%n",
                        z.path("definition").path("name").asText(),
                        z.path("host").asText(),
                        z.path("state").asText(),
                        z.path("definition").path("address").asText(),
                        imageText(z.path("definition"))
                                + diskText(z.path("definition").path("disk")),
                        restartText(z.path("definition")));
                if (!reasonText(z).isEmpty()) {
                    System.out.printf("%-12s %s%n", "", reasonText(z));
                }
            }
        }
    }

    /** ", restarts on failure" for a zone with restart policy restart; empty otherwise. */
    static String restartText(JsonNode definition) {
        return definition.path("restart").asText("never").equals("restart")
                ? ", restarts on failure"
                : "";
    }

    /** "why: …" when the registry says why the zone is in its state; empty otherwise. */
    static String reasonText(JsonNode zone) {
        JsonNode reason = zone.path("reason");
        return reason.isMissingNode() || reason.isNull() ? "" : "why: " + reason.asText();
    }

    @Command(
            name = "failures",
            description = "Show the deaths of a zone's VM outside migrations (its history).")
    static final class Failures implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0", description = "zone name")
        String name;

        @Override
        public void run() {
            JsonNode all = cluster.api().get("/v1/zones/" + name + "/failures", JsonNode.class);
            if (all.isEmpty()) {
                System.out.println("zone " + name + " never failed");
            }
            for (JsonNode f : all) {
                JsonNode failure = f.path("failure");
                System.out.printf(
                        "%s  %s instance %s: %s%n    -> %s%n",
                        java.time.Instant.ofEpochMilli(failure.path("atMillis").asLong()),
                        f.path("host").asText(),
                        failure.path("instance").asText(),
                        failure.path("reason").asText(),
                        f.path("outcome").asText());
                if (!failure.path("qemuOutput").asText().isEmpty()) {
                    System.out.println("    QEMU: " + failure.path("qemuOutput").asText());
                }
                for (String line : failure.path("consoleTail").asText().split("\n")) {
                    if (!line.isBlank()) {
                        System.out.println("    console: " + line);
                    }
                }
            }
        }
    }

    /** ", disk 32 MiB on world at h3" and the like; empty for a zone without disk. */
    static String diskText(JsonNode disk) {
        if (disk.isMissingNode() || disk.isNull()) {
            return "";
        }
        String base =
                disk.path("image").isNull() ? "standalone" : "on " + disk.path("image").asText();
        String where =
                disk.path("remote").isNull() || disk.path("remote").isMissingNode()
                        ? "local"
                        : "served by " + disk.path("remote").path("host").asText();
        return ", disk " + disk.path("sizeMiB").asLong() + " MiB " + base + ", " + where;
    }

    @Command(
            name = "pull-disk",
            description = "Copy a zone's remote disk to the host it runs on, while it runs.")
    static final class PullDisk implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0")
        String name;

        @Override
        public void run() {
            JsonNode z =
                    cluster.api()
                            .post(
                                    "/v1/zones/" + name + "/pull-disk",
                                    null,
                                    JsonNode.class,
                                    Duration.ofMinutes(30));
            System.out.println(
                    "zone "
                            + name
                            + " on "
                            + z.path("host").asText()
                            + diskText(z.path("definition").path("disk")));
        }
    }

    @Command(
            name = "images",
            description = "List base images, or create one (--create NAME --site SITE).")
    static final class Images implements Runnable {
        @Mixin ClusterOptions cluster;

        @Option(names = "--create", description = "build a base image with known content")
        String create;

        @Option(names = "--site", description = "the site that builds it")
        String site;

        @Option(names = "--size-mib", defaultValue = "32")
        long sizeMiB;

        @Override
        public void run() {
            if (create != null) {
                if (site == null) {
                    throw new io.livezone.core.InvalidInputException("--create needs --site");
                }
                cluster.api()
                        .post(
                                "/v1/images",
                                new StorageService.CreateImage(create, site, sizeMiB),
                                JsonNode.class,
                                Duration.ofMinutes(5));
            }
            for (JsonNode i : cluster.api().get("/v1/images", JsonNode.class)) {
                System.out.printf(
                        "%-16s %4d MiB  %9d bytes  %s  sites %s%n",
                        i.path("image").path("name").asText(),
                        i.path("image").path("virtualSize").asLong() >> 20,
                        i.path("image").path("fileBytes").asLong(),
                        i.path("image").path("sha256").asText().substring(0, 12),
                        i.path("sites"));
            }
        }
    }

    @Command(name = "storage", description = "Storage transfers and their bytes on the wire.")
    static final class Storage implements Runnable {
        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            JsonNode v = cluster.api().get("/v1/storage", JsonNode.class);
            for (JsonNode t : v.path("transfers")) {
                System.out.printf(
                        "%-12s %-12s %-6s -> %-6s %12d bytes on the wire, %12d data, %6d ms%n",
                        t.path("kind").asText(),
                        t.path("zone").asText(),
                        t.path("fromHost").asText(),
                        t.path("toHost").asText(),
                        t.path("wireBytes").asLong(),
                        t.path("dataBytes").asLong(),
                        t.path("millis").asLong());
            }
            System.out.println(
                    "between sites: " + v.path("interSiteWireBytes").asLong() + " bytes");
        }
    }

    @Command(name = "delete", description = "Stop a zone and forget it.")
    static final class Delete implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0")
        String name;

        @Override
        public void run() {
            cluster.api().delete("/v1/zones/" + name, Duration.ofMinutes(1));
            System.out.println("zone " + name + " deleted");
        }
    }

    @Command(
            name = "suspend",
            description = "Hibernate a zone: save it to an image on its host and end its VM.")
    static final class Suspend implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0")
        String name;

        @Override
        public void run() {
            JsonNode z =
                    cluster.api()
                            .post(
                                    "/v1/zones/" + name + "/suspend",
                                    null,
                                    JsonNode.class,
                                    Duration.ofMinutes(10));
            System.out.println("zone " + name + " hibernates on " + z.path("host").asText());
        }
    }

    @Command(
            name = "resume",
            description =
                    "Wake a hibernating zone, on its host or on another (its image travels"
                            + " there).")
    static final class Resume implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0")
        String name;

        @Option(
                names = "--host",
                description = "resume on this host (default: where it hibernates)")
        String host;

        @Override
        public void run() {
            JsonNode z =
                    cluster.api()
                            .post(
                                    "/v1/zones/" + name + "/resume",
                                    new java.util.HashMap<>(
                                            java.util.Collections.singletonMap("host", host)),
                                    JsonNode.class,
                                    Duration.ofMinutes(30));
            System.out.println(
                    "zone "
                            + name
                            + " runs on "
                            + z.path("host").asText()
                            + " at "
                            + z.path("definition").path("address").asText());
        }
    }
}
