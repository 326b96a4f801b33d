package io.livezone.core.cluster;

import io.livezone.core.InvalidInputException;

/** What an agent sends the coordinator every interval: who it is, where to reach it, its load. */
public record Heartbeat(String host, String site, String url, long sentAtMillis, HostLoad load) {
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
    }
}
