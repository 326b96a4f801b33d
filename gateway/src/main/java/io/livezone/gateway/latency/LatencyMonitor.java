package io.livezone.gateway.latency;

import io.livezone.core.InvalidInputException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Application-level round-trip samples per client and the QoS they add up to: the share of clients
 * whose RTT is under the policy's threshold. Samples come from whoever measures them (bots echo
 * their own clock through the zone server's PONG, so they know the true player-side RTT); the
 * gateway does not probe on its own. Exported as Micrometer meters:
 *
 * <ul>
 *   <li>{@code livezone_gateway_qos_ratio{zone}} and {@code livezone_gateway_qos_overall_ratio}
 *   <li>{@code livezone_gateway_qos_clients{zone}} (clients with a recent sample)
 *   <li>{@code livezone_gateway_client_rtt_seconds{zone}} (all samples, with a bucket at the
 *       threshold)
 *   <li>{@code livezone_gateway_qos_threshold_seconds}
 * </ul>
 *
 * Thread-safe.
 */
public final class LatencyMonitor {
    private final QosPolicy policy;
    private final MeterRegistry registry;
    private final LongSupplier nanoClock;
    private final Map<String, ZoneClients> zones = new ConcurrentHashMap<>();

    public LatencyMonitor(QosPolicy policy, MeterRegistry registry) {
        this(policy, registry, System::nanoTime);
    }

    /** With an explicit clock (tests of staleness). */
    public LatencyMonitor(QosPolicy policy, MeterRegistry registry, LongSupplier nanoClock) {
        this.policy = Objects.requireNonNull(policy, "policy is null");
        this.registry = Objects.requireNonNull(registry, "registry is null");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock is null");
        Gauge.builder("livezone.gateway.qos.overall", this, m -> m.overall().ratio())
                .baseUnit("ratio")
                .description("share of all clients with an RTT under the threshold")
                .register(registry);
        Gauge.builder("livezone.gateway.qos.threshold", policy, p -> p.threshold().toNanos() / 1e9)
                .baseUnit("seconds")
                .description("RTT under which a client counts as well served")
                .register(registry);
    }

    public QosPolicy policy() {
        return policy;
    }

    /**
     * One application-level round trip of {@code client} (any stable id) playing in {@code zone}.
     */
    public void record(String zone, String client, Duration rtt) {
        Objects.requireNonNull(zone, "zone is null");
        Objects.requireNonNull(client, "client is null");
        Objects.requireNonNull(rtt, "rtt is null");
        if (rtt.isNegative()) {
            throw new InvalidInputException("RTT must be >= 0, got " + rtt);
        }
        ZoneClients z = zones.computeIfAbsent(zone, ZoneClients::new);
        z.rtt.record(rtt.toNanos(), TimeUnit.NANOSECONDS);
        z.clients
                .computeIfAbsent(client, c -> new ClientRtt(policy.window()))
                .add(rtt.toNanos(), nanoClock.getAsLong());
    }

    /** The client left: stop counting it right away instead of after {@code staleAfter}. */
    public void forget(String zone, String client) {
        ZoneClients z = zones.get(zone);
        if (z != null) {
            z.clients.remove(client);
        }
    }

    /** QoS of the zone's clients now. */
    public Qos qos(String zone) {
        ZoneClients z = zones.get(zone);
        return z == null ? new Qos(0, 0) : z.qos();
    }

    /** QoS over the clients of every zone. */
    public Qos overall() {
        int clients = 0;
        int under = 0;
        for (ZoneClients z : zones.values()) {
            Qos q = z.qos();
            clients += q.clients();
            under += q.underThreshold();
        }
        return new Qos(clients, under);
    }

    private final class ZoneClients {
        final Map<String, ClientRtt> clients = new ConcurrentHashMap<>();
        final Timer rtt;

        ZoneClients(String zone) {
            rtt =
                    Timer.builder("livezone.gateway.client.rtt")
                            .description("application-level round trips reported by clients")
                            .tag("zone", zone)
                            .serviceLevelObjectives(policy.threshold())
                            .register(registry);
            Gauge.builder("livezone.gateway.qos", this, z -> z.qos().ratio())
                    .baseUnit("ratio")
                    .description("share of the zone's clients with an RTT under the threshold")
                    .tag("zone", zone)
                    .register(registry);
            Gauge.builder("livezone.gateway.qos.clients", this, z -> z.qos().clients())
                    .description("clients of the zone with a recent RTT sample")
                    .tag("zone", zone)
                    .register(registry);
        }

        Qos qos() {
            long now = nanoClock.getAsLong();
            long staleNanos = policy.staleAfter().toNanos();
            long threshold = policy.threshold().toNanos();
            int counted = 0;
            int under = 0;
            for (var e : clients.entrySet()) {
                ClientRtt c = e.getValue();
                if (now - c.lastSampleAt() > staleNanos) {
                    clients.remove(e.getKey(), c);
                    continue;
                }
                counted++;
                if (c.medianNanos() < threshold) {
                    under++;
                }
            }
            return new Qos(counted, under);
        }
    }

    /** The last few samples of one client, as a ring. */
    private static final class ClientRtt {
        private final long[] samples;
        private int count;
        private int next;
        private long lastSampleAt;

        ClientRtt(int window) {
            samples = new long[window];
        }

        synchronized void add(long rttNanos, long now) {
            samples[next] = rttNanos;
            next = (next + 1) % samples.length;
            count = Math.min(count + 1, samples.length);
            lastSampleAt = now;
        }

        synchronized long lastSampleAt() {
            return lastSampleAt;
        }

        synchronized long medianNanos() {
            long[] sorted = Arrays.copyOf(samples, count);
            Arrays.sort(sorted);
            return sorted[(count - 1) / 2];
        }
    }
}
