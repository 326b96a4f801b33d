package io.livezone.storage;

import static org.awaitility.Awaitility.await;

import io.livezone.qemu.qmp.Subscription;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare memory migration over a unix socket with pause-before-switchover, standing in for the qemu
 * module's LiveMigration (which also drives the gateway and needs TCP).
 */
final class TestMigration {
    private TestMigration() {}

    static void migrate(TestQemu source, TestQemu destination, Path socket, Runnable atSwitchover)
            throws InterruptedException {
        List<Map<String, Object>> caps = List.of(Map.of("capability", "events", "state", true));
        destination.qmp().execute("migrate-set-capabilities", Map.of("capabilities", caps));
        source.qmp()
                .execute(
                        "migrate-set-capabilities",
                        Map.of(
                                "capabilities",
                                List.of(
                                        Map.of("capability", "events", "state", true),
                                        Map.of(
                                                "capability",
                                                "pause-before-switchover",
                                                "state",
                                                true))));
        destination.qmp().execute("migrate-incoming", Map.of("uri", "unix:" + socket));
        BlockingQueue<String> states = new LinkedBlockingQueue<>();
        Subscription subscription =
                source.qmp()
                        .addEventListener(
                                e -> {
                                    if (e.name().equals("MIGRATION")) {
                                        states.add(e.data().path("status").asText());
                                    }
                                });
        try {
            source.qmp().execute("migrate", Map.of("uri", "unix:" + socket));
            while (true) {
                String status = states.poll(30, TimeUnit.SECONDS);
                if (status == null) {
                    throw new AssertionError("migration made no progress in 30 s");
                }
                switch (status) {
                    case "pre-switchover" -> {
                        atSwitchover.run();
                        source.qmp().execute("migrate-continue", Map.of("state", "pre-switchover"));
                    }
                    case "failed", "cancelled" ->
                            throw new AssertionError(
                                    "migration "
                                            + status
                                            + ": "
                                            + source.qmp().execute("query-migrate"));
                    case "completed" -> {
                        await().atMost(Duration.ofSeconds(20))
                                .until(
                                        () ->
                                                destination
                                                        .qmp()
                                                        .execute("query-migrate")
                                                        .path("status")
                                                        .asText()
                                                        .equals("completed"));
                        return;
                    }
                    default -> {}
                }
            }
        } finally {
            subscription.close();
        }
    }
}
