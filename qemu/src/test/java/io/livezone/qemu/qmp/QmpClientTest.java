package io.livezone.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.qemu.qmp.FakeQmpServer.Command;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

@Timeout(20)
class QmpClientTest {
    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final Duration FAST = Duration.ofSeconds(3);

    @TempDir Path dir;

    private Path socket;
    private FakeQmpServer server;
    private QmpClient client;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() {
        socket = dir.resolve("qmp.sock");
    }

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private QmpClient connect(FakeQmpServer.Script script) throws Exception {
        server = FakeQmpServer.start(socket, script);
        client = QmpClient.connect(socket, CONNECT);
        return client;
    }

    @Test
    void connectNegotiatesCapabilitiesAndExposesVersion() throws Exception {
        connect(
                s -> {
                    s.greet(7, 2, 22);
                    Command caps = s.next();
                    s.reply(caps, Map.of());
                    s.awaitClientDisconnect();
                });

        assertThat(client.isConnected()).isTrue();
        assertThat(client.version()).isEqualTo(new QmpVersion(7, 2, 22, "Debian 1:7.2+dfsg-7"));
        assertThat(client.version().isAtLeast(7, 2)).isTrue();
        assertThat(client.version().isAtLeast(7, 3)).isFalse();
        assertThat(client.version().isAtLeast(6, 9)).isTrue();
        client.close();
        server.awaitDone();
        assertThat(server.received())
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.name()).isEqualTo("qmp_capabilities");
                            assertThat(c.arguments()).hasToString("{\"enable\":[\"oob\"]}");
                        });
    }

    @Test
    void executeOobSendsExecOobWhenQemuOffersIt() throws Exception {
        QmpClient client =
                connect(
                        s -> {
                            s.handshake();
                            FakeQmpServer.Command c = s.expect("migrate-pause");
                            assertThat(c.raw().has("exec-oob")).isTrue();
                            assertThat(c.raw().has("execute")).isFalse();
                            s.reply(c, Map.of());
                        });
        assertThat(client.outOfBand()).isTrue();
        client.executeOob("migrate-pause", null, Duration.ofSeconds(5));
        client.close();
        server.awaitDone();
    }

    @Test
    void executeOobFallsBackToInBandWhenQemuDoesNotOfferIt() throws Exception {
        QmpClient client =
                connect(
                        s -> {
                            s.sendLine(
                                    "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7,"
                                            + " \"minor\": 2, \"micro\": 0}, \"package\":"
                                            + " \"\"}, \"capabilities\": []}}");
                            FakeQmpServer.Command caps = s.expect("qmp_capabilities");
                            assertThat(caps.arguments()).isNull();
                            s.reply(caps, Map.of());
                            FakeQmpServer.Command c = s.expect("migrate-pause");
                            assertThat(c.raw().has("execute")).isTrue();
                            s.reply(c, Map.of());
                        });
        assertThat(client.outOfBand()).isFalse();
        client.executeOob("migrate-pause", null, Duration.ofSeconds(5));
        client.close();
        server.awaitDone();
    }

    @Test
    void executeReturnsTheReturnMember() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    s.reply(s.expect("query-status"), Map.of("status", "running", "running", true));
                    s.reply(s.expect("stop"), Map.of());
                });

        JsonNode status = client.execute("query-status");
        assertThat(status.get("status").asText()).isEqualTo("running");
        assertThat(status.get("running").asBoolean()).isTrue();
        assertThat(client.execute("stop")).isEqualTo(JsonNodeFactory.instance.objectNode());
        server.awaitDone();
    }

    record MigrateArgs(String uri, boolean detach) {}

    @Test
    void argumentsAreSerializedFromMapsRecordsAndObjectNodes() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    for (int i = 0; i < 3; i++) {
                        Command c = s.expect("migrate");
                        s.reply(c, c.arguments());
                    }
                });
        ObjectNode node =
                JsonNodeFactory.instance
                        .objectNode()
                        .put("uri", "tcp:10.0.0.2:4444")
                        .put("detach", true);

        List<JsonNode> echoed =
                List.of(
                        client.execute(
                                "migrate", Map.of("uri", "tcp:10.0.0.2:4444", "detach", true)),
                        client.execute("migrate", new MigrateArgs("tcp:10.0.0.2:4444", true)),
                        client.execute("migrate", node, Duration.ofSeconds(5)));

        assertThat(echoed).containsOnly(node);
        assertThatThrownBy(() -> client.execute("migrate", "tcp:10.0.0.2:4444"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must serialize to a JSON object");
        server.awaitDone();
        assertThat(server.received()).extracting(c -> c.id().asLong()).doesNotHaveDuplicates();
    }

    @Test
    void errorReplyThrowsCommandExceptionAndConnectionStaysUsable() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    s.error(
                            s.expect("migrate"),
                            "GenericError",
                            "There's a migration process in progress");
                    s.error(
                            s.expect("bogus"),
                            "CommandNotFound",
                            "The command bogus has not been found");
                    s.error(s.expect("future"), "FancyNewError", "something new");
                    s.reply(s.expect("query-status"), Map.of("status", "running"));
                });

        assertThatThrownBy(() -> client.execute("migrate", Map.of("uri", "tcp:h:1")))
                .isInstanceOfSatisfying(
                        QmpCommandException.class,
                        e -> {
                            assertThat(e.command()).isEqualTo("migrate");
                            assertThat(e.errorClass()).isEqualTo(QmpErrorClass.GENERIC_ERROR);
                            assertThat(e.errorClassName()).isEqualTo("GenericError");
                            assertThat(e.description())
                                    .isEqualTo("There's a migration process in progress");
                        })
                .hasMessage(
                        "QMP command 'migrate' failed (GenericError): There's a migration process"
                                + " in progress");
        assertThatThrownBy(() -> client.execute("bogus"))
                .isInstanceOfSatisfying(
                        QmpCommandException.class,
                        e -> assertThat(e.errorClass()).isEqualTo(QmpErrorClass.COMMAND_NOT_FOUND));
        assertThatThrownBy(() -> client.execute("future"))
                .isInstanceOfSatisfying(
                        QmpCommandException.class,
                        e -> {
                            assertThat(e.errorClass()).isEqualTo(QmpErrorClass.UNKNOWN);
                            assertThat(e.errorClassName()).isEqualTo("FancyNewError");
                        })
                .hasMessageContaining("(FancyNewError)");
        assertThat(client.execute("query-status").get("status").asText()).isEqualTo("running");
        assertThat(client.isConnected()).isTrue();
        server.awaitDone();
    }

    @Test
    void errorClassesMapFromWireNames() {
        assertThat(QmpErrorClass.fromWireName("GenericError"))
                .isEqualTo(QmpErrorClass.GENERIC_ERROR);
        assertThat(QmpErrorClass.fromWireName("CommandNotFound"))
                .isEqualTo(QmpErrorClass.COMMAND_NOT_FOUND);
        assertThat(QmpErrorClass.fromWireName("DeviceNotActive"))
                .isEqualTo(QmpErrorClass.DEVICE_NOT_ACTIVE);
        assertThat(QmpErrorClass.fromWireName("DeviceNotFound"))
                .isEqualTo(QmpErrorClass.DEVICE_NOT_FOUND);
        assertThat(QmpErrorClass.fromWireName("KVMMissingCap"))
                .isEqualTo(QmpErrorClass.KVM_MISSING_CAP);
        assertThat(QmpErrorClass.fromWireName("")).isEqualTo(QmpErrorClass.UNKNOWN);
        assertThat(QmpErrorClass.fromWireName("genericerror")).isEqualTo(QmpErrorClass.UNKNOWN);
    }

    @Test
    void eventsInterleavedWithRepliesAreDeliveredInOrder() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    Command status = s.expect("query-status");
                    s.event("E1", Map.of("n", 1)); // before the reply
                    s.event("E2");
                    s.reply(status, Map.of("status", "running"));
                    s.event("E3"); // between replies
                    Command cont = s.expect("cont");
                    s.event("E4");
                    s.reply(cont, Map.of());
                    s.event("E5"); // after the last reply
                });
        List<QmpEvent> events = new CopyOnWriteArrayList<>();
        client.addEventListener(events::add);
        long before = System.nanoTime();

        assertThat(client.execute("query-status").get("status").asText()).isEqualTo("running");
        // An event sent before a reply is dispatched before that reply completes the command.
        assertThat(events).extracting(QmpEvent::name).startsWith("E1", "E2");
        assertThat(client.execute("cont")).isEmpty();
        await().atMost(FAST)
                .untilAsserted(
                        () ->
                                assertThat(events)
                                        .extracting(QmpEvent::name)
                                        .containsExactly("E1", "E2", "E3", "E4", "E5"));

        QmpEvent first = events.getFirst();
        assertThat(first.data().get("n").asInt()).isEqualTo(1);
        assertThat(first.timestamp())
                .isEqualTo(
                        Instant.ofEpochSecond(
                                FakeQmpServer.EVENT_SECONDS, FakeQmpServer.EVENT_MICROS * 1000));
        assertThat(first.receivedNanos()).isBetween(before, System.nanoTime());
        assertThat(events.get(1).data()).as("event without data").isEmpty();
        assertThat(events).extracting(QmpEvent::receivedNanos).isSorted();
        server.awaitDone();
    }

    @Test
    void concurrentExecutesGetTheirOwnRepliesWhenAnsweredOutOfOrder() throws Exception {
        int threads = 8;
        connect(
                s -> {
                    s.handshake();
                    List<Command> commands = new ArrayList<>();
                    for (int i = 0; i < threads; i++) {
                        commands.add(s.expect("echo"));
                    }
                    Collections.reverse(commands);
                    for (Command c : commands) {
                        s.event("NOISE");
                        s.reply(c, Map.of("n", c.arguments().get("n")));
                    }
                });
        CountDownLatch go = new CountDownLatch(1);
        List<Future<JsonNode>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int n = i;
            results.add(
                    pool.submit(
                            () -> {
                                go.await();
                                return client.execute("echo", Map.of("n", n));
                            }));
        }
        go.countDown();

        for (int i = 0; i < threads; i++) {
            assertThat(results.get(i).get(5, TimeUnit.SECONDS).get("n").asInt()).isEqualTo(i);
        }
        server.awaitDone();
        assertThat(server.received()).extracting(c -> c.id().asLong()).doesNotHaveDuplicates();
    }

    @Test
    void eventWaiterCreatedBeforeCommandSeesEventArrivingBeforeReply() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    Command stop = s.expect("stop");
                    s.event("STOP");
                    s.reply(stop, Map.of());
                });

        try (EventWaiter stopped = client.expectEvent("STOP")) {
            client.execute("stop");
            assertThat(stopped.isDone()).as("event preceded the reply").isTrue();
            assertThat(stopped.await(Duration.ofMillis(1)).name()).isEqualTo("STOP");
        }
        server.awaitDone();
    }

    @Test
    void eventWaiterMatchesOnlyItsPredicateAndTimesOut() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        connect(
                s -> {
                    s.handshake();
                    Command migrate = s.expect("migrate");
                    s.reply(migrate, Map.of());
                    s.event("MIGRATION", Map.of("status", "setup"));
                    s.event("MIGRATION", Map.of("status", "active"));
                    s.event("MIGRATION", Map.of("status", "completed"));
                    waiting.await(5, TimeUnit.SECONDS);
                });

        EventWaiter completed =
                client.expectEvent(
                        e ->
                                e.name().equals("MIGRATION")
                                        && e.data().path("status").asText().equals("completed"));
        EventWaiter never = client.expectEvent("RESUME");
        client.execute("migrate", Map.of("uri", "tcp:h:1"));

        assertThat(completed.await(FAST).data().get("status").asText()).isEqualTo("completed");
        assertThatThrownBy(() -> never.await(Duration.ofMillis(100)))
                .isInstanceOf(QmpTimeoutException.class)
                .hasMessageContaining("RESUME");
        waiting.countDown();
        server.awaitDone();
    }

    @Test
    void qemuDyingMidCommandFailsPendingCommandAndWaitersPromptly() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    s.expect("migrate");
                    s.hangUp();
                });
        EventWaiter waiter = client.expectEvent("MIGRATION");
        Future<QmpEvent> awaiting = pool.submit(() -> waiter.await(Duration.ofSeconds(30)));

        long start = System.nanoTime();
        assertThatThrownBy(
                        () ->
                                client.execute(
                                        "migrate",
                                        Map.of("uri", "tcp:h:1"),
                                        Duration.ofSeconds(30)))
                .isInstanceOf(QmpConnectionClosedException.class)
                .hasMessageContaining("'migrate'")
                .hasMessageContaining("closed by QEMU");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
        assertThatThrownBy(() -> awaiting.get(FAST.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(QmpConnectionClosedException.class);

        assertThat(client.isConnected()).isFalse();
        assertThatThrownBy(() -> client.execute("query-status"))
                .isInstanceOf(QmpConnectionClosedException.class)
                .hasMessageContaining("not sent");
        assertThatThrownBy(() -> client.expectEvent("STOP").await(Duration.ofSeconds(30)))
                .isInstanceOf(QmpConnectionClosedException.class);
        server.awaitDone();
    }

    @Test
    void closeFailsPendingCommandAndIsIdempotent() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        connect(
                s -> {
                    s.handshake();
                    s.expect("query-migrate");
                    received.countDown();
                    s.awaitClientDisconnect();
                });
        Future<JsonNode> call = pool.submit(() -> client.execute("query-migrate"));
        assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();

        client.close();
        client.close();

        assertThatThrownBy(() -> call.get(FAST.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(QmpConnectionClosedException.class)
                .hasMessageContaining("was closed");
        assertThat(client.isConnected()).isFalse();
        server.awaitDone();
    }

    @Test
    void timeoutThrowsAndLateReplyDoesNotConfuseLaterCommands() throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        connect(
                s -> {
                    s.handshake();
                    Command slow = s.expect("slow");
                    assertThat(timedOut.await(5, TimeUnit.SECONDS)).isTrue();
                    s.reply(slow, Map.of("late", true));
                    s.reply(s.expect("query-status"), Map.of("status", "running"));
                });

        assertThatThrownBy(() -> client.execute("slow", null, Duration.ofMillis(150)))
                .isInstanceOf(QmpTimeoutException.class)
                .hasMessageContaining("'slow'")
                .hasMessageContaining("PT0.15S");
        timedOut.countDown();

        assertThat(client.execute("query-status").get("status").asText()).isEqualTo("running");
        assertThat(client.isConnected()).isTrue();
        server.awaitDone();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "this is not json",
                "[1, 2, 3]",
                "{\"hello\": \"world\"}",
                "{\"QMP\": {\"capabilities\": []}}",
                "{\"QMP\": {\"version\": {\"qemu\": {\"major\": \"seven\", \"minor\": 2, \"micro\":"
                        + " 0}}}}"
            })
    void malformedGreetingIsAProtocolError(String greeting) throws Exception {
        server =
                FakeQmpServer.start(
                        socket,
                        s -> {
                            s.sendLine(greeting);
                            s.awaitClientDisconnect();
                        });

        assertThatThrownBy(() -> QmpClient.connect(socket, CONNECT))
                .isInstanceOf(QmpProtocolException.class)
                .hasMessageContaining(socket.toString());
        server.awaitDone(); // the client hung up rather than leaking the connection
    }

    @Test
    void malformedMessageAfterHandshakeClosesTheConnection() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    s.expect("query-status");
                    s.sendLine("{\"return\": oops");
                    s.awaitClientDisconnect();
                });

        assertThatThrownBy(() -> client.execute("query-status"))
                .isInstanceOf(QmpConnectionClosedException.class)
                .hasRootCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class)
                .cause()
                .isInstanceOf(QmpProtocolException.class);
        assertThat(client.isConnected()).isFalse();
        server.awaitDone();
    }

    @Test
    void silentPeerTimesOutWaitingForGreeting() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        server = FakeQmpServer.start(socket, s -> done.await(5, TimeUnit.SECONDS));

        long start = System.nanoTime();
        assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofMillis(300)))
                .isInstanceOf(QmpTimeoutException.class)
                .hasMessageContaining("greeting");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
        done.countDown();
    }

    @Test
    void peerClosingBeforeGreetingFailsConnect() throws Exception {
        server = FakeQmpServer.start(socket, FakeQmpServer.Session::hangUp);

        assertThatThrownBy(() -> QmpClient.connect(socket, CONNECT))
                .isInstanceOf(QmpConnectionClosedException.class)
                .hasMessageContaining(socket.toString());
    }

    @Test
    void socketThatNeverAppearsFailsWithinTimeoutNamingThePath() {
        Path missing = dir.resolve("never.sock");

        long start = System.nanoTime();
        assertThatThrownBy(() -> QmpClient.connect(missing, Duration.ofMillis(300)))
                .isExactlyInstanceOf(QmpException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("PT0.3S");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        assertThat(elapsed).isBetween(Duration.ofMillis(300), FAST);
    }

    @Test
    void connectRetriesWhileSocketRefusesUntilQemuListens() throws Exception {
        // A stale socket file with no listener refuses connections, like QEMU mid-startup.
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        Future<QmpClient> connecting = pool.submit(() -> QmpClient.connect(socket, CONNECT));
        Thread.sleep(100); // let it hit ECONNREFUSED a few times

        assertThat(connecting).isNotDone();
        Files.delete(socket);
        server = FakeQmpServer.start(socket, FakeQmpServer.Session::handshake);

        client = connecting.get(5, TimeUnit.SECONDS);
        assertThat(client.isConnected()).isTrue();
        server.awaitDone();
    }

    @Test
    void partialLinesAndSeveralObjectsPerWriteAreFramedCorrectly() throws Exception {
        connect(
                s -> {
                    // Greeting split mid-line.
                    String greeting = FakeQmpServer.greetingJson(7, 2, 0) + "\r\n";
                    s.sendRaw(greeting.substring(0, 20));
                    s.pause(Duration.ofMillis(20));
                    s.sendRaw(greeting.substring(20));
                    s.reply(s.expect("qmp_capabilities"), Map.of());

                    // A reply split inside a multi-byte UTF-8 character.
                    Command name = s.expect("query-name");
                    byte[] reply =
                            (FakeQmpServer.returnJson(name, Map.of("name", "zoné-1")) + "\r\n")
                                    .getBytes(StandardCharsets.UTF_8);
                    int split = indexOf(reply, (byte) 0xC3) + 1; // between the two bytes of 'é'
                    s.sendBytes(Arrays.copyOfRange(reply, 0, split));
                    s.pause(Duration.ofMillis(20));
                    s.sendBytes(Arrays.copyOfRange(reply, split, reply.length));

                    // Event, reply and half of another event in one write; the rest of that event
                    // later.
                    Command status = s.expect("query-status");
                    String resume = FakeQmpServer.eventJson("RESUME", null) + "\r\n";
                    s.sendRaw(
                            FakeQmpServer.eventJson("STOP", null)
                                    + "\r\n"
                                    + FakeQmpServer.returnJson(status, Map.of("status", "paused"))
                                    + "\r\n"
                                    + resume.substring(0, 15));
                    s.pause(Duration.ofMillis(20));
                    s.sendRaw(resume.substring(15));
                });
        List<String> events = new CopyOnWriteArrayList<>();
        client.addEventListener(e -> events.add(e.name()));

        assertThat(client.version().minor()).isEqualTo(2);
        assertThat(client.execute("query-name").get("name").asText()).isEqualTo("zoné-1");
        assertThat(client.execute("query-status").get("status").asText()).isEqualTo("paused");
        await().atMost(FAST)
                .untilAsserted(() -> assertThat(events).containsExactly("STOP", "RESUME"));
        server.awaitDone();
    }

    @Test
    void throwingListenerDoesNotStopDeliveryAndClosedSubscriptionGetsNothing() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    Command a = s.expect("a");
                    s.event("E1");
                    s.reply(a, Map.of());
                    Command b = s.expect("b");
                    s.event("E2");
                    s.reply(b, Map.of());
                });
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> unsubscribed = new CopyOnWriteArrayList<>();
        client.addEventListener(
                e -> {
                    throw new IllegalStateException("listener bug");
                });
        client.addEventListener(e -> seen.add(e.name()));
        Subscription sub = client.addEventListener(e -> unsubscribed.add(e.name()));

        client.execute("a");
        sub.close();
        sub.close();
        client.execute("b"); // E2 is dispatched before b's reply completes

        assertThat(seen).containsExactly("E1", "E2");
        assertThat(unsubscribed).containsExactly("E1");
        assertThat(client.isConnected()).isTrue();
        server.awaitDone();
    }

    @Test
    void blockingCallsFromAListenerAreRejectedInsteadOfDeadlocking() throws Exception {
        connect(
                s -> {
                    s.handshake();
                    Command a = s.expect("a");
                    s.event("E1");
                    s.reply(a, Map.of());
                });
        AtomicReference<Throwable> fromListener = new AtomicReference<>();
        client.addEventListener(
                e -> {
                    try {
                        client.execute("query-status");
                    } catch (Throwable t) {
                        fromListener.set(t);
                    }
                });

        client.execute("a");
        assertThat(fromListener.get())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reader thread");
        server.awaitDone();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("byte not found");
    }
}
