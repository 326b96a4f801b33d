package io.livezone.lab.cluster;

import io.livezone.core.http.JsonHttpClient;
import io.livezone.dve.bot.BotStats;
import io.livezone.dve.bot.BotSwarm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reports the bots' measured round trips to the players' gateway every period, as a game client
 * would report its ping: each bot's median RTT since the previous report, per zone. The gateway
 * keeps them for its QoS and passes them on to the coordinator's zone mapping and dashboard. Uses
 * the swarms' totals (resetting them); their windows stay the caller's.
 */
public final class RttReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RttReporter.class);

    private final Thread thread;

    public RttReporter(JsonHttpClient gateway, Map<String, BotSwarm> swarms, Duration period) {
        this.thread =
                Thread.ofVirtual()
                        .name("rtt-reporter")
                        .start(
                                () -> {
                                    while (!Thread.currentThread().isInterrupted()) {
                                        try {
                                            Thread.sleep(period);
                                            report(gateway, swarms);
                                        } catch (InterruptedException e) {
                                            return;
                                        } catch (RuntimeException e) {
                                            log.debug("RTT report failed: {}", e.getMessage());
                                        }
                                    }
                                });
    }

    static void report(JsonHttpClient gateway, Map<String, BotSwarm> swarms) {
        List<Map<String, Object>> samples = new ArrayList<>();
        swarms.forEach(
                (zone, swarm) -> {
                    List<BotStats> bots = swarm.total().bots();
                    swarm.resetTotals();
                    for (BotStats bot : bots) {
                        if (bot.rtt().count() > 0) {
                            samples.add(
                                    Map.of(
                                            "client", bot.name(),
                                            "zone", zone,
                                            "rttMs", bot.rtt().p50Ms()));
                        }
                    }
                });
        if (!samples.isEmpty()) {
            gateway.post("/v1/rtt", Map.of("samples", samples), Void.class);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }
}
