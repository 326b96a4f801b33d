package io.livezone.qemu.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Client for the QEMU Machine Protocol over a unix domain socket.
 *
 * <p>Threading: {@link #execute} may be called from any number of threads; each request carries a
 * unique {@code id} and replies are matched by it. One daemon reader thread per client parses
 * incoming messages, completes pending commands and delivers events. Event listeners run <em>on
 * that reader thread</em>, so they must be quick and must not call {@link #execute} or {@link
 * EventWaiter#await} (both throw {@link IllegalStateException} there, since they would wait for
 * data only that thread can read).
 *
 * <p>When the connection ends for any reason, every pending command and event waiter fails at once
 * with {@link QmpConnectionClosedException}, and so does every later call.
 */
public final class QmpClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(QmpClient.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // query-qmp-schema is a few hundred KiB; anything this large means the stream is not QMP.
    private static final int MAX_MESSAGE_BYTES = 64 << 20;
    private static final long MAX_RETRY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Path socket;
    private final SocketChannel channel;
    private final Thread reader;
    // Writes happen on their own thread because an NIO channel closes itself when the writing
    // thread is
    // interrupted: a caller cancelled mid-write (Future.cancel(true)) must not take the QMP
    // connection down.
    private final ExecutorService writer;
    private final AtomicLong lastId = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final List<ListenerRegistration> listeners = new CopyOnWriteArrayList<>();
    private final Set<EventWaiter> waiters = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<QmpVersion> greeting = new CompletableFuture<>();

    /** Why the connection ended; null while open. Set exactly once. */
    private final AtomicReference<QmpException> terminal = new AtomicReference<>();

    private volatile QmpVersion version;

    /** QEMU offered out-of-band execution in its greeting (and it was then enabled). */
    private volatile boolean oob;

    private record Pending(String command, CompletableFuture<JsonNode> reply) {}

    private QmpClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        String suffix =
                socket.getFileName() == null ? socket.toString() : socket.getFileName().toString();
        this.reader =
                Thread.ofPlatform().daemon().name("qmp-reader-" + suffix).unstarted(this::readLoop);
        this.writer =
                Executors.newSingleThreadExecutor(
                        Thread.ofPlatform().daemon().name("qmp-writer-" + suffix).factory());
    }

    /**
     * Connects to QEMU's QMP socket and negotiates capabilities.
     *
     * <p>Retries while the socket file is missing or refuses connections, because QEMU may still be
     * starting. {@code timeout} bounds the whole handshake (connect, greeting, {@code
     * qmp_capabilities}).
     *
     * @throws QmpException the socket could not be connected within the timeout
     * @throws QmpTimeoutException connected, but QEMU did not complete the handshake in time
     * @throws QmpProtocolException the peer's greeting is not a QMP greeting
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        Objects.requireNonNull(socket, "socket");
        requirePositive(timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        QmpClient client = new QmpClient(socket, openWithRetry(socket, timeout, deadline));
        try {
            client.reader.start();
            client.version = client.awaitGreeting(deadline, timeout);
            // Out-of-band execution lets a few commands (migrate-pause, migrate-recover) run
            // while QEMU's main loop is blocked, e.g. a post-copy destination waiting for a page.
            client.execute(
                    "qmp_capabilities",
                    client.oob ? Map.of("enable", List.of("oob")) : null,
                    Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            LOG.debug("QMP connected to {}: QEMU {}", socket, client.version);
            return client;
        } catch (QmpTimeoutException e) {
            client.close();
            throw new QmpTimeoutException(
                    "QMP handshake on "
                            + socket
                            + " did not complete within "
                            + timeout
                            + ": "
                            + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static SocketChannel openWithRetry(Path socket, Duration timeout, long deadline) {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        long backoff = TimeUnit.MILLISECONDS.toNanos(5);
        while (true) {
            SocketChannel ch = null;
            IOException failure;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                // Non-blocking: a blocking connect to a QEMU whose listen backlog is full (its
                // main loop stuck, e.g. a post-copy destination waiting for pages) never returns.
                ch.configureBlocking(false);
                boolean connected = ch.connect(address);
                while (!connected && System.nanoTime() < deadline) {
                    sleepNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    connected = ch.finishConnect();
                }
                if (!connected) {
                    throw new IOException("QEMU did not accept the connection (monitor busy?)");
                }
                ch.configureBlocking(true);
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
                failure = e;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new QmpException(
                        "could not connect to QMP socket "
                                + socket
                                + " within "
                                + timeout
                                + " (last error: "
                                + failure.getMessage()
                                + "); is QEMU running with -qmp unix:"
                                + socket
                                + ",server=on?",
                        failure);
            }
            LOG.debug("QMP socket {} not ready yet ({}), retrying", socket, failure.getMessage());
            sleepNanos(Math.min(backoff, left));
            backoff = Math.min(backoff * 2, MAX_RETRY_BACKOFF_NANOS);
        }
    }

    private QmpVersion awaitGreeting(long deadline, Duration timeout) {
        try {
            return greeting.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // QEMU serves one client per QMP socket; a second client is accepted by the kernel but
            // never greeted.
            throw new QmpTimeoutException(
                    "no QMP greeting on "
                            + socket
                            + " within "
                            + timeout
                            + " (is another client already connected to this socket?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException(
                    "interrupted while waiting for the QMP greeting on " + socket, e);
        } catch (ExecutionException e) {
            throw (QmpException) e.getCause(); // the terminal failure; already names the socket
        }
    }

    /** QEMU version announced in the greeting. */
    public QmpVersion version() {
        return version;
    }

    public Path socket() {
        return socket;
    }

    /** True until the connection ends (peer closed, I/O or protocol error, or {@link #close()}). */
    public boolean isConnected() {
        return terminal.get() == null;
    }

    /** Executes a command without arguments, waiting up to {@link #DEFAULT_TIMEOUT}. */
    public JsonNode execute(String command) {
        return execute(command, null, DEFAULT_TIMEOUT);
    }

    /**
     * Executes a command, waiting up to {@link #DEFAULT_TIMEOUT}. See {@link #execute(String,
     * Object, Duration)}.
     */
    public JsonNode execute(String command, Object arguments) {
        return execute(command, arguments, DEFAULT_TIMEOUT);
    }

    /**
     * Executes a command and returns the reply's {@code return} member.
     *
     * @param arguments null for none, or anything Jackson serializes to a JSON object: a {@link
     *     Map}, an {@link ObjectNode}, a record or bean
     * @throws QmpCommandException QEMU replied with an error
     * @throws QmpTimeoutException no reply within {@code timeout} (a late reply is discarded)
     * @throws QmpConnectionClosedException the connection is or became closed
     * @throws IllegalArgumentException {@code arguments} does not serialize to a JSON object
     */
    public JsonNode execute(String command, Object arguments, Duration timeout) {
        return send("execute", command, arguments, timeout);
    }

    /**
     * Executes a command out of band ({@code exec-oob}): QEMU runs it on the monitor's own thread,
     * even while its main loop is blocked and ahead of in-band commands still queued. Only commands
     * the QAPI schema marks {@code allow-oob} qualify ({@code migrate-pause}, {@code
     * migrate-recover}, …). If QEMU did not offer out-of-band execution, it is executed in band.
     *
     * @see #execute(String, Object, Duration)
     */
    public JsonNode executeOob(String command, Object arguments, Duration timeout) {
        return send(oob ? "exec-oob" : "execute", command, arguments, timeout);
    }

    /** True if commands can be executed out of band on this connection. */
    public boolean outOfBand() {
        return oob;
    }

    private JsonNode send(String verb, String command, Object arguments, Duration timeout) {
        Objects.requireNonNull(command, "command");
        requirePositive(timeout);
        if (Thread.currentThread() == reader) {
            throw new IllegalStateException(
                    "QMP command '"
                            + command
                            + "' issued from the QMP reader thread (an event listener); it would"
                            + " wait for a reply only this thread can read");
        }
        long id = lastId.incrementAndGet();
        byte[] request = encodeRequest(verb, command, arguments, id);

        Pending call = new Pending(command, new CompletableFuture<>());
        pending.put(id, call);
        // Checked after registering: terminate() sets the reason before draining, so either it sees
        // this entry
        // or we see the reason. Without this a command sent during close could wait for its full
        // timeout.
        QmpException dead = terminal.get();
        if (dead != null) {
            pending.remove(id);
            throw closed("QMP command '" + command + "' not sent", dead);
        }
        try {
            writer.execute(() -> write(request));
        } catch (RejectedExecutionException e) {
            pending.remove(id);
            throw closed("QMP command '" + command + "' not sent", terminal.get());
        }

        JsonNode reply;
        try {
            reply = call.reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new QmpTimeoutException(
                    "QMP command '" + command + "' (id " + id + ") got no reply within " + timeout);
        } catch (InterruptedException e) {
            pending.remove(id);
            Thread.currentThread().interrupt();
            throw new QmpException(
                    "interrupted while waiting for reply to QMP command '" + command + "'", e);
        } catch (ExecutionException e) {
            throw closed("QMP command '" + command + "' aborted", e.getCause());
        }
        JsonNode error = reply.get("error");
        if (error != null) {
            throw QmpCommandException.fromError(command, error);
        }
        return reply.get("return");
    }

    /**
     * Registers a listener for every event. It runs on the reader thread: keep it quick, hand heavy
     * work off. Exceptions it throws are logged and otherwise ignored.
     */
    public Subscription addEventListener(Consumer<QmpEvent> listener) {
        ListenerRegistration registration =
                new ListenerRegistration(Objects.requireNonNull(listener, "listener"));
        listeners.add(registration);
        return registration;
    }

    /**
     * Starts waiting for the next event called {@code eventName}; create it before issuing the
     * command.
     */
    public EventWaiter expectEvent(String eventName) {
        return register(
                new EventWaiter(
                        "event '" + eventName + "'",
                        QmpEvent.named(eventName),
                        waiters::remove,
                        reader));
    }

    /**
     * Starts waiting for the next event matching {@code match}; create it before issuing the
     * command.
     */
    public EventWaiter expectEvent(Predicate<QmpEvent> match) {
        Objects.requireNonNull(match, "match");
        return register(new EventWaiter("matching event", match, waiters::remove, reader));
    }

    private EventWaiter register(EventWaiter waiter) {
        waiters.add(waiter);
        QmpException dead = terminal.get(); // same ordering argument as in execute()
        if (dead != null) {
            waiters.remove(waiter);
            waiter.fail(dead);
        }
        return waiter;
    }

    /**
     * Disconnects (QEMU keeps running). Pending commands and waiters fail with
     * QmpConnectionClosedException.
     */
    @Override
    public void close() {
        terminate(new QmpConnectionClosedException("QMP client for " + socket + " was closed"));
    }

    // ---- reader thread ----

    private void readLoop() {
        LineFramer framer = new LineFramer(MAX_MESSAGE_BYTES);
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (terminal.get() == null) {
                buf.clear();
                if (channel.read(buf) < 0) {
                    terminate(
                            new QmpConnectionClosedException(
                                    "QMP socket " + socket + " closed by QEMU"));
                    return;
                }
                long receivedNanos = System.nanoTime();
                buf.flip();
                framer.append(buf);
                for (byte[] line = framer.nextLine(); line != null; line = framer.nextLine()) {
                    if (terminal.get() != null) {
                        return; // closed by a listener or close(): deliver nothing more
                    }
                    handleLine(line, receivedNanos);
                }
            }
        } catch (IOException e) {
            terminate(
                    new QmpConnectionClosedException(
                            "reading QMP socket " + socket + " failed: " + e.getMessage(), e));
        } catch (QmpProtocolException e) {
            terminate(e);
        } catch (RuntimeException | Error e) {
            terminate(new QmpConnectionClosedException("QMP reader for " + socket + " crashed", e));
            throw e;
        }
    }

    private void handleLine(byte[] line, long receivedNanos) {
        if (isBlank(line)) {
            return;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("QMP {} <- {}", socket, new String(line, StandardCharsets.UTF_8));
        }
        JsonNode msg;
        try {
            msg = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new QmpProtocolException(
                    "malformed JSON from QMP socket " + socket + ": " + abbreviate(line), e);
        }
        if (msg == null || !msg.isObject()) {
            throw new QmpProtocolException(
                    "expected a JSON object from QMP socket "
                            + socket
                            + ", got: "
                            + abbreviate(line));
        }
        if (!greeting.isDone()) {
            greeting.complete(parseGreeting(msg));
        } else if (msg.has("event")) {
            dispatchEvent(QmpEvent.fromMessage(msg, receivedNanos));
        } else if (msg.has("return") || msg.has("error")) {
            completeCommand(msg);
        } else {
            LOG.warn(
                    "ignoring unrecognized message from QMP socket {}: {}",
                    socket,
                    abbreviate(line));
        }
    }

    private QmpVersion parseGreeting(JsonNode msg) {
        for (JsonNode c : msg.path("QMP").path("capabilities")) {
            if (c.asText().equals("oob")) {
                oob = true;
            }
        }
        JsonNode qemu = msg.path("QMP").path("version").path("qemu");
        if (!qemu.path("major").isInt()
                || !qemu.path("minor").isInt()
                || !qemu.path("micro").isInt()) {
            throw new QmpProtocolException(
                    "invalid QMP greeting on "
                            + socket
                            + " (expected {\"QMP\": {\"version\": {\"qemu\": {major, minor,"
                            + " micro}}}}), got: "
                            + msg);
        }
        return new QmpVersion(
                qemu.get("major").intValue(),
                qemu.get("minor").intValue(),
                qemu.get("micro").intValue(),
                msg.path("QMP").path("version").path("package").asText("").trim());
    }

    private void completeCommand(JsonNode msg) {
        JsonNode id = msg.get("id");
        Pending call = id != null && id.isIntegralNumber() ? pending.remove(id.longValue()) : null;
        if (call == null) {
            // Normal after a timeout: QEMU still answers the abandoned command.
            LOG.warn("discarding QMP reply with unknown id {} on {}: {}", id, socket, msg);
            return;
        }
        call.reply.complete(msg);
    }

    private void dispatchEvent(QmpEvent event) {
        for (EventWaiter waiter : waiters) {
            if (waiter.offer(event)) {
                waiters.remove(waiter);
            }
        }
        for (ListenerRegistration registration : listeners) {
            try {
                registration.listener.accept(event);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.warn("QMP event listener failed on {} event; continuing", event.name(), e);
            }
            // A pending interrupt would make the next channel.read() close the socket.
            if (Thread.interrupted()) {
                LOG.warn("QMP event listener interrupted the reader thread; interrupt cleared");
            }
        }
    }

    // ---- writing and teardown ----

    private byte[] encodeRequest(String verb, String command, Object arguments, long id) {
        ObjectNode request = MAPPER.createObjectNode();
        request.put(verb, command);
        if (arguments != null) {
            JsonNode args;
            try {
                args = MAPPER.valueToTree(arguments);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "cannot serialize arguments of QMP command '" + command + "'", e);
            }
            if (!args.isObject()) {
                throw new IllegalArgumentException(
                        "arguments of QMP command '"
                                + command
                                + "' must serialize to a JSON object, got: "
                                + args.getNodeType());
            }
            request.set("arguments", args);
        }
        request.put("id", id);
        String json;
        try {
            json = MAPPER.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize QMP command '" + command + "'", e);
        }
        LOG.debug("QMP {} -> {}", socket, json);
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void write(byte[] request) {
        ByteBuffer buf = ByteBuffer.wrap(request);
        try {
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        } catch (IOException e) {
            terminate(
                    new QmpConnectionClosedException(
                            "writing to QMP socket " + socket + " failed: " + e.getMessage(), e));
        }
    }

    private void terminate(QmpException reason) {
        if (!terminal.compareAndSet(null, reason)) {
            return;
        }
        LOG.debug("QMP connection to {} ended: {}", socket, reason.getMessage());
        closeQuietly(channel);
        writer.shutdown();
        greeting.completeExceptionally(reason);
        for (Long id : pending.keySet()) {
            Pending call = pending.remove(id);
            if (call != null) {
                call.reply.completeExceptionally(reason);
            }
        }
        for (EventWaiter waiter : waiters) {
            waiters.remove(waiter);
            waiter.fail(reason);
        }
    }

    private static QmpConnectionClosedException closed(String what, Throwable reason) {
        return new QmpConnectionClosedException(what + ": " + reason.getMessage(), reason);
    }

    private final class ListenerRegistration implements Subscription {
        final Consumer<QmpEvent> listener;

        ListenerRegistration(Consumer<QmpEvent> listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            listeners.remove(this); // identity equality: removes exactly this registration
        }
    }

    // ---- small helpers ----

    private static void requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(byte[] line) {
        String s = new String(line, 0, Math.min(line.length, 200), StandardCharsets.UTF_8);
        return line.length > 200 ? s + "..." : s;
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QmpException("interrupted while waiting for QMP socket to appear", e);
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("closing QMP socket channel failed", e);
            }
        }
    }
}
