package io.livezone.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.ClusterConfig;
import io.livezone.coordinator.dashboard.Dashboard;
import io.livezone.core.image.ServicePort;
import io.livezone.lab.cluster.LocalCluster;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** {@code livezone cluster up|down|status}: a local multi-host cluster on this machine. */
@Command(
        name = "cluster",
        description = "Start, inspect and remove a local multi-host cluster.",
        subcommands = {
            ClusterCommand.Up.class,
            ClusterCommand.Down.class,
            ClusterCommand.Status.class
        })
public final class ClusterCommand {
    /** Two sites, two hosts each, a 50 ms / 100 Mbit/s link: the embedded default. */
    public static final String DEFAULT_CONFIG =
            """
            sites:
              - name: eu
                hosts:
                  - {name: h1, memory: 2GiB, nic: 1gbit}
                  - {name: h2, memory: 2GiB, nic: 1gbit}
              - name: us
                hosts:
                  - {name: h3, memory: 2GiB, nic: 1gbit}
            links:
              - {between: [eu, us], latency: 25ms, jitter: 1ms, bandwidth: 100mbit}
            players:
              region: eu
              latency:
                eu: {eu: 10ms, us: 50ms}
            """;

    /** The coordinator's dashboard page; the operator signs in there with the cluster's token. */
    public static String dashboardUrl(LocalCluster cluster) {
        return cluster.state().coordinatorUrl() + Dashboard.PATH;
    }

    @Command(name = "up", description = "Start a coordinator and one agent per host.")
    static final class Up implements Runnable {
        @Mixin ClusterOptions cluster;

        @Option(names = "--config", description = "cluster YAML (default: 2 sites, 3 hosts)")
        Path config;

        @Override
        public void run() {
            ClusterConfig c =
                    config == null
                            ? ClusterConfig.parse(DEFAULT_CONFIG)
                            : ClusterConfig.read(config);
            LocalCluster up =
                    LocalCluster.up(cluster.root, cluster.name, c, Duration.ofSeconds(90));
            System.out.println(
                    "cluster "
                            + cluster.name
                            + " is up: coordinator "
                            + up.state().coordinatorUrl());
            up.state()
                    .hostAddresses()
                    .forEach((h, a) -> System.out.println("  host " + h + " at " + a));
            System.out.println("dashboard " + dashboardUrl(up) + " (sign in with the API token)");
            System.out.println(
                    "players' gateway "
                            + up.state().gatewayUrl()
                            + " (each zone's endpoint: livezone cluster status)");
            System.out.println(
                    "zone network "
                            + up.state().zoneGateway()
                            + "; API token in "
                            + up.dir().resolve("token"));
        }
    }

    @Command(name = "down", description = "Stop everything the cluster created and remove it.")
    static final class Down implements Runnable {
        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            LocalCluster.down(cluster.root, cluster.name);
            System.out.println("cluster " + cluster.name + " removed");
        }
    }

    @Command(name = "status", description = "Show sites, hosts and zones.")
    static final class Status implements Runnable {
        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            JsonNode c = cluster.api().get("/v1/cluster", JsonNode.class);
            System.out.printf(
                    "%-8s %-6s %-6s %8s %10s %s%n",
                    "HOST", "SITE", "STATE", "CPU%", "MEM MiB", "URL");
            for (JsonNode h : c.path("hosts")) {
                System.out.printf(
                        "%-8s %-6s %-6s %8.1f %10d %s%n",
                        h.path("name").asText(),
                        h.path("site").asText(),
                        h.path("state").asText(),
                        h.path("load").path("cpuPercent").asDouble(),
                        h.path("load").path("memoryUsedBytes").asLong() >> 20,
                        h.path("url").asText());
            }
            // Where players connect: the gateway's stable endpoint (absent until it follows).
            Map<String, JsonNode> served = new HashMap<>();
            try {
                for (JsonNode g : cluster.open().gatewayApi().get("/v1/zones", JsonNode.class)) {
                    served.put(g.path("zone").asText(), g);
                }
            } catch (RuntimeException e) {
                System.err.println(
                        "livezone: the players' gateway does not answer: " + e.getMessage());
            }
            System.out.printf(
                    "%n%-12s %-8s %-10s %-18s %-22s %s%n",
                    "ZONE", "HOST", "STATE", "ADDRESS", "PLAYERS CONNECT TO", "QOS");
            for (JsonNode z : c.path("zones")) {
                String name = z.path("definition").path("name").asText();
                JsonNode g = served.get(name);
                JsonNode qos = g == null ? null : g.path("qos");
                System.out.printf(
                        "%-12s %-8s %-10s %-18s %-22s %s%n",
                        name,
                        z.path("host").asText(),
                        z.path("state").asText(),
                        z.path("definition").path("address").asText(),
                        g == null
                                ? "-"
                                : g.path("endpoint").asText() + ":" + g.path("port").asInt(),
                        qos == null || qos.path("clients").asInt() == 0
                                ? "-"
                                : qos.path("underThreshold").asInt()
                                        + "/"
                                        + qos.path("clients").asInt());
                // A zone image's service: one endpoint per declared port.
                for (JsonNode port : z.path("definition").path("image").path("ports")) {
                    JsonNode p = served.get(ServicePort.parse(port.asText()).endpointOf(name));
                    System.out.printf(
                            "%-12s %-8s %-10s %-18s %-22s%n",
                            "",
                            "",
                            "",
                            port.asText(),
                            p == null
                                    ? "-"
                                    : p.path("endpoint").asText() + ":" + p.path("port").asInt());
                }
                String why = ZoneCommand.reasonText(z);
                if (!why.isEmpty()) {
                    System.out.printf("%-12s %s%n", "", why);
                }
            }
        }
    }
}
