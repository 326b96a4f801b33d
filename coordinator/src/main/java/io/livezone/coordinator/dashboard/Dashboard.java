package io.livezone.coordinator.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.livezone.coordinator.Coordinator;
import io.livezone.coordinator.dashboard.DashboardSnapshot.QosSample;
import io.livezone.coordinator.dashboard.DashboardSnapshot.ZoneRtt;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.ZoneRecord;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.http.JsonHttpServer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The operator's dashboard: its page ({@code GET /dashboard/}, open), a snapshot of the fleet
 * ({@code GET /v1/dashboard}), the same pushed every second ({@code GET /v1/events}, server-sent
 * events) and the QoS history ({@code GET /v1/qos}), all but the page behind the cluster's token. A
 * sampler records QoS and the policies' decisions every {@link #SAMPLE_EVERY}, viewers or not.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

    /** Where the page is served. */
    public static final String PATH = "/dashboard/";

    static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);

    /** Half an hour of QoS samples. */
    static final int HISTORY =
            (int) (Duration.ofMinutes(30).toSeconds() / SAMPLE_EVERY.toSeconds());

    static final Duration PUSH_EVERY = Duration.ofSeconds(1);

    /** QoS now, per zone, and its recent history. */
    public record QosReport(
            double thresholdMs,
            List<Double> bucketEdgesMs,
            List<QosSample> series,
            List<ZoneRtt> zones) {}

    private final Coordinator coordinator;
    private final QosHistory history = new QosHistory(HISTORY, 10);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService sampler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
    private final SnapshotBuilder builder;
    private volatile boolean closed;
    private byte[] pushed = new byte[0];
    private long pushedAt;

    /**
     * @param agents the agent of a host, asked for the live progress of migrations
     */
    public Dashboard(Coordinator coordinator, Function<String, AgentGateway> agents) {
        this.coordinator = coordinator;
        this.builder =
                new SnapshotBuilder(
                        coordinator, new LiveProgress(agents, threads, Duration.ofMillis(700)));
        sampler.scheduleWithFixedDelay(
                this::sample, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Adds the dashboard's routes to {@code http}. */
    public JsonHttpServer register(JsonHttpServer http) {
        return StaticAssets.register(http)
                .route("GET", "/v1/dashboard", r -> snapshot(System.currentTimeMillis()))
                .route("GET", "/v1/qos", r -> qos(System.currentTimeMillis()))
                .rawRoute(
                        "GET",
                        "/v1/events",
                        new EventStream(this::pushed, () -> closed, PUSH_EVERY));
    }

    public DashboardSnapshot snapshot(long now) {
        coordinator.zoneMapping().last().ifPresent(history::note);
        return builder.build(now, measure(now), history.decisions());
    }

    public QosReport qos(long now) {
        ClientQos.Result current = measure(now);
        return new QosReport(
                coordinator.zoneMapping().settings().rttThresholdMs(),
                ClientQos.BUCKET_EDGES_MS,
                history.samples(),
                current.zones());
    }

    /** The snapshot as JSON, built at most once per push period whatever the number of viewers. */
    private synchronized byte[] pushed() {
        long now = System.currentTimeMillis();
        if (now - pushedAt >= PUSH_EVERY.toMillis() - 100) {
            try {
                pushed = JsonHttpServer.JSON.writeValueAsBytes(snapshot(now));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            pushedAt = now;
        }
        return pushed;
    }

    private ClientQos.Result measure(long now) {
        var registry = coordinator.registry();
        Map<String, String> siteOfHost = new LinkedHashMap<>();
        for (HostRecord h : registry.hosts()) {
            siteOfHost.put(h.name(), h.site());
        }
        Map<String, String> hostOfZone = new LinkedHashMap<>();
        for (ZoneRecord z : registry.zones()) {
            hostOfZone.put(z.name(), z.host());
        }
        return ClientQos.measure(
                now,
                coordinator.zoneMapping().settings().rttThresholdMs(),
                hostOfZone,
                coordinator.latencies().clients(siteOfHost, now));
    }

    private void sample() {
        try {
            long now = System.currentTimeMillis();
            history.record(measure(now).sample());
            coordinator.zoneMapping().last().ifPresent(history::note);
        } catch (RuntimeException e) {
            log.warn("dashboard sampling failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        sampler.shutdownNow();
        threads.shutdownNow();
    }
}
