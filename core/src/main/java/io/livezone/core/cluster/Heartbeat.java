package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneStatus;

import java.util.List;

/**
 * What an agent sends the coordinator every interval: who it is, where to reach it, its load, and
 * what its zone watch last saw of each zone it holds (a zone whose VM died is {@code DEAD} with its
 * failure, again in every heartbeat until it is restarted or removed; zones in a move are left out,
 * the move reports them). {@code zones} may be absent (an agent without a watch).
 */
public record Heartbeat(
        String host,
        String site,
        String url,
        long sentAtMillis,
        HostLoad load,
        List<ZoneStatus> zones) {
    public Heartbeat {
        if (host == null || !host.matches("[a-z][a-z0-9-]{0,23}")) {
            throw new InvalidInputException("invalid host name " + host);
        }
        if (url == null || !url.startsWith("http://")) {
            throw new InvalidInputException("agent url must be http://host:port, got " + url);
        }
        if (site == null || load == null) {
            throw new InvalidInputException(
                    "the heartbeat of host " + host + " needs its site and a load report");
        }
        zones = zones == null ? List.of() : List.copyOf(zones);
    }

    /** A heartbeat without zone reports. */
    public Heartbeat(String host, String site, String url, long sentAtMillis, HostLoad load) {
        this(host, site, url, sentAtMillis, load, List.of());
    }
}
