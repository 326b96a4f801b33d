package io.livezone.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.core.EnvironmentException;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;
import io.livezone.core.ZoneAlreadyExistsException;
import io.livezone.core.ZoneNotFoundException;
import io.livezone.core.http.JsonHttpServer.Created;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared JSON server and client on loopback: authentication, routing, bodies, errors. One
 * server serves the whole class; its handlers keep no state but a call counter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonHttpServerTest {
    private static final String TOKEN = "0123456789abcdef-test-token";

    /** A request body with validation of its own, as the API's records have. */
    record Order(String item, int count) {
        Order {
            Objects.requireNonNull(item, "item is missing");
            if (count < 1) {
                throw new InvalidInputException("count must be positive, got " + count);
            }
        }
    }

    private final AtomicInteger securedCalls = new AtomicInteger();
    private JsonHttpServer server;
    private JsonHttpClient client;
    private final HttpClient raw = HttpClient.newHttpClient();

    @BeforeEach
    void resetCounter() {
        securedCalls.set(0);
    }

    @BeforeAll
    void start() {
        server =
                new JsonHttpServer(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN)
                        .openRoute(
                                "GET",
                                "/v1/health",
                                (JsonHttpServer.Handler) r -> Map.of("ok", true))
                        .route(
                                "GET",
                                "/v1/secret",
                                r -> {
                                    securedCalls.incrementAndGet();
                                    return Map.of("secret", 42);
                                })
                        .route("GET", "/v1/things/{thing}/parts/{part}", r -> r.params())
                        .route("POST", "/v1/orders", r -> new Created(r.body(Order.class)))
                        .route("GET", "/v1/orders/{id}", r -> new Created(Map.of("id", 1)))
                        .route("DELETE", "/v1/orders/{id}", r -> null)
                        .route(
                                "GET",
                                "/v1/fail/{kind}",
                                r -> {
                                    throw failure(r.param("kind"));
                                })
                        .start();
        client = new JsonHttpClient(base(), TOKEN);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    private static Exception failure(String kind) {
        return switch (kind) {
            case "invalid" -> new InvalidInputException("the input is wrong");
            case "zone-missing" -> new ZoneNotFoundException("arena");
            case "zone-exists" -> new ZoneAlreadyExistsException("arena");
            case "teapot" -> new ApiException(418, "I am a teapot");
            case "conflict" -> ApiException.conflict("busy right now");
            case "not-found" -> ApiException.notFound("no such plan 7");
            case "lz" -> new LiveZoneException("the host broke");
            case "bug" -> new IllegalStateException("a bug");
            case "npe" -> new NullPointerException();
            case "checked" -> new IOException("disk gone");
            default -> throw new AssertionError(kind);
        };
    }

    private HttpResponse<String> send(String method, String path, String auth, String body)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(base().resolve(path))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, "Bearer " + TOKEN, body);
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JsonHttpServer.JSON.readTree(r.body());
    }

    @Test
    void tokensShorterThanSixteenCharactersAreRefused() {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        assertThatThrownBy(() -> new JsonHttpServer(any, "fifteen-chars!!"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> new JsonHttpServer(any, null))
                .isInstanceOf(InvalidInputException.class);
        new JsonHttpServer(any, "sixteen-chars!!!").close();
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "NONE",
            value = {
                "NONE",
                "Bearer wrong-token-of-enough-length",
                "0123456789abcdef-test-token",
                "Basic 0123456789abcdef-test-token",
                "Bearer 0123456789abcdef-test-token-and-more",
                "bearer 0123456789abcdef-test-token"
            })
    void missingOrWrongTokenIsRejectedBeforeTheHandlerRuns(String auth) throws Exception {
        HttpResponse<String> r = send("GET", "/v1/secret", auth, null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).path("error").asText()).isEqualTo("unauthorized");
        assertThat(json(r).path("message").asText()).isEqualTo("missing or wrong API token");
        assertThat(securedCalls).hasValue(0);
    }

    @Test
    void theRightTokenReachesTheHandler() {
        assertThat(client.get("/v1/secret", JsonNode.class).path("secret").asInt()).isEqualTo(42);
        assertThat(securedCalls).hasValue(1);
    }

    @Test
    void clientWithWrongTokenGetsAnApiException() {
        JsonHttpClient stranger = new JsonHttpClient(base(), "not-the-cluster-token");
        assertThatThrownBy(() -> stranger.get("/v1/secret", JsonNode.class))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(401))
                .hasMessage("missing or wrong API token");
        assertThat(securedCalls).hasValue(0);
    }

    @Test
    void openRoutesNeedNoTokenButOtherMethodsOnThemDo() throws Exception {
        HttpResponse<String> ok = send("GET", "/v1/health", null, null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(ok).path("ok").asBoolean()).isTrue();

        assertThat(send("POST", "/v1/health", null, "{}").statusCode()).isEqualTo(401);
        assertThat(send("POST", "/v1/health", "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void pathParametersAreNamedSegments() throws Exception {
        JsonNode params = client.get("/v1/things/lamp/parts/bulb-2", JsonNode.class);
        assertThat(params.path("thing").asText()).isEqualTo("lamp");
        assertThat(params.path("part").asText()).isEqualTo("bulb-2");

        // A parameter never spans a '/'.
        assertThat(send("GET", "/v1/things/a/b/parts/c", null).statusCode()).isEqualTo(404);
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        HttpResponse<String> missing = send("GET", "/v1/nothing-here", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).path("error").asText()).isEqualTo("not_found");
        assertThat(json(missing).path("message").asText())
                .isEqualTo("no such API path /v1/nothing-here");

        HttpResponse<String> wrong = send("PUT", "/v1/orders/3", "{}");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(json(wrong).path("message").asText())
                .isEqualTo("PUT is not allowed on /v1/orders/3");

        // Without a token nothing is revealed about which paths exist.
        assertThat(send("GET", "/v1/nothing-here", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void resultsAreJsonCreatedOnPostAndNoContentForNull() throws Exception {
        HttpResponse<String> created = send("POST", "/v1/orders", "{\"item\":\"tea\",\"count\":2}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JsonHttpServer.JSON.readValue(created.body(), Order.class))
                .isEqualTo(new Order("tea", 2));

        // Created only means 201 on a POST.
        assertThat(send("GET", "/v1/orders/1", null).statusCode()).isEqualTo(200);

        HttpResponse<String> deleted = send("DELETE", "/v1/orders/1", null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();

        assertThat(client.post("/v1/orders", new Order("tea", 3), Order.class))
                .isEqualTo(new Order("tea", 3));
        client.delete("/v1/orders/1", Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                                     | request body is empty; expected JSON",
                "{                                      | malformed JSON body: Unexpected"
                        + " end-of-input",
                "[1, 2]                                 | malformed JSON body: Cannot deserialize",
                "{\"item\":\"tea\",\"count\":\"many\"}  | (field 'count')",
                "{\"item\":\"tea\",\"count\":1,\"size\":2} | malformed JSON body: unknown field"
                        + " 'size'; known fields: [item, count]",
                "{\"item\":\"tea\",\"count\":null}      | malformed JSON body: field 'count' is"
                        + " missing or null; it needs a number",
                "{\"item\":\"tea\"}                       | malformed JSON body: field 'count' is"
                        + " missing or null; it needs a number",
                "{\"count\":1}                          | invalid request: item is missing",
                "{\"item\":\"tea\",\"count\":0}         | count must be positive, got 0"
            })
    void badBodiesAre400WithAMessageSayingWhatIsWrong(String body, String message)
            throws Exception {
        HttpResponse<String> r = send("POST", "/v1/orders", body);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).isEqualTo("invalid_input");
        assertThat(json(r).path("message").asText())
                .contains(message)
                .doesNotContain("DeserializationFeature");
    }

    @Test
    void aNullPrimitiveIsRejectedNotReadAsZero() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/orders", "{\"item\":\"tea\",\"count\":null}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("message").asText()).doesNotContain("count must be positive");
    }

    @Test
    void aConstraintViolationKeepsItsOwnMessage() throws Exception {
        HttpResponse<String> r = send("POST", "/v1/orders", "{\"item\":\"tea\",\"count\":-1}");
        assertThat(json(r).path("message").asText()).isEqualTo("count must be positive, got -1");
    }

    @ParameterizedTest
    @CsvSource(
            quoteCharacter = '"',
            value = {
                "invalid,      400, invalid_input, the input is wrong",
                "zone-missing, 404, not_found,     unknown zone 'arena'",
                "zone-exists,  409, conflict,      zone 'arena' already exists; stop it first or"
                        + " choose another name",
                "teapot,       418, failed,        I am a teapot",
                "conflict,     409, conflict,      busy right now",
                "not-found,    404, not_found,     no such plan 7",
                "lz,           500, failed,        the host broke",
                "bug,          500, failed,        a bug",
                "npe,          500, failed,        java.lang.NullPointerException",
                "checked,      500, failed,        disk gone"
            })
    void exceptionsMapToStatusAndErrorKind(String kind, int status, String error, String message)
            throws Exception {
        HttpResponse<String> r = send("GET", "/v1/fail/" + kind, null);

        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(json(r).path("error").asText()).isEqualTo(error);
        assertThat(json(r).path("message").asText()).isEqualTo(message);
        assertThat(json(r).size()).isEqualTo(2);
    }

    @Test
    void theClientRaisesTheExceptionTheServerThrew() {
        assertThatThrownBy(() -> client.get("/v1/fail/invalid", JsonNode.class))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessage("the input is wrong");
        assertThatThrownBy(() -> client.get("/v1/fail/zone-missing", JsonNode.class))
                .isExactlyInstanceOf(ZoneNotFoundException.class)
                .hasMessage("unknown zone 'arena'");
        assertThatThrownBy(() -> client.get("/v1/fail/zone-exists", JsonNode.class))
                .isExactlyInstanceOf(ZoneAlreadyExistsException.class)
                .hasMessage(new ZoneAlreadyExistsException("arena").getMessage());
        assertThatThrownBy(() -> client.get("/v1/fail/teapot", JsonNode.class))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(418))
                .hasMessage("I am a teapot");
        assertThatThrownBy(() -> client.get("/v1/fail/conflict", JsonNode.class))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessage("busy right now");
        assertThatThrownBy(() -> client.get("/v1/fail/not-found", JsonNode.class))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
                .hasMessage("no such plan 7");
        assertThatThrownBy(() -> client.get("/v1/fail/bug", JsonNode.class))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(500))
                .hasMessage("a bug");
        assertThatThrownBy(
                        () ->
                                client.post(
                                        "/v1/orders",
                                        Map.of("item", "tea", "count", 0),
                                        Order.class))
                .isExactlyInstanceOf(InvalidInputException.class)
                .hasMessage("count must be positive, got 0");
    }

    @Test
    void anUnreachableServerIsAnEnvironmentError() {
        URI gone;
        try (JsonHttpServer closed =
                new JsonHttpServer(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN)
                        .start()) {
            gone = URI.create("http://127.0.0.1:" + closed.address().getPort());
        }
        JsonHttpClient c = new JsonHttpClient(gone, TOKEN);
        assertThatThrownBy(() -> c.get("/v1/health", JsonNode.class))
                .isInstanceOf(EnvironmentException.class)
                .hasMessageStartingWith("cannot reach " + gone.resolve("/v1/health"));
    }
}
