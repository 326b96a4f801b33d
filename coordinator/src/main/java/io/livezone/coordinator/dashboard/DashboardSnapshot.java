package io.livezone.coordinator.dashboard;

import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.policy.PolicyDecision;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.SiteLink;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.cluster.MigrationSettings;

import java.util.List;

/**
 * The whole fleet as the dashboard shows it, pushed as one JSON document every second.
 *
 * @param migrations the moves of running plans, with live progress
 * @param plans the most recent plans, newest first, finished ones with their measurements
 * @param migrationDefaults the knobs a plan gets when it names none (the page's form defaults)
 */
public record DashboardSnapshot(
        long atMillis,
        List<String> sites,
        List<SiteLink> links,
        List<HostView> hosts,
        List<ZoneView> zones,
        List<MoveView> migrations,
        List<PlanView> plans,
        List<PolicyView> policies,
        QosView qos,
        MigrationSettings migrationDefaults) {
    public DashboardSnapshot {
        sites = List.copyOf(sites);
        links = List.copyOf(links);
        hosts = List.copyOf(hosts);
        zones = List.copyOf(zones);
        migrations = List.copyOf(migrations);
        plans = List.copyOf(plans);
        policies = List.copyOf(policies);
    }

    /**
     * A host and its last load report.
     *
     * @param memoryUsedBytes what its zones use, as its agent measured (0 before the first report)
     * @param nicRxBytesPerSec receive rate between its last two reports
     */
    public record HostView(
            String name,
            String site,
            HostRecord.HostState state,
            long lastSeenMillis,
            double cpuPercent,
            long memoryUsedBytes,
            long memoryBytes,
            long nicBytesPerSec,
            double nicRxBytesPerSec,
            double nicTxBytesPerSec,
            List<String> zones) {
        public HostView {
            zones = List.copyOf(zones);
        }
    }

    /**
     * A zone, where it runs, and its players as the RTT feed reports them.
     *
     * @param clients players that reported an RTT within the feed's horizon
     * @param rttP50Ms median RTT of those players to the zone's host, null without measurements
     * @param reason why the zone is in its state (e.g. what killed a FAILED zone), or null
     * @param restart its restart policy, {@code never} or {@code restart}
     * @param failures how often its VM died outside a migration (its failure history)
     */
    public record ZoneView(
            String name,
            String host,
            ZoneRecord.ZoneLifecycle state,
            long memoryMiB,
            String address,
            int clients,
            Double rttP50Ms,
            Double rttP90Ms,
            String reason,
            String restart,
            int failures) {}

    /**
     * One move of a running plan.
     *
     * @param phase in an operator's words: waiting, preparing destination, storage mirror, pre-copy
     *     round n, switchover, done, failed, cancelled
     * @param bytesPerSec the transfer rate the source reports, 0 when unknown
     * @param expectedDowntimeMillis the memory dirtied since the last pass over the current rate,
     *     as QEMU estimates it; null before the second pre-copy round and outside pre-copy
     */
    public record MoveView(
            long planId,
            String algorithm,
            String zone,
            String source,
            String destination,
            MoveRecord.MoveState state,
            String phase,
            double percent,
            long transferredBytes,
            long totalBytes,
            double bytesPerSec,
            Long expectedDowntimeMillis,
            long downtimeLimitMillis,
            long elapsedMillis) {}

    /** A plan with its derived progress. */
    public record PlanView(
            long id,
            String algorithm,
            PlanRecord.PlanState state,
            long createdMillis,
            long finishedMillis,
            double percent,
            long elapsedMillis,
            List<MoveRecord> moves) {
        public PlanView {
            moves = List.copyOf(moves);
        }

        static PlanView of(PlanRecord p) {
            return new PlanView(
                    p.id(),
                    p.algorithm(),
                    p.state(),
                    p.createdMillis(),
                    p.finishedMillis(),
                    p.percent(),
                    p.elapsedMillis(),
                    p.moves());
        }
    }

    /**
     * A live policy: whether it runs, its settings in words, and its latest decisions.
     *
     * @param decisions newest first
     */
    public record PolicyView(
            String name,
            boolean enabled,
            String summary,
            Object settings,
            int clientsReporting,
            List<PolicyDecision> decisions) {
        public PolicyView {
            decisions = List.copyOf(decisions);
        }
    }

    /**
     * QoS now and per-zone RTT distributions; the history is served apart ({@code GET /v1/qos}).
     *
     * @param bucketEdgesMs lower edges of the RTT histogram buckets; the last bucket is open
     */
    public record QosView(
            double thresholdMs, QosSample latest, List<Double> bucketEdgesMs, List<ZoneRtt> zones) {
        public QosView {
            bucketEdgesMs = List.copyOf(bucketEdgesMs);
            zones = List.copyOf(zones);
        }
    }

    /**
     * The share of players under the RTT threshold at one moment.
     *
     * @param qos {@code underThreshold / clients}, null when no player reports
     */
    public record QosSample(long atMillis, int clients, int underThreshold, Double qos) {}

    /**
     * One zone's players' RTTs to the host that runs it.
     *
     * @param measured players with an RTT to that host's site (the others count as over)
     * @param histogram players per bucket of {@link QosView#bucketEdgesMs()}
     */
    public record ZoneRtt(
            String zone,
            String host,
            int clients,
            int measured,
            Double p50Ms,
            Double p90Ms,
            Double maxMs,
            List<Integer> histogram) {
        public ZoneRtt {
            histogram = List.copyOf(histogram);
        }
    }
}
