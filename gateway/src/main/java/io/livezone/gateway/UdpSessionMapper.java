package io.livezone.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Finds the client's session in its zone, opening one (with its own upstream socket) on the
 * client's first datagram, so the zone server sees one source per client and its replies come back
 * to the right session. A gateway restart loses sessions; the next datagram simply opens a new one.
 */
final class UdpSessionMapper implements Stage {
    private static final Logger log = LoggerFactory.getLogger(UdpSessionMapper.class);

    /** Opens a session for a client of a zone. */
    interface SessionOpener {
        UdpSession open(ZoneRoute zone, java.net.InetSocketAddress client) throws IOException;
    }

    private final SessionOpener opener;
    private final Stage next;

    UdpSessionMapper(SessionOpener opener, Stage next) {
        this.opener = opener;
        this.next = next;
    }

    @Override
    public void accept(Packet packet) {
        ZoneRoute zone = packet.zone;
        UdpSession session = zone.sessions.get(packet.source);
        if (session == null) {
            try {
                session = opener.open(zone, packet.source);
            } catch (IOException e) {
                log.warn(
                        "zone {}: cannot open an upstream socket for client {}: {}",
                        zone.name,
                        packet.source,
                        e.toString());
                zone.counters.dropped(ZoneCounters.DropReason.SEND_FAILED).increment();
                return;
            }
            zone.sessions.put(packet.source, session);
            zone.counters.udpSessions.incrementAndGet();
        }
        session.touch();
        packet.flow = session;
        next.accept(packet);
    }
}
