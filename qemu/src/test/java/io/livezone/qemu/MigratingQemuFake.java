package io.livezone.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A source QEMU's monitor as far as {@link LiveMigration} uses it, with a migration status the test
 * sets (each change is announced with a MIGRATION event, as with the events capability). The bytes
 * sent grow on every {@code query-migrate} unless the test stalls them. Commands are recorded;
 * whatever the fake does not model is answered with an empty return.
 */
final class MigratingQemuFake implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServerSocketChannel server;
    private final List<JsonNode> commands = new CopyOnWriteArrayList<>();
    private volatile SocketChannel client;
    private volatile String status;
    private volatile boolean stalled;
    private volatile boolean pauseOnPauseCommand = true;
    private volatile String resumeTo = "completed";
    private long transferred;

    MigratingQemuFake(Path socket, String initialStatus) throws IOException {
        this.status = initialStatus;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("fake-qemu").start(this::serve);
    }

    /** Changes the migration status and announces it. */
    void status(String s) {
        status = s;
        send(event(s));
    }

    void stallTransfer() {
        stalled = true;
    }

    /** Where a resumed migration ends ({@code completed}, or {@code postcopy-paused} again). */
    void resumeEndsIn(String s) {
        resumeTo = s;
    }

    boolean received(String command) {
        return commands.stream().anyMatch(c -> c.path("execute").asText().equals(command));
    }

    JsonNode last(String command) {
        return commands.stream()
                .filter(c -> c.path("execute").asText().equals(command))
                .reduce((a, b) -> b)
                .orElseThrow();
    }

    private void serve() {
        try (SocketChannel ch = server.accept()) {
            client = ch;
            send(
                    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 2, \"minor\": 0, \"major\":"
                            + " 10}, \"package\": \"\"}, \"capabilities\": []}}");
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(
                                    Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode c = JSON.readTree(line);
                commands.add(c);
                answer(c);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void answer(JsonNode c) {
        ObjectNode ret = JSON.createObjectNode();
        switch (c.path("execute").asText()) {
            case "migrate" -> {
                reply(c, ret);
                if (c.path("arguments").path("resume").asBoolean()) {
                    status("postcopy-recover-setup");
                    status("postcopy-recover");
                    status("postcopy-active");
                    status(resumeTo);
                } else {
                    status("active");
                }
                return;
            }
            case "migrate-start-postcopy" -> {
                reply(c, ret);
                status("postcopy-active");
                return;
            }
            case "migrate-pause" -> {
                reply(c, ret);
                if (pauseOnPauseCommand) {
                    status("postcopy-paused");
                }
                return;
            }
            case "query-migrate" -> {
                synchronized (this) {
                    if (!stalled) {
                        transferred += 1 << 20;
                    }
                    ret.put("status", status);
                    ret.put("total-time", 1000);
                    ret.put("error-desc", "Channel error: Broken pipe");
                    ret.putObject("ram")
                            .put("transferred", transferred)
                            .put("remaining", 1 << 20)
                            .put("total", 256 << 20);
                }
            }
            case "query-status" -> ret.put("status", "finish-migrate").put("running", false);
            default -> {}
        }
        reply(c, ret);
    }

    private void reply(JsonNode c, ObjectNode ret) {
        ObjectNode msg = JSON.createObjectNode();
        msg.set("return", ret);
        msg.set("id", c.get("id"));
        send(msg.toString());
    }

    private static String event(String s) {
        ObjectNode msg = JSON.createObjectNode();
        msg.put("event", "MIGRATION");
        msg.putObject("data").put("status", s);
        msg.putObject("timestamp").put("seconds", 1_700_000_000L).put("microseconds", 0);
        return msg.toString();
    }

    private synchronized void send(String json) {
        SocketChannel ch = client;
        if (ch == null) {
            return;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap((json + "\r\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (IOException e) {
            // the client left
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        SocketChannel ch = client;
        if (ch != null) {
            ch.close();
        }
    }
}
