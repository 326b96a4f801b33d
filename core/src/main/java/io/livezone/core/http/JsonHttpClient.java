package io.livezone.core.http;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client of a {@link JsonHttpServer}: sends the bearer token, turns error answers back into
 * LiveZone exceptions with the server's message, so a caller sees the same error a local call would
 * have thrown.
 */
public final class JsonHttpClient {
    /** The message of {@link ZoneAlreadyExistsException}, which has no error kind of its own. */
    private static final Pattern ZONE_EXISTS =
            Pattern.compile("zone '([a-z][a-z0-9-]*)' already exists; .*");

    private final URI base;
    private final String token;
    private final HttpClient http;

    public JsonHttpClient(URI base, String token) {
        this.base = base;
        this.token = token;
        this.http =
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
    }

    public URI base() {
        return base;
    }

    public <T> T get(String path, Class<T> type) {
        return send("GET", path, null, type, Duration.ofSeconds(30));
    }

    public <T> T post(String path, Object body, Class<T> type, Duration timeout) {
        return send("POST", path, body, type, timeout);
    }

    public <T> T post(String path, Object body, Class<T> type) {
        return post(path, body, type, Duration.ofSeconds(30));
    }

    public void delete(String path, Duration timeout) {
        send("DELETE", path, null, Void.class, timeout);
    }

    public <T> T send(String method, String path, Object body, Class<T> type, Duration timeout) {
        return send(method, path, body, JsonHttpServer.JSON.constructType(type), timeout);
    }

    public <T> T send(String method, String path, Object body, JavaType type, Duration timeout) {
        try {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(base.resolve(path))
                            .timeout(timeout)
                            .header("Authorization", "Bearer " + token)
                            .header("Content-Type", "application/json");
            b.method(
                    method,
                    body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(
                                    JsonHttpServer.JSON.writeValueAsBytes(body)));
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() >= 400) {
                throw error(r.statusCode(), r.body());
            }
            if (r.statusCode() == 204 || type.getRawClass() == Void.class) {
                return null;
            }
            return JsonHttpServer.JSON.readValue(r.body(), type);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot reach " + base.resolve(path) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EnvironmentException("interrupted calling " + base.resolve(path), e);
        }
    }

    private static RuntimeException error(int status, byte[] body) {
        String message;
        try {
            JsonNode n = JsonHttpServer.JSON.readTree(body);
            message = n.path("message").asText(new String(body));
        } catch (IOException e) {
            message = new String(body);
        }
        return error(status, message);
    }

    /**
     * The exception an error answer stands for (also a failed job's, which carries the answer its
     * call would have had).
     */
    public static RuntimeException error(int status, String message) {
        if (status == 400) {
            return new InvalidInputException(message);
        }
        if (status == 404 && message.startsWith("unknown zone '")) {
            return new ZoneNotFoundException(message.substring(14, message.length() - 1));
        }
        Matcher exists = ZONE_EXISTS.matcher(message);
        if (status == 409 && exists.matches()) {
            return new ZoneAlreadyExistsException(exists.group(1));
        }
        return new ApiException(status, message);
    }
}
