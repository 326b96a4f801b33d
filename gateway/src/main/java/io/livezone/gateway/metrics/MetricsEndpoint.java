package io.livezone.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a Prometheus registry for scraping: {@code GET /metrics} in the text exposition format.
 * Other paths answer 404, other methods 405. One small thread; scrapes are rare.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves {@code registry} on {@code bind} (port 0: any free port; see {@link #address()}). */
    public static MetricsEndpoint start(InetSocketAddress bind, PrometheusMeterRegistry registry)
            throws IOException {
        Objects.requireNonNull(bind, "bind is null");
        Objects.requireNonNull(registry, "registry is null");
        HttpServer server = HttpServer.create(bind, 16);
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "livezone-gateway-metrics");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, registry));
        server.start();
        return new MetricsEndpoint(server, executor);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Answers {@code exchange} with a scrape of {@code registry} (for servers with other routes).
     */
    public static void serve(HttpExchange exchange, PrometheusMeterRegistry registry)
            throws IOException {
        send(exchange, 200, CONTENT_TYPE, registry.scrape());
    }

    private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry)
            throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found; try GET /metrics\n");
            } else if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET\n");
            } else {
                serve(exchange, registry);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
