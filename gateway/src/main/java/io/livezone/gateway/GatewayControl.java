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
        m.put("switchovers", gateway.continuity(zone));
        return m;
    }

    /**
     * Holds every endpoint of the zone at once: its own and those of its other ports (a zone
     * image's service ports, a zone server's Redis), so no port's traffic reaches the stopped
     * source.
     */
    private Map<String, Object> hold(String zone) {
        List<String> endpoints = endpointsOf(zone);
        for (String endpoint : endpoints) {
            if (switchovers.containsKey(endpoint)) {
                throw ApiException.conflict(
                        "zone '" + endpoint + "' is already held for a switchover");
            }
        }
        List<String> held = new ArrayList<>();
        try {
            for (String endpoint : endpoints) {
                holdOne(endpoint);
                held.add(endpoint);
            }
        } catch (RuntimeException e) {
            held.forEach(this::abortOne); // all or none: back to the source
            throw e;
        }
        return holdState(zone);
    }

    private void holdOne(String endpoint) {
        GatewaySwitchover.ZoneSwitchover switchover =
                new GatewaySwitchover(gateway).hookFor(endpoint);
        if (switchovers.putIfAbsent(endpoint, switchover) != null) {
            throw ApiException.conflict("zone '" + endpoint + "' is already held for a switchover");
        }
        try {
            switchover.atSwitchover(endpoint);
        } catch (RuntimeException e) {
            switchovers.remove(endpoint, switchover);
            throw ApiException.conflict("cannot hold zone '" + endpoint + "': " + e.getMessage());
        }
    }

    /** The zone's hold, summed over its endpoints; an abort is required if any needs one. */
    private Map<String, Object> holdState(String zone) {
        List<HoldHandle> handles =
                active(zone).stream().map(s -> s.handle().orElseThrow()).toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", zone);
        m.put("abortRequired", handles.stream().anyMatch(HoldHandle::abortRequired));
        m.put(
                "problem",
                handles.stream()
                        .flatMap(h -> h.problem().stream())
                        .map(Enum::name)
                        .findFirst()
                        .orElse(null));
        m.put("heldPackets", handles.stream().mapToLong(HoldHandle::totalHeldPackets).sum());
        m.put("replayedPackets", handles.stream().mapToLong(HoldHandle::replayedPackets).sum());
        m.put("droppedPackets", handles.stream().mapToLong(HoldHandle::droppedPackets).sum());
        return m;
    }

    private Map<String, Object> release(Request request) {
        String zone = request.param("zone");
        ReleaseRequest body = request.body(ReleaseRequest.class);
        if (body == null || body.site() == null || body.site().isBlank()) {
            throw new InvalidInputException("release needs the destination's site");
        }
        active(zone); // not held: a conflict, before anything changes
        List<String> handles = new ArrayList<>();
        for (String endpoint : heldEndpointsOf(zone)) {
            GatewaySwitchover.ZoneSwitchover switchover = switchovers.get(endpoint);
            if (switchover == null) {
                continue; // released or aborted meanwhile by another request
            }
            HoldHandle handle = switchover.handle().orElseThrow();
            // The zone keeps its addresses wherever it runs: only the site changes.
            ZoneLocation now = gateway.location(endpoint).orElse(null);
            if (now == null) {
                switchovers.remove(endpoint, switchover); // its endpoint was closed meanwhile
                continue;
            }
            switchover.resumed(new ZoneLocation(now.udp(), now.tcp(), body.site()));
            switchovers.remove(endpoint, switchover);
            log.info("zone {}: released to site {} ({})", endpoint, body.site(), handle);
            handles.add(handle.toString());
        }
        return Map.of("zone", zone, "site", body.site(), "hold", String.join("; ", handles));
    }

    private Map<String, Object> abort(String zone) {
        active(zone);
        List<String> handles = new ArrayList<>();
        for (String endpoint : heldEndpointsOf(zone)) {
            handles.add(abortOne(endpoint));
        }
        return Map.of("zone", zone, "hold", String.join("; ", handles));
    }

    private String abortOne(String endpoint) {
        GatewaySwitchover.ZoneSwitchover switchover = switchovers.remove(endpoint);
        if (switchover == null) {
            return endpoint + " released meanwhile";
        }
        HoldHandle handle = switchover.handle().orElseThrow();
        switchover.aborted();
        log.info("zone {}: migration aborted, released back to the source ({})", endpoint, handle);
        return handle.toString();
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

    /**
     * The endpoints of a zone: its own (if it has one) and those of its other ports, named {@code
     * zone.port} (a zone name has no dot, so no other zone's endpoint matches).
     */
    private List<String> endpointsOf(String zone) {
        List<String> endpoints =
                gateway.zones().stream().filter(e -> isEndpointOf(e, zone)).sorted().toList();
        if (endpoints.isEmpty()) {
            throw ApiException.notFound("the gateway does not serve zone '" + zone + "'");
        }
        return endpoints;
    }

    private static boolean isEndpointOf(String endpoint, String zone) {
        return endpoint.equals(zone) || endpoint.startsWith(zone + ".");
    }

    private List<String> heldEndpointsOf(String zone) {
        return switchovers.keySet().stream().filter(e -> isEndpointOf(e, zone)).sorted().toList();
    }

    /** The switchovers of the zone's held endpoints; a conflict if none is held. */
    private List<GatewaySwitchover.ZoneSwitchover> active(String zone) {
        List<GatewaySwitchover.ZoneSwitchover> held =
                heldEndpointsOf(zone).stream()
                        .map(switchovers::get)
                        .filter(Objects::nonNull)
                        .toList();
        if (held.isEmpty()) {
            throw ApiException.conflict("zone '" + zone + "' is not held");
        }
        return held;
    }
}
