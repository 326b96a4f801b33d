package io.livezone.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Frames the host dropped at the zone VMs' taps in a lab network namespace: a tap's transmit queue
 * overflows when its QEMU instance does not take frames (the guest's receive ring is full, or the
 * instance is paused for longer than the queue lasts). Counts only taps seen by a sample: a tap
 * removed between two samples (the source of a migration) takes its last drops with it.
 */
final class TapDrops {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String namespace;
    private final Map<String, Long> lastSeen = new HashMap<>();
    private long total;

    TapDrops(String namespace) {
        this.namespace = namespace;
    }

    /** Drops counted so far (the sum of increments over all taps seen). */
    synchronized long sample() {
        JsonNode links = links();
        for (JsonNode link : links) {
            String name = link.path("ifname").asText();
            if (!name.startsWith("lzt")) {
                continue;
            }
            long dropped = link.path("stats64").path("tx").path("dropped").asLong();
            Long before = lastSeen.put(name, dropped);
            total += dropped - (before == null ? 0 : before);
        }
        return total;
    }

    private JsonNode links() {
        try {
            Process p =
                    new ProcessBuilder("ip", "-n", namespace, "-s", "-j", "link", "show")
                            .redirectErrorStream(true)
                            .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return JSON.createArrayNode();
            }
            return JSON.readTree(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return JSON.createArrayNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createArrayNode();
        }
    }
}
