package io.livezone.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.livezone.cli.cluster.ClusterOptions;
import io.livezone.core.EnvironmentException;
import io.livezone.core.ImageName;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpClient;
import io.livezone.core.image.ImageRecipe;
import io.livezone.core.image.Probe;
import io.livezone.core.image.ServicePort;
import io.livezone.core.image.ZoneImage;
import io.livezone.image.ImageBuilder;
import io.livezone.image.ImageStore;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;

/** {@code livezone image ...}: zone images built from Debian packages (docs/images.md). */
@Command(
        name = "image",
        description = "Build, list, show and delete zone images.",
        subcommands = {
            ImageCommand.Build.class,
            ImageCommand.ListImages.class,
            ImageCommand.Show.class,
            ImageCommand.Delete.class
        })
public final class ImageCommand {
    private static final ObjectMapper JSON =
            new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT);

    /** The images of this machine: {@code -Dlivezone.images=DIR}, else {@code build/images}. */
    public static ImageStore store() {
        return ImageStore.installed();
    }

    @Command(
            name = "build",
            description =
                    "Build an image from Debian bookworm packages: a root filesystem on a qcow2"
                            + " disk whose init runs COMMAND (restarted when it exits).")
    static final class Build implements Runnable {
        @Parameters(index = "0", description = "image name (lower-case letters, digits, '-')")
        String name;

        @Option(
                names = "--packages",
                required = true,
                split = ",",
                description = "Debian packages to install, comma-separated")
        List<String> packages;

        @Option(names = "--exec", required = true, description = "the service's command line")
        String exec;

        @Option(
                names = "--port",
                required = true,
                description = "a port the service listens on: tcp/N or udp/N (repeatable)")
        List<String> ports;

        @Option(
                names = "--probe",
                defaultValue = "none",
                description = "readiness: tcp/M, udp/N:HEXREQUEST or none (default)")
        String probe;

        @Option(
                names = "--memory-mib",
                defaultValue = "" + ImageRecipe.DEFAULT_MEMORY_MIB,
                description = "a zone's memory by default (MiB)")
        int memoryMiB;

        @Option(names = "--json", description = "print the image as JSON")
        boolean json;

        @Override
        public void run() {
            ImageRecipe recipe =
                    new ImageRecipe(
                            name,
                            packages,
                            exec,
                            ports.stream().map(ServicePort::parse).toList(),
                            Probe.parse(probe),
                            memoryMiB);
            ImageBuilder builder = ImageBuilder.installed(store());
            ImageBuilder.Built built =
                    builder.build(
                            recipe, line -> System.err.println("image " + name + ": " + line));
            if (json) {
                print(built.image());
            } else {
                ZoneImage i = built.image();
                System.out.printf(
                        "image %s %s: root disk %.1f MiB, %s%n",
                        i.name(),
                        built.cached() ? "was built already" : "built",
                        i.rootDiskBytes() / 1048576.0,
                        built.cached()
                                ? "built before in " + i.buildMillis() / 1000 + " s"
                                : "in " + i.buildMillis() / 1000 + " s");
            }
        }
    }

    @Command(name = "list", description = "The images built on this machine.")
    static final class ListImages implements Runnable {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            List<ZoneImage> images = store().list();
            if (json) {
                print(images);
                return;
            }
            if (images.isEmpty()) {
                System.out.println("no images (build one: livezone image build NAME …)");
            }
            for (ZoneImage i : images) {
                System.out.printf(
                        "%-24s %6.1f MiB  %s  ports %s  probe %s  (%s)%n",
                        i.name(),
                        i.rootDiskBytes() / 1048576.0,
                        i.digest().substring(0, 12),
                        i.recipe().ports(),
                        i.recipe().probe(),
                        String.join(",", i.recipe().packages()));
            }
        }
    }

    @Command(name = "show", description = "One image: its recipe, digest and root disk.")
    static final class Show implements Runnable {
        @Parameters(index = "0")
        String name;

        @Override
        public void run() {
            print(store().require(name));
        }
    }

    @Command(name = "delete", description = "Delete an image built on this machine.")
    static final class Delete implements Runnable {
        @Parameters(index = "0")
        String name;

        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            ImageName.validate(name, "image");
            boolean local = store().find(name).isPresent();
            if (local) {
                store().requireUnused(name); // before the cluster forgets it
            }
            // The cluster first: it refuses while a zone (hibernated ones too) boots the image,
            // and then nothing is deleted here either.
            boolean registered = unregister();
            if (!local && !registered) {
                throw new InvalidInputException("no image '" + name + "'");
            }
            if (local && !store().delete(name)) {
                throw new InvalidInputException("no image '" + name + "'");
            }
            System.out.println(
                    "image "
                            + name
                            + " deleted"
                            + (registered ? " (and from cluster " + cluster.name + ")" : ""));
        }

        /** Removes the image from the local cluster, if one is up; true if it knew the image. */
        private boolean unregister() {
            JsonHttpClient api;
            try {
                api = cluster.api();
            } catch (InvalidInputException noCluster) {
                return false;
            }
            try {
                api.delete("/v1/zone-images/" + name, Duration.ofSeconds(30));
                return true;
            } catch (ApiException e) {
                if (e.status() == 404) {
                    return false;
                }
                throw e;
            } catch (EnvironmentException unreachable) {
                // Its site caches keep their own copies: deleting here breaks none of its zones.
                System.err.println(
                        "livezone: cluster "
                                + cluster.name
                                + " does not answer ("
                                + unreachable.getMessage()
                                + "); image "
                                + name
                                + " stays registered there");
                return false;
            }
        }
    }

    private static void print(Object value) {
        try {
            System.out.println(JSON.writeValueAsString(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new LiveZoneException("cannot print " + value.getClass().getSimpleName());
        }
    }

    private ImageCommand() {}
}
