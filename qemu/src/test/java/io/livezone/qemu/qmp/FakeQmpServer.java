package io.livezone.qemu.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A scripted stand-in for QEMU's QMP monitor: accepts one client on a unix socket and runs a script
 * against it. The script is plain code driving a {@link Session} (greet, expect a command, reply /
 * error / emit events / hang up), so ordering and interleaving are explicit. Like QEMU, it keeps
 * the connection open after the script ends (unless the script hung up) and treats any further
 * command as a failure. Failures are rethrown by {@link #awaitDone} and {@link #close}.
 */
final class FakeQmpServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long EVENT_SECONDS = 1_700_000_000L;
    static final long EVENT_MICROS = 123_456L;

    @FunctionalInterface
    interface Script {
        void run(Session session) throws Exception;
    }

    /** A command the client sent. */
    record Command(String name, JsonNode id, JsonNode arguments, JsonNode raw) {}

    private final ServerSocketChannel server;
    private final Thread thread;
    private final AtomicReference<SocketChannel> connection = new AtomicReference<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Command> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch scriptDone = new CountDownLatch(1);
    private volatile boolean closing;

    private FakeQmpServer(Path socket, Script script) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = Thread.ofPlatform().daemon().name("fake-qmp").start(() -> serve(script));
    }

    static FakeQmpServer start(Path socket, Script script) throws IOException {
        return new FakeQmpServer(socket, script);
    }

    private void serve(Script script) {
        try (SocketChannel ch = server.accept()) {
            connection.set(ch);
            Session session = new Session(ch);
            script.run(session);
            scriptDone.countDown();
            session.holdOpenUntilClientLeaves();
        } catch (Throwable e) {
            if (!closing) {
                failure.compareAndSet(null, e);
            }
        } finally {
            scriptDone.countDown();
        }
    }

    /** Every command received so far, in arrival order (including {@code qmp_capabilities}). */
    List<Command> received() {
        return received;
    }

    /** Waits for the script to finish and rethrows anything it threw. */
    void awaitDone() throws InterruptedException {
        assertThat(scriptDone.await(5, TimeUnit.SECONDS)).as("fake QMP script finished").isTrue();
        rethrowFailure();
    }

    @Override
    public void close() throws IOException {
        closing = true;
        server.close();
        SocketChannel ch = connection.get();
        if (ch != null) {
            ch.close();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
    }

    private void rethrowFailure() {
        Throwable e = failure.getAndSet(null);
        if (e != null) {
            throw new AssertionError("fake QMP script failed: " + e, e);
        }
    }

    // ---- message builders, also used by tests composing raw writes ----

    static String greetingJson(int major, int minor, int micro) {
        return "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": "
                + micro
                + ", \"minor\": "
                + minor
                + ", \"major\": "
                + major
                + "}, \"package\": \"Debian 1:7.2+dfsg-7\"}, \"capabilities\": [\"oob\"]}}";
    }

    static String returnJson(Command c, Object ret) {
        ObjectNode msg = JSON.createObjectNode();
        msg.set("return", JSON.valueToTree(ret));
        msg.set("id", c.id());
        return msg.toString();
    }

    static String errorJson(Command c, String errorClass, String desc) {
        ObjectNode msg = JSON.createObjectNode();
        msg.putObject("error").put("class", errorClass).put("desc", desc);
        msg.set("id", c.id());
        return msg.toString();
    }

    static String eventJson(String name, Object data) {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("event", name);
        if (data != null) {
            msg.set("data", JSON.valueToTree(data));
        }
        msg.putObject("timestamp").put("seconds", EVENT_SECONDS).put("microseconds", EVENT_MICROS);
        return msg.toString();
    }

    /** The script's view of the one client connection. */
    final class Session {
        private final SocketChannel ch;
        private final BufferedReader in;
        private boolean hungUp;

        Session(SocketChannel ch) {
            this.ch = ch;
            this.in =
                    new BufferedReader(
                            new InputStreamReader(
                                    Channels.newInputStream(ch), StandardCharsets.UTF_8));
        }

        /**
         * Greets as QEMU 7.2.0 (offering out-of-band execution) and answers {@code
         * qmp_capabilities}, which must enable it.
         */
        void handshake() throws IOException {
            greet(7, 2, 0);
            Command caps = expect("qmp_capabilities");
            assertThat(caps.arguments())
                    .as("qmp_capabilities arguments")
                    .hasToString("{\"enable\":[\"oob\"]}");
            reply(caps, JsonNodeFactory.instance.objectNode());
        }

        void greet(int major, int minor, int micro) throws IOException {
            sendLine(greetingJson(major, minor, micro));
        }

        /** Reads the next command, whatever it is. */
        Command next() throws IOException {
            String line = in.readLine();
            assertThat(line)
                    .as("client closed the connection instead of sending a command")
                    .isNotNull();
            JsonNode msg = JSON.readTree(line);
            Command c =
                    new Command(
                            msg.has("exec-oob")
                                    ? msg.path("exec-oob").asText()
                                    : msg.path("execute").asText(null),
                            msg.get("id"),
                            msg.get("arguments"),
                            msg);
            received.add(c);
            return c;
        }

        Command expect(String name) throws IOException {
            Command c = next();
            assertThat(c.name()).as("command received by fake QEMU").isEqualTo(name);
            assertThat(c.id()).as("id of %s", name).isNotNull();
            return c;
        }

        void reply(Command c, Object ret) throws IOException {
            sendLine(returnJson(c, ret));
        }

        void error(Command c, String errorClass, String desc) throws IOException {
            sendLine(errorJson(c, errorClass, desc));
        }

        void event(String name) throws IOException {
            event(name, null);
        }

        void event(String name, Object data) throws IOException {
            sendLine(eventJson(name, data));
        }

        /** One JSON message, CRLF-terminated like QEMU, in one write. */
        void sendLine(String json) throws IOException {
            sendRaw(json + "\r\n");
        }

        void sendRaw(String text) throws IOException {
            sendBytes(text.getBytes(StandardCharsets.UTF_8));
        }

        void sendBytes(byte[] bytes) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }

        /** Simulates QEMU dying: closes the connection without a word. */
        void hangUp() throws IOException {
            hungUp = true;
            ch.close();
        }

        void holdOpenUntilClientLeaves() throws IOException {
            if (!hungUp) {
                String line = in.readLine();
                assertThat(line).as("message received after the script ended").isNull();
            }
        }

        /** Blocks until the client disconnects, failing if it sends anything first. */
        void awaitClientDisconnect() throws IOException {
            assertThat(in.readLine())
                    .as("data from a client that should have disconnected")
                    .isNull();
        }

        /** A pause between writes so the client sees them as separate reads. */
        void pause(Duration d) throws InterruptedException {
            Thread.sleep(d);
        }
    }
}
