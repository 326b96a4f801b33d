package io.livezone.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import io.livezone.cli.cluster.ClusterCommand;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;

/**
 * The operator's dashboard in a real headless browser (Debian's chromium, driven through its
 * chromedriver) against a real local cluster: three hosts in two sites, two zone VMs, players
 * reporting RTTs. The page must sign in from the keyboard, show the fleet, refuse bad input with a
 * clear error and no change, carry a migration it started through to its measured result, suspend
 * and resume a zone, switch a policy, and log no error in the browser console. Screenshots land in
 * target/dashboard-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardTest {
    private static final String CONFIG =
            """
            sites:
              - name: a
                hosts: [{name: h1, memory: 1GiB}, {name: h2, memory: 1GiB}]
              - name: b
                hosts: [{name: h3, memory: 1GiB}]
            links:
              - {between: [a, b], latency: 10ms, jitter: 1ms, bandwidth: 400mbit}
            """;
    private static final Path SHOTS = Path.of("target", "dashboard-screenshots").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ClusterFixture fixture;
    private static ChromeDriver browser;

    /** The browser's TMPDIR: chromium leaves its singleton socket folder there after quitting. */
    private static Path browserTmp;

    private static ScheduledExecutorService players;

    /** Console entries a test expects (the API's answers to the bad input it sends). */
    private static final List<Pattern> expectedConsole = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        fixture = new ClusterFixture("lzd", "d");
        fixture.up(CONFIG, Duration.ofSeconds(90));
        for (var z : List.of(Map.entry("za", "h1"), Map.entry("zb", "h3"))) {
            fixture.createZone(z.getKey(), z.getValue(), z.getKey().equals("za") ? 192L : 160L, 1);
        }
        players = Executors.newSingleThreadScheduledExecutor();
        players.scheduleWithFixedDelay(DashboardTest::reportRtts, 0, 5, TimeUnit.SECONDS);
        browser = startBrowser();
        Files.createDirectories(SHOTS);
        try (var old = Files.newDirectoryStream(SHOTS, "*.png")) {
            for (Path p : old) {
                Files.delete(p);
            }
        }
    }

    @AfterAll
    static void down() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (browserTmp != null) {
            try (var files = Files.walk(browserTmp)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        if (players != null) {
            players.shutdownNow();
        }
        fixture.close();
    }

    /** Headless chromium at 1280×800; the driver and browser are named so nothing is fetched. */
    private static ChromeDriver startBrowser() throws IOException {
        browserTmp = Files.createTempDirectory("lzbrowser");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--window-size=1280,800",
                "--lang=en-GB");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                        .usingAnyFreePort()
                        .withEnvironment(Map.of("TMPDIR", browserTmp.toString()))
                        .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        // --window-size counts the window, not the page: grow it so the page gets 1280×800.
        driver.get("about:blank");
        @SuppressWarnings("unchecked")
        List<Long> inner =
                (List<Long>) driver.executeScript("return [window.innerWidth, window.innerHeight]");
        Dimension outer = driver.manage().window().getSize();
        driver.manage()
                .window()
                .setSize(
                        new Dimension(
                                outer.width + 1280 - inner.get(0).intValue(),
                                outer.height + 800 - inner.get(1).intValue()));
        return driver;
    }

    /**
     * Players of za see both sites well under 80 ms; of zb's four, one is over the threshold at its
     * site: QoS stays above the 90 % target, so the zone-mapping policy has nothing to do.
     */
    private static void reportRtts() {
        try {
            var random = ThreadLocalRandom.current();
            List<Map<String, Object>> samples = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                samples.add(sample("pa" + i, "za", "a", 20 + 4 * i + random.nextDouble(3)));
                samples.add(sample("pa" + i, "za", "b", 35 + 4 * i + random.nextDouble(3)));
            }
            double[] zb = {18, 33, 45, 110};
            for (int i = 0; i < zb.length; i++) {
                samples.add(sample("pb" + i, "zb", "b", zb[i] + random.nextDouble(3)));
                samples.add(sample("pb" + i, "zb", "a", 95 + random.nextDouble(3)));
            }
            fixture.api().post("/v1/clients/rtt", Map.of("samples", samples), Void.class);
        } catch (RuntimeException e) {
            System.err.println("RTT report failed: " + e.getMessage());
        }
    }

    private static Map<String, Object> sample(String client, String zone, String site, double ms) {
        return Map.of("client", client, "zone", zone, "site", site, "rttMs", ms);
    }

    @AfterEach
    void noConsoleErrors(TestInfo test) {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            boolean expected =
                    expectedConsole.stream().anyMatch(p -> p.matcher(e.getMessage()).find());
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !expected) {
                errors.add(e.getMessage());
            }
        }
        expectedConsole.clear();
        assertThat(errors).as("browser console errors in %s", test.getDisplayName()).isEmpty();
    }

    @Test
    @Order(1)
    void signingInFromTheKeyboardShowsTheHostsAndZones() throws Exception {
        String url = ClusterCommand.dashboardUrl(fixture.cluster());
        browser.get(url);
        WebElement token = waitFor(d -> visible(By.id("token")));
        assertThat(browser.switchTo().activeElement()).isEqualTo(token);
        screenshot("01-sign-in");

        // A wrong token is refused with a message; the board stays hidden.
        expectedConsole.add(Pattern.compile("/v1/qos - .*status of 401"));
        token.sendKeys("not-the-cluster-token-0123", Keys.ENTER);
        waitFor(d -> text("login-error").contains("rejected the token"));
        assertThat(visible(By.id("board"))).isNull();
        assertThat(browser.switchTo().activeElement()).isEqualTo(token);

        token.sendKeys(fixture.cluster().token(), Keys.ENTER);

        waitFor(d -> text("hosts-body").contains("h3"));
        waitFor(d -> cell("zones-body", "za", 4).equals("8"));
        assertThat(rowText("hosts-body", "h1")).contains("a").contains("up").contains("za");
        assertThat(rowText("hosts-body", "h2")).contains("up");
        assertThat(rowText("hosts-body", "h3")).contains("b").contains("zb");
        assertThat(cell("zones-body", "za", 1)).isEqualTo("h1");
        assertThat(cell("zones-body", "zb", 1)).isEqualTo("h3");
        assertThat(cell("zones-body", "zb", 4)).isEqualTo("4");
        assertThat(cell("zones-body", "za", 2)).isEqualTo("running");
        assertThat(text("status")).isEqualTo("Live");
        waitFor(d -> text("qos-now").contains("of 12 players"));
        // The token is kept for the tab, not in the URL; the page fits 1280 px without scrolling
        // sideways.
        assertThat(browser.getCurrentUrl()).doesNotContain("token");
        assertThat(js("return [window.innerWidth, window.innerHeight]").toString())
                .isEqualTo("[1280, 800]");
        assertThat((Long) js("return document.documentElement.scrollWidth"))
                .isLessThanOrEqualTo(1280L);
        screenshot("02-overview");
        fullPage("02-overview-full");
    }

    @Test
    @Order(2)
    void anActionWithBadInputShowsAnErrorAndChangesNothing() throws Exception {
        int plansBefore = fixture.api().get("/v1/plans", JsonNode.class).size();
        expectedConsole.add(Pattern.compile("/v1/(plans|zones/za/migrate) - .*status of 4\\d\\d"));

        // Refused by the page itself: no dialog, no call.
        type("plan-moves", "za");
        click("plan-submit");
        assertThat(formError("plan-form")).contains("\"za\" is not a move; write zone=host");
        assertThat(visible(By.id("confirm"))).isNull();

        // Refused by the API: an unknown host.
        type("plan-moves", "za=nowhere");
        click("plan-submit");
        confirm("Run a plan (auto schedule) of 1 move: za → nowhere?");
        waitFor(d -> formError("plan-form").contains("unknown host 'nowhere'"));
        assertThat(formError("plan-form")).startsWith("Rejected: ").contains("(HTTP 4");

        // Refused by the API: the zone already runs on the chosen host.
        select("migrate-zone", "za");
        select("migrate-host", "h1");
        click("migrate-submit");
        confirm("Migrate zone za from h1 to h1");
        waitFor(d -> formError("migrate-form").contains("already runs on h1"));
        screenshot("03-bad-input");

        assertThat(fixture.api().get("/v1/plans", JsonNode.class).size()).isEqualTo(plansBefore);
        assertThat(fixture.api().get("/v1/zones/za", JsonNode.class).path("host").asText())
                .isEqualTo("h1");
        assertThat(text("moves-body")).contains("No migration running");
    }

    @Test
    @Order(3)
    void aMigrationStartedFromThePageCompletesAndShowsItsProgressAndResult() throws Exception {
        // Only the keyboard: choose by typing, submit with Enter, confirm with Tab and Enter.
        WebElement zone = browser.findElement(By.id("migrate-zone"));
        zone.sendKeys("za");
        browser.findElement(By.id("migrate-host")).sendKeys("h3");
        WebElement bandwidth = browser.findElement(By.id("migrate-bandwidth"));
        bandwidth.sendKeys(Keys.chord(Keys.CONTROL, "a"), "10");
        assertThat(zone.getDomProperty("value")).isEqualTo("za");
        assertThat(browser.findElement(By.id("migrate-host")).getDomProperty("value"))
                .isEqualTo("h3");
        browser.findElement(By.id("migrate-submit")).sendKeys(Keys.ENTER);
        waitFor(d -> visible(By.id("confirm")));
        assertThat(text("confirm-text"))
                .isEqualTo(
                        "Migrate zone za from h1 to h3 (auto schedule, downtime limit 30 ms, at"
                                + " most 10 MB/s)?");
        assertThat(browser.switchTo().activeElement().getDomAttribute("id"))
                .isEqualTo("confirm-cancel");
        screenshot("04-confirm-dialog");
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getDomAttribute("id"))
                .isEqualTo("confirm-ok");
        new Actions(browser).sendKeys(Keys.ENTER).perform();

        waitFor(d -> formResult("migrate-form").startsWith("Plan #"));
        long plan = Long.parseLong(formResult("migrate-form").replaceAll("^Plan #(\\d+).*", "$1"));
        assertThat(formResult("migrate-form")).isEqualTo("Plan #" + plan + " started: za h1 → h3.");

        // Live progress: the pre-copy phase with bytes sent and a rate.
        List<String> running =
                waitFor(
                        Duration.ofSeconds(90),
                        d -> {
                            List<String> r = cells("moves-body", "za");
                            return r.size() == 8
                                            && r.get(3).startsWith("pre-copy round")
                                            && !r.get(5).startsWith("0 B")
                                            && r.get(6).endsWith("MB/s")
                                    ? r
                                    : null;
                        });
        assertThat(running.get(0)).isEqualTo("#" + plan + " auto");
        assertThat(running.get(2)).isEqualTo("h1 → h3");
        assertThat(running.get(4)).matches("\\d+ %");
        assertThat(running.get(7)).contains("limit 30 ms");
        screenshot("05-migration-running");

        // The result: done, with the measured downtime and total time.
        waitFor(Duration.ofMinutes(4), d -> cell("history-body", "za", 3).startsWith("done"));
        assertThat(cell("history-body", "za", 0)).isEqualTo("#" + plan + " auto");
        assertThat(cell("history-body", "za", 4)).matches("\\d+ ms");
        assertThat(cell("history-body", "za", 5)).matches("[\\d.]+ s|\\d+ min \\d+ s");
        waitFor(d -> cell("zones-body", "za", 1).equals("h3"));
        waitFor(d -> text("moves-body").contains("No migration running"));
        JsonNode done = fixture.api().get("/v1/plans/" + plan, JsonNode.class).path("plan");
        assertThat(done.path("state").asText()).isEqualTo("DONE");
        assertThat(cell("history-body", "za", 4))
                .isEqualTo(done.at("/moves/0/downtimeMillis").asLong() + " ms");
        assertThat(fixture.api().get("/v1/zones/za", JsonNode.class).path("host").asText())
                .isEqualTo("h3");
        screenshot("06-migration-done");
    }

    @Test
    @Order(4)
    void aPolicyIsSwitchedOnAndOffAndItsDecisionShows() throws Exception {
        WebElement enabled = browser.findElement(By.id("policy-enabled"));
        assertThat(enabled.isSelected()).isFalse();
        enabled.click();
        type("policy-period", "3600");
        click("policy-submit");
        confirm("Enable zone mapping (RTT threshold 80 ms, QoS target 90 %, every 3600 s)?");
        waitFor(d -> formResult("policy-form").equals("Zone mapping is enabled."));
        assertThat(
                        fixture.api()
                                .get("/v1/policies", JsonNode.class)
                                .at("/zoneMapping/settings/enabled")
                                .asBoolean())
                .isTrue();
        // Enabled, the policy runs a round at once; its decision and reason appear.
        waitFor(
                d ->
                        policyText().contains("enabled")
                                && !browser.findElements(
                                                By.cssSelector("[data-policy=zone-mapping] li"))
                                        .isEmpty());
        String reason =
                fixture.api()
                        .get("/v1/policies", JsonNode.class)
                        .at("/zoneMapping/lastDecision/reason")
                        .asText();
        assertThat(policyText()).contains(reason);
        scrollTo("policies-title");
        screenshot("07-policy-enabled");

        browser.findElement(By.id("policy-enabled")).click();
        click("policy-submit");
        confirm("Disable zone mapping");
        waitFor(d -> formResult("policy-form").equals("Zone mapping is disabled."));
        waitFor(d -> policyText().contains("disabled"));
        assertThat(
                        fixture.api()
                                .get("/v1/policies", JsonNode.class)
                                .at("/zoneMapping/settings/enabled")
                                .asBoolean())
                .isFalse();
    }

    @Test
    @Order(5)
    void theChartsDrawQosOverTimeAndTheRttDistribution() throws Exception {
        waitFor(
                d ->
                        (Long)
                                        js(
                                                "return"
                                                    + " Chart.getChart('qos-chart').data.datasets[0].data.filter(p"
                                                    + " => p.y !== null).length")
                                > 3);
        assertThat(js("return Chart.getChart('rtt-chart').data.datasets.map(d => d.label).join()"))
                .isEqualTo("za (on h3),zb (on h3)");
        assertThat(
                        js(
                                "return Chart.getChart('rtt-chart').data.datasets[1].data"
                                        + ".reduce((a, b) => a + b, 0)"))
                .isEqualTo(4L);
        assertThat(text("qos-now")).matches("\\d+ % of 12 players under 80 ms now");
        scrollTo("qos-title");
        screenshot("08-charts");
        fullPage("09-full-page");
    }

    @Test
    @Order(6)
    void aZoneIsSuspendedAndResumedFromThePageAndABadResumeChangesNothing() throws Exception {
        expectedConsole.add(Pattern.compile("/v1/zones/za/resume - .*status of 409"));

        // Suspend with the keyboard only: choose by typing, Enter, confirm with Tab and Enter.
        WebElement zone = browser.findElement(By.id("suspend-zone"));
        zone.sendKeys("zb");
        assertThat(zone.getDomProperty("value")).isEqualTo("zb");
        assertThat(browser.findElement(By.id("resume-host")).getDomProperty("value")).isEmpty();
        browser.findElement(By.id("suspend-submit")).sendKeys(Keys.ENTER);
        waitFor(d -> visible(By.id("confirm")));
        assertThat(text("confirm-text")).startsWith("Suspend zone zb on h3?");
        assertThat(browser.switchTo().activeElement().getDomAttribute("id"))
                .isEqualTo("confirm-cancel");
        new Actions(browser).sendKeys(Keys.TAB).perform();
        assertThat(browser.switchTo().activeElement().getDomAttribute("id"))
                .isEqualTo("confirm-ok");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        waitFor(
                Duration.ofMinutes(2),
                d -> formResult("suspend-form").equals("Zone zb is hibernating on h3."));
        JsonNode suspended = fixture.api().get("/v1/zones/zb", JsonNode.class);
        assertThat(suspended.path("state").asText()).isEqualTo("HIBERNATING");
        assertThat(suspended.path("host").asText()).isEqualTo("h3");
        // Hibernating, the zone stays in the list with its state.
        waitFor(d -> cell("zones-body", "zb", 2).equals("hibernating"));
        assertThat(cell("zones-body", "zb", 1)).isEqualTo("h3");
        assertThat(formError("suspend-form")).isEmpty();
        fullPage("10-zone-hibernating");

        // Refused by the API: za is running, not hibernating.
        select("suspend-zone", "za");
        click("resume-submit");
        confirm("Resume zone za on h3, the host holding its image?");
        waitFor(d -> formError("suspend-form").contains("zone 'za' is RUNNING, not hibernating"));
        assertThat(formError("suspend-form")).startsWith("Rejected: ").endsWith("(HTTP 409)");
        assertThat(formResult("suspend-form")).isEmpty();
        scrollTo("suspend-zone");
        screenshot("11-bad-resume");
        JsonNode za = fixture.api().get("/v1/zones/za", JsonNode.class);
        assertThat(za.path("state").asText()).isEqualTo("RUNNING");
        assertThat(za.path("host").asText()).isEqualTo("h3");
        assertThat(fixture.api().get("/v1/zones/zb", JsonNode.class).path("state").asText())
                .isEqualTo("HIBERNATING");
        assertThat(cell("zones-body", "za", 2)).isEqualTo("running");
        assertThat(cell("zones-body", "zb", 2)).isEqualTo("hibernating");

        // Resume with clicks, on the same host (the default).
        select("suspend-zone", "zb");
        click("resume-submit");
        confirm("Resume zone zb on h3, the host holding its image?");
        waitFor(
                Duration.ofMinutes(2),
                d -> formResult("suspend-form").equals("Zone zb is running on h3."));
        assertThat(formError("suspend-form")).isEmpty();
        JsonNode resumed = fixture.api().get("/v1/zones/zb", JsonNode.class);
        assertThat(resumed.path("state").asText()).isEqualTo("RUNNING");
        assertThat(resumed.path("host").asText()).isEqualTo("h3");
        waitFor(d -> cell("zones-body", "zb", 2).equals("running"));
        screenshot("12-zone-resumed");
    }

    // ---- helpers ----

    private static <T> T waitFor(Function<org.openqa.selenium.WebDriver, T> condition) {
        return waitFor(WAIT, condition);
    }

    private static <T> T waitFor(
            Duration timeout, Function<org.openqa.selenium.WebDriver, T> condition) {
        return new WebDriverWait(browser, timeout, Duration.ofMillis(200))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition);
    }

    private static WebElement visible(By by) {
        List<WebElement> found = browser.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static String rowText(String body, String key) {
        return String.join(" | ", cells(body, key));
    }

    private static String cell(String body, String key, int column) {
        List<String> cells = cells(body, key);
        return column < cells.size() ? cells.get(column) : "";
    }

    /**
     * The cells of a table row by its zone or host (the newest when several match), read in one
     * script: the page redraws its tables every second, so element references go stale.
     */
    @SuppressWarnings("unchecked")
    private static List<String> cells(String body, String key) {
        return (List<String>)
                ((JavascriptExecutor) browser)
                        .executeScript(
                                "const r = document.querySelector(arguments[0]);"
                                        + " return r ? [...r.cells].map(c => c.innerText.trim())"
                                        + " : [];",
                                "#%1$s tr[data-zone='%2$s'], #%1$s tr[data-host='%2$s']"
                                        .formatted(body, key));
    }

    private static void type(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private static void select(String id, String value) {
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id(id)))
                .selectByValue(value);
    }

    private static void click(String id) {
        browser.findElement(By.id(id)).click();
    }

    /** Checks the confirmation dialog asks what it should, and confirms. */
    private static void confirm(String question) {
        waitFor(d -> visible(By.id("confirm")));
        assertThat(text("confirm-text")).startsWith(question);
        click("confirm-ok");
        waitFor(d -> visible(By.id("confirm")) == null);
    }

    private static String policyText() {
        return browser.findElement(By.cssSelector("[data-policy=zone-mapping]")).getText();
    }

    private static String formError(String form) {
        return browser.findElement(By.cssSelector("#" + form + " .error")).getText();
    }

    private static String formResult(String form) {
        return browser.findElement(By.cssSelector("#" + form + " .result")).getText();
    }

    private static void scrollTo(String id) {
        ((JavascriptExecutor) browser)
                .executeScript("arguments[0].scrollIntoView()", browser.findElement(By.id(id)));
    }

    private static void screenshot(String name) throws Exception {
        Files.write(
                SHOTS.resolve(name + ".png"),
                browser.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
    }

    /** The whole page, below the fold too (Chrome DevTools' capture beyond the viewport). */
    private static void fullPage(String name) throws Exception {
        long height = (Long) js("return document.documentElement.scrollHeight");
        Map<String, Object> shot =
                browser.executeCdpCommand(
                        "Page.captureScreenshot",
                        Map.of(
                                "format",
                                "png",
                                "captureBeyondViewport",
                                true,
                                "clip",
                                Map.of(
                                        "x", 0, "y", 0, "width", 1280, "height", height, "scale",
                                        1)));
        Files.write(
                SHOTS.resolve(name + ".png"),
                Base64.getDecoder().decode((String) shot.get("data")));
    }
}
