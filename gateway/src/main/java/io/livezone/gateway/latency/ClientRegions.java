package io.livezone.gateway.latency;

import io.livezone.core.InvalidInputException;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Which region a client plays from. An explicit assignment (made when the client joins, by whoever
 * knows where it is: the control plane, or a bot harness that emulates players in many regions)
 * wins over the configured function of the client's address. Exact {@code ip:port} assignments win
 * over whole-host ones, so one host can emulate players of many regions. Thread-safe.
 */
public final class ClientRegions {
    /** Region of clients nobody assigned, with the default function. */
    public static final String DEFAULT_REGION = "default";

    private final Function<InetSocketAddress, String> byAddress;
    private final Map<InetSocketAddress, String> byClient = new ConcurrentHashMap<>();
    private final Map<InetAddress, String> byHost = new ConcurrentHashMap<>();

    public ClientRegions(Function<InetSocketAddress, String> byAddress) {
        this.byAddress = Objects.requireNonNull(byAddress, "byAddress is null");
    }

    /** Every client in {@link #DEFAULT_REGION}. */
    public static Function<InetSocketAddress, String> everyoneDefault() {
        return client -> DEFAULT_REGION;
    }

    /**
     * Spreads clients over {@code regions} by source port ({@code port % n}): a simple way to give
     * bots on one host different regions without assigning each.
     */
    public static Function<InetSocketAddress, String> byPort(List<String> regions) {
        List<String> copy = List.copyOf(regions);
        if (copy.isEmpty()) {
            throw new InvalidInputException("byPort needs at least one region");
        }
        return client -> copy.get(client.getPort() % copy.size());
    }

    /** The client's region; never null. */
    public String regionOf(InetSocketAddress client) {
        String region = byClient.get(client);
        if (region == null) {
            region = byHost.get(client.getAddress());
        }
        if (region == null) {
            region = byAddress.apply(client);
        }
        return region == null ? DEFAULT_REGION : region;
    }

    /** Assigns the client at exactly this address and port. */
    public void assign(InetSocketAddress client, String region) {
        byClient.put(Objects.requireNonNull(client, "client is null"), checked(region));
    }

    /** Assigns every client from this host that has no exact assignment. */
    public void assign(InetAddress host, String region) {
        byHost.put(Objects.requireNonNull(host, "host is null"), checked(region));
    }

    private static String checked(String region) {
        Objects.requireNonNull(region, "region is null");
        if (region.isBlank()) {
            throw new InvalidInputException("region is blank");
        }
        return region;
    }
}
