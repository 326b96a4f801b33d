package io.livezone.gateway;

import io.livezone.core.InvalidInputException;
import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpServer;
import io.livezone.core.http.JsonHttpServer.Request;
import io.livezone.gateway.metrics.MetricsEndpoint;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The gateway's control API, for the hosts that migrate zones and for whoever reports players' RTTs
 * (paths under /v1/, bearer token; docs/api.md): holds at a migration's switchover pause, released
 * to the destination's site or back to the source, the zones' endpoints and counters, and
 * Prometheus metrics.
 *
 * <p>A hold goes through {@link GatewaySwitchover}, exactly as in a one-host migration; only the
 * caller is remote. A host that cannot reach the gateway at the pause migrates without a hold (its
 * players lose what reached the stopped source), never the other way round: a gateway outage must
 * not stop migrations.
 */
public final class GatewayControl {
    private static final Logger log = LoggerFactory.getLogger(GatewayControl.class);

    /** One player's measured application-level round trip to its zone. */
    public record RttSample(String client, String zone, double rttMs) {}

    /** A batch of samples ({@code POST /v1/rtt}). */
    public record RttReport(List<RttSample> samples) {}

    private record ReleaseRequest(String site) {}

    /** Puts the players at {@code host} (every port, or only {@code port}) in {@code region}. */
    public record RegionAssignment(String host, Integer port, String region) {}

    private final Gateway gateway;
    private final Map<String, GatewaySwitchover.ZoneSwitchover> switchovers =
            new ConcurrentHashMap<>();
    private final Consumer<RttReport> rttListener;

    /**
     * @param rttListener also receives every accepted RTT report, with the zones' sites (e.g. to
     *     feed the coordinator's zone mapping)
     */
    public GatewayControl(Gateway gateway, Consumer<RttReport> rttListener) {
        this.gateway = Objects.requireNonNull(gateway, "gateway is null");
        this.rttListener = Objects.requireNonNull(rttListener, "rttListener is null");
    }

    /** Adds the routes to {@code server}. */
    public JsonHttpServer routes(JsonHttpServer server) {
        return server.route("GET", "/v1/zones", r -> zones())
                .route("GET", "/v1/zones/{zone}", r -> zone(r.param("zone")))
                .route("POST", "/v1/zones/{zone}/hold", r -> hold(r.param("zone")))
                .route("GET", "/v1/zones/{zone}/hold", r -> holdState(r.param("zone")))
                .route("POST", "/v1/zones/{zone}/release", this::release)
                .route("POST", "/v1/zones/{zone}/abort", r -> abort(r.param("zone")))
                .route("POST", "/v1/rtt", this::rtt)
                .route("POST", "/v1/regions", this::assignRegion)
                .rawRoute(
                        "GET",
                        "/metrics",
                        (r, exchange) -> MetricsEndpoint.serve(exchange, gateway.meterRegistry()));
    }

    /**
     * Ends a switchover hold whose migration driver is gone (e.g. the source's agent died at the
     * pause): a hold past its limit (expired, or its buffer full) is released to {@code settled},
     * where the registry says the zone runs once its move is settled. A driver still alive would
     * have aborted or released it as soon as the limit was reached; keeping the players' traffic
     * held any longer would only lose it.
     *
     * @return true if a hold was released
     */
    public boolean releaseAbandoned(String zone, ZoneLocation settled) {
        GatewaySwitchover.ZoneSwitchover s = switchovers.get(zone);
        HoldHandle handle = s == null ? null : s.handle().orElse(null);
        if (handle == null || !handle.abortRequired() || !switchovers.remove(zone, s)) {
            return false;
        }
        s.resumed(settled);
        log.warn(
                "zone {}: hold abandoned by its migration ({}); released to site {}, where the"
                        + " registry says it runs",
                zone,
                handle,
                settled.site());
        return true;
    }

    /** True while a switchover of {@code zone} holds its traffic. */
    public boolean isHeld(String zone) {
        return switchovers.containsKey(zone);
    }

