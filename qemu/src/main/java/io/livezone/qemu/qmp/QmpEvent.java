package io.livezone.qemu.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * An asynchronous QMP event.
 *
 * @param name event name, e.g. {@code STOP}, {@code RESUME}, {@code MIGRATION}
 * @param data the {@code data} member; an empty object when QEMU sent none (STOP/RESUME have none)
 * @param timestamp QEMU's wall-clock stamp ({@link Instant#EPOCH} if absent)
 * @param receivedNanos local {@link System#nanoTime()} when the bytes carrying this event were
 *     read; use this, not {@code timestamp}, for durations such as pause-to-resume (monotonic, same
 *     host clock)
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp, long receivedNanos) {

    public QmpEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** Predicate matching events by name, for {@link QmpClient#expectEvent(Predicate)}. */
    public static Predicate<QmpEvent> named(String name) {
        Objects.requireNonNull(name, "name");
        return e -> e.name.equals(name);
    }

    static QmpEvent fromMessage(JsonNode msg, long receivedNanos) {
        JsonNode data = msg.get("data");
        JsonNode ts = msg.path("timestamp");
        Instant timestamp =
                Instant.ofEpochSecond(
                        ts.path("seconds").asLong(0), ts.path("microseconds").asLong(0) * 1_000L);
        return new QmpEvent(
                msg.get("event").asText(),
                data != null ? data : JsonNodeFactory.instance.objectNode(),
                timestamp,
                receivedNanos);
    }
}
