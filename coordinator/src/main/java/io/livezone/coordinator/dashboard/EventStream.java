package io.livezone.coordinator.dashboard;

import com.sun.net.httpserver.HttpExchange;

import io.livezone.core.http.JsonHttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /v1/events}: server-sent events, one {@code snapshot} event whenever the snapshot
 * changed (looked at every second), a comment line otherwise every 15 s so proxies keep the
 * connection. The route takes the bearer token like every other: the page reads the stream with
 * {@code fetch} (which can send the header), so the token never appears in a URL or a log.
 */
final class EventStream implements JsonHttpServer.RawHandler {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] EVENT = "event: snapshot\ndata: ".getBytes(StandardCharsets.UTF_8);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.UTF_8);

    private final Supplier<byte[]> snapshot;
    private final BooleanSupplier closed;
    private final Duration every;

    /**
     * @param snapshot the current snapshot as single-line JSON
     */
    EventStream(Supplier<byte[]> snapshot, BooleanSupplier closed, Duration every) {
        this.snapshot = snapshot;
        this.closed = closed;
        this.every = every;
    }

    @Override
    public void handle(JsonHttpServer.Request request, HttpExchange ex) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "text/event-stream; charset=utf-8");
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        byte[] last = null;
        long lastWrite = System.nanoTime();
        try {
            while (!closed.getAsBoolean()) {
                byte[] json = snapshot.get();
                if (!Arrays.equals(json, last)) {
                    out.write(EVENT);
                    out.write(json);
                    out.write(END);
                    out.flush();
                    last = json;
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite > Duration.ofSeconds(15).toNanos()) {
                    out.write(KEEP_ALIVE);
                    out.flush();
                    lastWrite = System.nanoTime();
                }
                Thread.sleep(every);
            }
        } catch (IOException e) {
            // the browser went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
