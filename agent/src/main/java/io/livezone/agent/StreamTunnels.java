package io.livezone.agent;

import io.livezone.core.EnvironmentException;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.link.DetachedRelay;
import io.livezone.link.EmulatedLink;
import io.livezone.link.LinkPair;
import io.livezone.link.LinkProfile;
import io.livezone.link.TcpToUnixForwarder;
import io.livezone.link.UnixToTcpForwarder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries QEMU's unix-socket streams (migration, NBD) between hosts over TCP. Streams from this
 * host to one remote site share one emulated link per direction, so concurrent migrations to that
 * site contend for its bandwidth as they would on a real WAN link.
 */
final class StreamTunnels implements AutoCloseable {
    /** A move connects its stream within seconds of preparing; this is generous. */
    static final Duration RELAY_WAIT = Duration.ofMinutes(10);

    private final Map<String, LinkPair> links = new ConcurrentHashMap<>();

    /** Listens on {@code address} (any free port) and feeds each connection into {@code socket}. */
    TcpToUnixForwarder acceptInto(InetAddress address, Path socket) {
        try {
            return TcpToUnixForwarder.open(new InetSocketAddress(address, 0), socket);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot listen for a migration stream: " + e.getMessage(), e);
        }
    }

    /**
     * Like {@link #acceptInto}, in a process of its own: an incoming migration's stream outlives
     * this agent (see {@link DetachedRelay} for why). The relay waits {@link #RELAY_WAIT} for the
     * source to connect.
     */
    DetachedRelay relayInto(InetAddress address, Path socket) {
        try {
            return DetachedRelay.start(new InetSocketAddress(address, 0), socket, RELAY_WAIT);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot listen for a migration stream: " + e.getMessage(), e);
        }
    }

    /**
     * Listens on {@code socket} for QEMU and forwards each connection to {@code host:port}, through
     * the shared emulated link to {@code site} if {@code link} is emulated.
     */
    UnixToTcpForwarder connectFrom(
            Path socket, String host, int port, String site, LinkSettings link) {
        try {
            return UnixToTcpForwarder.open(
                    socket,
                    new InetSocketAddress(InetAddress.getByName(host), port),
                    pairTo(site, link));
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot open a migration stream socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** Bytes carried so far on the emulated links of this host, per remote site and direction. */
    Map<String, Long> bytesCarried() {
        Map<String, Long> out = new java.util.TreeMap<>();
        links.forEach(
                (key, pair) -> {
                    pair.outbound()
                            .ifPresent(l -> out.merge(key + ".out", l.bytesCarried(), Long::sum));
                    pair.inbound()
                            .ifPresent(l -> out.merge(key + ".in", l.bytesCarried(), Long::sum));
                });
        return out;
    }

    private LinkPair pairTo(String site, LinkSettings link) {
        if (!link.emulated()) {
            return LinkPair.DIRECT;
        }
        String key =
                site + "@" + link.latencyMs() + "/" + link.jitterMs() + "/" + link.bytesPerSec();
        return links.computeIfAbsent(
                key,
                k -> {
                    LinkProfile profile =
                            new LinkProfile(
                                    Duration.ofMillis(link.latencyMs()),
                                    Duration.ofMillis(link.jitterMs()),
                                    link.bytesPerSec());
                    // In flight: what the path holds at its rate (bandwidth × delay) plus a
                    // little slack — not more, or QEMU would see its stream accepted faster than
                    // the link carries it and misjudge bandwidth and downtime.
                    long inFlight =
                            link.bytesPerSec() == 0
                                    ? EmulatedLink.defaultMaxInFlightBytes(profile)
                                    : link.bytesPerSec()
                                                    * (link.latencyMs() + link.jitterMs())
                                                    / 1000
                                            + 256 * 1024;
                    return LinkPair.of(
                            new EmulatedLink("to-" + site, profile, System.nanoTime(), inFlight),
                            new EmulatedLink("from-" + site, profile, System.nanoTime(), inFlight));
                });
    }

    @Override
    public void close() {
        links.clear();
    }
}
