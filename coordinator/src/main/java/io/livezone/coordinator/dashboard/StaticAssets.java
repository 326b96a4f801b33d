package io.livezone.coordinator.dashboard;

import com.sun.net.httpserver.HttpExchange;

import io.livezone.core.http.JsonHttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The dashboard's files, served from the class path on open routes: the page itself holds no secret
 * (the token stays in the browser and goes only into API calls), and the strict content security
 * policy allows no script but these files.
 */
final class StaticAssets {
    private static final String FOLDER = "dashboard/";
    private static final Pattern FILE = Pattern.compile("[a-z][a-z0-9-]*\\.(html|css|js)");
    private static final Map<String, String> TYPES =
            Map.of(
                    "html", "text/html; charset=utf-8",
                    "css", "text/css; charset=utf-8",
                    "js", "text/javascript; charset=utf-8");

    /** Scripts, styles and API calls from this origin only; no inline code, no framing. */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; form-action 'none'; frame-ancestors 'none';"
                    + " base-uri 'none'";

    /** Chart.js from its WebJar (org.webjars.npm:chart.js), whatever version the build has. */
    static final String CHART_JS = chartJsResource();

    private StaticAssets() {}

    static JsonHttpServer register(JsonHttpServer http) {
        return http.openRoute("GET", "/", (JsonHttpServer.RawHandler) StaticAssets::toDashboard)
                .openRoute(
                        "GET", "/dashboard", (JsonHttpServer.RawHandler) StaticAssets::toDashboard)
                .openRoute(
                        "GET",
                        Dashboard.PATH,
                        (JsonHttpServer.RawHandler) (r, ex) -> file(ex, "index.html"))
                .openRoute(
                        "GET",
                        Dashboard.PATH + "lib/chart.umd.js",
                        (JsonHttpServer.RawHandler)
                                (r, ex) -> send(ex, 200, TYPES.get("js"), read(CHART_JS)))
                .openRoute(
                        "GET",
                        Dashboard.PATH + "{file}",
                        (JsonHttpServer.RawHandler) (r, ex) -> file(ex, r.param("file")));
    }

    private static void toDashboard(JsonHttpServer.Request r, HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Location", Dashboard.PATH);
        ex.sendResponseHeaders(302, -1);
    }

    private static void file(HttpExchange ex, String name) throws IOException {
        byte[] body = FILE.matcher(name).matches() ? read(FOLDER + name) : null;
        if (body == null) {
            send(
                    ex,
                    404,
                    "text/plain; charset=utf-8",
                    ("no dashboard file " + name).getBytes(StandardCharsets.UTF_8));
            return;
        }
        send(ex, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), body);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String chartJsResource() {
        Properties p = new Properties();
        String pom = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
        try (InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(pom)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the Chart.js WebJar is not on the class path (" + pom + ")");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "META-INF/resources/webjars/chart.js/"
                + p.getProperty("version")
                + "/dist/chart.umd.js";
    }
}
