package io.livezone.gateway.latency;

/**
 * Share of clients whose RTT is under the threshold.
 *
 * @param clients clients with a recent RTT sample
 * @param underThreshold of those, how many have an RTT below the threshold
 */
public record Qos(int clients, int underThreshold) {
    /** {@code underThreshold / clients}; NaN when no client has a recent sample. */
    public double ratio() {
        return clients == 0 ? Double.NaN : (double) underThreshold / clients;
    }
}
