package io.livezone.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.http.ApiException;
import io.livezone.core.http.JsonHttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** {@link SwitchoverGate} over the gateway's control API. */
public final class HttpSwitchoverGate implements SwitchoverGate {
    /** Every call happens while a zone is paused: fail fast rather than stretch the pause. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final JsonHttpClient http;

    public HttpSwitchoverGate(URI base, String token) {
        this.http = new JsonHttpClient(base, token);
    }

    @Override
    public boolean hold(String zone) {
        try {
            http.send("POST", path(zone, "hold"), Map.of(), JsonNode.class, TIMEOUT);
            return true;
        } catch (ApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean abortRequired(String zone) {
        return http.send("GET", path(zone, "hold"), null, JsonNode.class, TIMEOUT)
                .path("abortRequired")
                .asBoolean();
    }

    @Override
    public void release(String zone, String site) {
        http.send("POST", path(zone, "release"), Map.of("site", site), JsonNode.class, TIMEOUT);
    }

    @Override
    public void abort(String zone) {
        http.send("POST", path(zone, "abort"), Map.of(), JsonNode.class, TIMEOUT);
    }

    private static String path(String zone, String action) {
        return "/v1/zones/" + zone + "/" + action;
    }
}
