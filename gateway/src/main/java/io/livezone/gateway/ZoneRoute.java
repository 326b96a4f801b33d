package io.livezone.gateway;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the gateway knows about one zone: where it runs now, its stable endpoint, its client
 * flows and its hold. Event loop only.
 */
final class ZoneRoute {
    final String name;
    final EndpointProtocol protocol;
    final ZoneCounters counters;
    final Map<InetSocketAddress, UdpSession> sessions = new HashMap<>();
    final Set<TcpConnection> connections = new LinkedHashSet<>();

    /** Connections accepted during a hold: they connect upstream on release, to the new place. */
    final List<TcpConnection> awaitingUpstream = new ArrayList<>();

    UdpEndpoint udp;
    TcpAcceptor tcp;

    /** Port of the stable UDP endpoint (what clients must send to). */
    int udpPort;

    /**
     * The latest switchovers' continuity figures, oldest first (at most {@link #SWITCHOVERS_KEPT}).
     */
    final ArrayDeque<ContinuityMeter> switchovers = new ArrayDeque<>();

    static final int SWITCHOVERS_KEPT = 16;

    /** Wall-clock time the current hold began, and the client flows open then. */
    long holdBeganMillis;

    int flowsAtHold;

    /** Every client flow: UDP sessions and TCP connections. */
    List<Flow> flows() {
        List<Flow> all = new ArrayList<>(sessions.values());
        all.addAll(connections);
        return all;
    }

    /** Datagrams recently forwarded, for replay after a hold; null when replay is off. */
    RecentDatagrams recent;

    private ZoneLocation location;
    private InetSocketAddress previousUdp;
    private ZoneHold hold;

    ZoneRoute(
            String name, EndpointProtocol protocol, ZoneLocation location, ZoneCounters counters) {
        this.name = name;
        this.protocol = protocol;
        this.location = location;
        this.counters = counters;
    }

    /** Current location; null while the zone is withdrawn (its traffic counts as unknown zone). */
    ZoneLocation location() {
        return location;
    }

    /** Site of the current host; null while withdrawn. */
    String site() {
        return location == null ? null : location.site();
    }

    void retarget(ZoneLocation newLocation) {
        if (location != null
                && (newLocation == null || !location.udp().equals(newLocation.udp()))) {
            previousUdp = location.udp();
        }
        location = newLocation;
    }

    /**
     * Replies are relayed from the current address and from the previous one: answers to datagrams
     * sent just before a switchover may still arrive from the old place.
     */
    boolean isZoneAddress(SocketAddress from) {
        return (location != null && location.udp().equals(from)) || from.equals(previousUdp);
    }

    ZoneHold hold() {
        return hold;
    }

    boolean isHeld() {
        return hold != null;
    }

    void hold(ZoneHold newHold) {
        hold = newHold;
    }
}