    private List<Map<String, Object>> zones() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String zone : gateway.zones().stream().sorted().toList()) {
            out.add(zone(zone));
        }
        return out;
    }

    private Map<String, Object> zone(String zone) {
        ZoneEndpoint endpoint = served(zone);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", zone);
        m.put("endpoint", endpoint.tcp().getAddress().getHostAddress());
        m.put("port", endpoint.tcp().getPort());
        gateway.location(zone)
                .ifPresent(
                        l -> {
                            m.put("site", l.site());
                            m.put("target", l.tcp().getAddress().getHostAddress());
                        });
        m.put("held", isHeld(zone));
        m.put("qos", gateway.qos(zone));
        m.put("traffic", gateway.traffic(zone));
        return m;
    }

    private Map<String, Object> hold(String zone) {
        served(zone);
        GatewaySwitchover.ZoneSwitchover switchover = new GatewaySwitchover(gateway).hookFor(zone);
        if (switchovers.putIfAbsent(zone, switchover) != null) {
            throw ApiException.conflict("zone '" + zone + "' is already held for a switchover");
        }
        try {
            switchover.atSwitchover(zone);
        } catch (RuntimeException e) {
            switchovers.remove(zone, switchover);
            throw ApiException.conflict("cannot hold zone '" + zone + "': " + e.getMessage());
        }
        return holdState(zone);
    }

    private Map<String, Object> holdState(String zone) {
        HoldHandle handle = active(zone).handle().orElseThrow();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", zone);
        m.put("abortRequired", handle.abortRequired());
        m.put("problem", handle.problem().map(Enum::name).orElse(null));
        m.put("heldPackets", handle.totalHeldPackets());
        m.put("replayedPackets", handle.replayedPackets());
        m.put("droppedPackets", handle.droppedPackets());
        return m;
    }

    private Map<String, Object> release(Request request) {
        String zone = request.param("zone");
        ReleaseRequest body = request.body(ReleaseRequest.class);
        if (body == null || body.site() == null || body.site().isBlank()) {
            throw new InvalidInputException("release needs the destination's site");
        }
        GatewaySwitchover.ZoneSwitchover switchover = active(zone);
        HoldHandle handle = switchover.handle().orElseThrow();
        ZoneLocation now = gateway.location(zone).orElseThrow();
        switchover.resumed(new ZoneLocation(now.udp(), now.tcp(), body.site()));
        switchovers.remove(zone, switchover);
        log.info("zone {}: released to site {} ({})", zone, body.site(), handle);
        return Map.of("zone", zone, "site", body.site(), "hold", handle.toString());
    }

    private Map<String, Object> abort(String zone) {
        GatewaySwitchover.ZoneSwitchover switchover = active(zone);
        HoldHandle handle = switchover.handle().orElseThrow();
        switchover.aborted();
        switchovers.remove(zone, switchover);
        log.info("zone {}: migration aborted, released back to the source ({})", zone, handle);
        return Map.of("zone", zone, "hold", handle.toString());
    }

    private Map<String, Object> assignRegion(Request request) {
        RegionAssignment a = request.body(RegionAssignment.class);
        if (a == null || a.host() == null || a.region() == null || a.region().isBlank()) {
            throw new InvalidInputException("a region assignment needs a host and a region");
        }
        var known = gateway.config().regionLatency().regions();
        if (!known.isEmpty() && !known.contains(a.region())) {
            throw new InvalidInputException(
                    "unknown region '"
                            + a.region()
                            + "'; regions are "
                            + known.stream().sorted().toList());
        }
        // An IPv4 literal only: a name would mean a DNS lookup on the request path.
        java.net.Inet4Address host = io.livezone.core.Ipv4Interface.parseAddress(a.host());
        if (a.port() == null || a.port() == 0) {
            gateway.assignRegion(host, a.region());
        } else if (a.port() < 1 || a.port() > 65535) {
            throw new InvalidInputException("port must be 1..65535, got " + a.port());
        } else {
            gateway.assignRegion(new java.net.InetSocketAddress(host, a.port()), a.region());
        }
        return Map.of("host", a.host(), "region", a.region());
    }

    private Object rtt(Request request) {
        RttReport report = request.body(RttReport.class);
        if (report == null || report.samples() == null || report.samples().isEmpty()) {
            throw new InvalidInputException("an RTT report needs samples");
        }
        for (RttSample s : report.samples()) {
            if (s == null || s.client() == null || s.client().isBlank() || s.zone() == null) {
                throw new InvalidInputException("each RTT sample needs a client and a zone");
            }
            if (!(s.rttMs() >= 0 && s.rttMs() <= 60_000)) {
                throw new InvalidInputException("RTT must be 0..60000 ms, got " + s.rttMs());
            }
            served(s.zone());
        }
        for (RttSample s : report.samples()) {
            gateway.recordRtt(s.zone(), s.client(), Duration.ofNanos((long) (s.rttMs() * 1e6)));
        }
        rttListener.accept(report);
        return null;
    }

    private ZoneEndpoint served(String zone) {
        return gateway.endpoint(zone)
                .orElseThrow(
                        () ->
                                ApiException.notFound(
                                        "the gateway does not serve zone '" + zone + "'"));
    }

    private GatewaySwitchover.ZoneSwitchover active(String zone) {
        GatewaySwitchover.ZoneSwitchover s = switchovers.get(zone);
        if (s == null) {
            throw ApiException.conflict("zone '" + zone + "' is not held");
        }
        return s;
    }
}
