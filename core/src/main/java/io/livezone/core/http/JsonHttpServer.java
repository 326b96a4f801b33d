package io.livezone.core.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small JSON-over-HTTP server on the JDK's built-in HTTP server: routes with {@code {param}} path
 * segments, bearer-token authentication on every route but the ones marked public, and one mapping
 * from LiveZone's exception types to status codes, so agents and the coordinator answer errors the
 * same way. Handlers run on virtual threads, so a long call (a migration) never blocks others.
 */
public final class JsonHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JsonHttpServer.class);

    /** Shared, configured once: records, Optional, unknown fields rejected. */
    public static final ObjectMapper JSON =
            new ObjectMapper()
                    .registerModule(new Jdk8Module())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final Pattern NULL_PRIMITIVE =
            Pattern.compile("^Cannot map `null` into type `(\\w+)`");

    /** A request as a handler sees it. */
    public record Request(String method, String path, Map<String, String> params, byte[] body) {
        public String param(String name) {
            return params.get(name);
        }

        /** The body as {@code type}; a malformed body is the caller's error. */
        public <T> T body(Class<T> type) {
            if (body.length == 0) {
                throw new InvalidInputException("request body is empty; expected JSON");
            }
            try {
                return JSON.readValue(body, type);
            } catch (IOException e) {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                if (root instanceof LiveZoneException lz) {
                    throw new InvalidInputException(lz.getMessage());
                }
                if (root instanceof IllegalArgumentException
                        || root instanceof NullPointerException) {
                    throw new InvalidInputException("invalid request: " + root.getMessage());
                }
                throw new InvalidInputException("malformed JSON body: " + describe(e));
            }
        }
    }

    /**
     * Jackson's complaint about a body in an API user's terms: the field it concerns, and without
     * Jackson's advice to reconfigure Jackson (a missing number or boolean reads as null).
     */
    static String describe(IOException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '"
                    + u.getPropertyName()
                    + "'; known fields: "
                    + u.getKnownPropertyIds();
        }
        String message =
                e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        message = String.valueOf(message).lines().findFirst().orElse("");
        if (!(e instanceof JsonMappingException m) || m.getPath().isEmpty()) {
            return message;
        }
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(r.getFieldName());
            } else {
                field.append('[').append(r.getIndex()).append(']');
            }
        }
        Matcher nullPrimitive = NULL_PRIMITIVE.matcher(message);
        if (nullPrimitive.find()) {
            return "field '"
                    + field
                    + "' is missing or null; it needs "
                    + (nullPrimitive.group(1).equals("boolean") ? "true or false" : "a number");
        }
        return message + " (field '" + field + "')";
    }

    /** Handles one request; the result is sent as JSON (null → 204). */
    @FunctionalInterface
    public interface Handler {
        Object handle(Request request) throws Exception;
    }

    /** A raw handler that writes its own response (e.g. server-sent events or HTML). */
    @FunctionalInterface
    public interface RawHandler {
        void handle(Request request, HttpExchange exchange) throws IOException;
    }

    private record Route(
            String method, Pattern pattern, List<String> names, Object handler, boolean open) {}

    private final HttpServer server;
    private final byte[] token;
    private final List<Route> routes = new ArrayList<>();

    public JsonHttpServer(InetSocketAddress address, String token) {
        if (token == null || token.length() < 16) {
            throw new InvalidInputException("API token must be at least 16 characters");
        }
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot listen on " + address + ": " + e.getMessage(), e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::dispatch);
    }

    public JsonHttpServer route(String method, String path, Handler handler) {
        return add(method, path, handler, false);
    }

    /** A route that needs no token (health, the dashboard's static page). */
    public JsonHttpServer openRoute(String method, String path, Object handler) {
        return add(method, path, handler, true);
    }

    public JsonHttpServer rawRoute(String method, String path, RawHandler handler) {
        return add(method, path, handler, false);
    }

    private JsonHttpServer add(String method, String path, Object handler, boolean open) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\{([a-zA-Z]+)}").matcher(path);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(path.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(path.substring(last)));
        routes.add(new Route(method, Pattern.compile(regex.toString()), names, handler, open));
        return this;
    }

    public JsonHttpServer start() {
        server.start();
        return this;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void dispatch(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            Route found = null;
            Map<String, String> params = new LinkedHashMap<>();
            boolean pathKnown = false;
            for (Route r : routes) {
                Matcher m = r.pattern.matcher(path);
                if (m.matches()) {
                    pathKnown = true;
                    if (r.method.equals(method)) {
                        found = r;
                        for (int i = 0; i < r.names.size(); i++) {
                            params.put(r.names.get(i), m.group(i + 1));
                        }
                        break;
                    }
                }
            }
            if (found == null || !found.open) {
                if (!authorized(ex)) {
                    send(ex, 401, error("unauthorized", "missing or wrong API token"));
                    return;
                }
            }
            if (found == null) {
                send(
                        ex,
                        pathKnown ? 405 : 404,
                        error(
                                "not_found",
                                pathKnown
                                        ? method + " is not allowed on " + path
                                        : "no such API path " + path));
                return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readNBytes(4 << 20);
            }
            Request request = new Request(method, path, params, body);
            try {
                if (found.handler instanceof RawHandler raw) {
                    raw.handle(request, ex);
                    return;
                }
                Object result = ((Handler) found.handler).handle(request);
                if (result == null) {
                    ex.sendResponseHeaders(204, -1);
                } else if (result instanceof Accepted a) {
                    ex.getResponseHeaders().set("Location", a.location());
                    send(ex, 202, a.value());
                } else {
                    send(
                            ex,
                            method.equals("POST") && result instanceof Created ? 201 : 200,
                            result instanceof Created c ? c.value() : result);
                }
            } catch (Exception e) {
                int status = statusOf(e);
                if (status >= 500) {
                    log.warn("{} {} failed: {}", method, path, e.toString(), e);
                }
                send(
                        ex,
                        status,
                        error(kindOf(e), e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
    }

    /** Wrap a POST result to answer 201 Created. */
    public record Created(Object value) {}

    /** Answer 202 Accepted: the work goes on; {@code location} is where to ask after it. */
    public record Accepted(Object value, String location) {}

    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        return header != null
                && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), token);
    }

    /** The status an error answers with; the same for a call and for a job that ran it. */
    public static int statusOf(Exception e) {
        return switch (e) {
            case ApiException a -> a.status();
            case ZoneNotFoundException z -> 404;
            case ZoneAlreadyExistsException z -> 409;
            case InvalidInputException i -> 400;
            case LiveZoneException l -> 500;
            default -> 500;
        };
    }

    public static String kindOf(Exception e) {
        return switch (e) {
            case ZoneNotFoundException z -> "not_found";
            case ApiException a when a.status() == 404 -> "not_found";
            case ApiException a when a.status() == 409 -> "conflict";
            case ZoneAlreadyExistsException z -> "conflict";
            case InvalidInputException i -> "invalid_input";
            default -> "failed";
        };
    }

    private static Map<String, String> error(String kind, String message) {
        return Map.of("error", kind, "message", message);
    }

    private static void send(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(value);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Reads a JSON tree (for handlers that accept loosely shaped input). */
    public static JsonNode tree(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new InvalidInputException("malformed JSON body: " + e.getMessage());
        }
    }
}
