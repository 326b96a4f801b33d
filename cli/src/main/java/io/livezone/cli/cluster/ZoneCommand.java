package io.livezone.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ZoneService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;

/** {@code livezone zone ...}: zones of a cluster, through the coordinator's API. */
@Command(
        name = "zone",
        description = "Create, list, migrate and delete zones of a cluster.",
        subcommands = {ZoneCommand.Create.class, ZoneCommand.List.class, ZoneCommand.Delete.class})
public final class ZoneCommand {
    @Command(name = "create", description = "Boot a new zone on a host.")
    static final class Create implements Runnable {
        @Mixin ClusterOptions cluster;

        @Parameters(index = "0", description = "zone name")
        String name;

        @Option(names = "--host", required = true)
        String host;

        @Option(names = "--memory-mib", defaultValue = "192")
        long memoryMiB;

        @Override
        public void run() {
            JsonNode z =
                    cluster.api()
                            .post(
                                    "/v1/zones",
                                    new ZoneService.CreateZone(name, host, memoryMiB, 1),
                                    JsonNode.class,
                                    Duration.ofMinutes(5));
            System.out.println(
                    "zone "
                            + name
                            + " runs on "
                            + z.path("host").asText()
                            + " at "
                            + z.path("definition").path("address").asText());
        }
    }

    @Command(name = "list", description = "List zones.")
    static final class List implements Runnable {
        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            for (JsonNode z : cluster.api().get("/v1/zones", JsonNode.class)) {
                System.out.printf(
                        "%-12s %-8s %-10s %s%n",
                        z.path("definition").path("name").asText(),
                        z.path("host").asText(),
                        z.path("state").asText(),
                        z.path("definition").path("address").asText());
            }
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
}
