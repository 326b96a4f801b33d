package io.livezone.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.coordinator.policy.ZoneMappingSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code livezone policy ...}: the live policies of a cluster. */
@Command(
        name = "policy",
        description = "Show, enable and run the cluster's live policies.",
        subcommands = {PolicyCommand.Status.class, PolicyCommand.ZoneMapping.class})
public final class PolicyCommand {
    @Command(name = "status", description = "Policies, their settings and last decisions.")
    static final class Status implements Runnable {
        @Mixin ClusterOptions cluster;

        @Override
        public void run() {
            JsonNode p = cluster.api().get("/v1/policies", JsonNode.class);
            JsonNode zm = p.path("zoneMapping");
            JsonNode s = zm.path("settings");
            System.out.printf(
                    "zone-mapping: %s, threshold %.0f ms, QoS target %.0f%%, every %d s, %d clients"
                            + " reporting%n",
                    s.path("enabled").asBoolean() ? "enabled" : "disabled",
                    s.path("rttThresholdMs").asDouble(),
                    100 * s.path("qosTarget").asDouble(),
                    s.path("periodSeconds").asLong(),
                    zm.path("clientsReporting").asInt());
            if (!zm.path("lastDecision").isNull()) {
                System.out.println(
                        "  last decision: " + zm.path("lastDecision").path("reason").asText());
            }
        }
    }

    @Command(name = "zone-mapping", description = "Configure zone mapping, or run one round now.")
    static final class ZoneMapping implements Runnable {
        @Mixin ClusterOptions cluster;

        @Option(
                names = "--enable",
                negatable = true,
                description = "turn the policy on (--no-enable: off)")
        Boolean enable;

        @Option(names = "--threshold-ms", defaultValue = "80")
        double thresholdMs;

        @Option(names = "--qos-target", defaultValue = "0.9")
        double qosTarget;

        @Option(names = "--period-s", defaultValue = "10")
        long periodSeconds;

        @Option(names = "--run-now", description = "run one round now and print the decision")
        boolean runNow;

        @Override
        public void run() {
            var api = cluster.api();
            if (enable != null) {
                api.send(
                        "PUT",
                        "/v1/policies/zone-mapping",
                        new ZoneMappingSettings(enable, thresholdMs, qosTarget, periodSeconds),
                        JsonNode.class,
                        Duration.ofSeconds(10));
                System.out.println("zone-mapping " + (enable ? "enabled" : "disabled"));
            }
            if (runNow) {
                JsonNode d = api.post("/v1/policies/zone-mapping/run", null, JsonNode.class);
                System.out.println(
                        d.path("reason").asText()
                                + (d.path("planId").asLong() > 0
                                        ? " → plan " + d.path("planId").asLong()
                                        : ""));
            }
        }
    }
}
