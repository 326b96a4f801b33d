package io.livezone.dve.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One client's TCP control channel, served by its own (virtual) thread. Line protocol:
 *
 * <pre>
 * JOIN &lt;name&gt;  -&gt; WELCOME &lt;clientId&gt; &lt;tokenHex&gt; &lt;udpPort&gt; &lt;tickHz&gt;
 * LEAVE        -&gt; BYE, then the server closes the connection
 * PING &lt;n&gt;     -&gt; PONG &lt;n&gt;
 * STATS        -&gt; STATS tick=.. sessions=.. catchUpTicks=.. reanchors=.. statesSent=.. (a health probe)
 * INPUTS       -&gt; INPUTS sessions=.. received=.. missing=.. late=.. duplicates=.. tooOld=..
 * NETSTATS     -&gt; NETSTATS udpInDatagrams=.. udpInErrors=.. udpRcvbufErrors=.. (the guest
 *                 kernel's UDP counters, from /proc/net/snmp)
 * ECHO         -&gt; ECHOING, then every byte the client sends is sent back unchanged until it
 *                 closes its side; the server then closes the connection
 * anything else -&gt; ERR &lt;reason&gt; (the connection stays usable)
 * </pre>
 *
 * The session lives while the connection is open: closing it is leaving. {@code INPUTS} reports how
 * the clients' sequence-numbered input datagrams arrived ({@link InputDelivery}); {@code NETSTATS}
 * tells whether the kernel dropped datagrams before the server read them (a full socket buffer
 * counts as {@code udpRcvbufErrors}). {@code ECHO} gives a long-lived TCP session whose content the
 * client can verify end to end (a checksummed stream through a gateway and across migrations); it
 * needs no extra port, so the guest needs no new option.
 */
final class ControlConnection implements Runnable {
    static final int MAX_LINE = 256;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,18}");

    private final Socket socket;
    private final SessionTable sessions;
    private final ZoneTelemetry telemetry;
    private final int udpPort;
    private final int tickHz;
    private final Supplier<ZoneCounters> counters;
    private final Supplier<InputDelivery> inputs;
    private ClientSession session;
    private boolean echo;

    ControlConnection(
            Socket socket,
            SessionTable sessions,
            ZoneTelemetry telemetry,
            int udpPort,
            int tickHz,
            Supplier<ZoneCounters> counters,
            Supplier<InputDelivery> inputs) {
        this.socket = socket;
        this.sessions = sessions;
        this.telemetry = telemetry;
        this.udpPort = udpPort;
        this.tickHz = tickHz;
        this.counters = counters;
        this.inputs = inputs;
    }

    @Override
    public void run() {
        try (socket) {
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
            ControlLineReader reader = new ControlLineReader(in, MAX_LINE);
            OutputStream out = socket.getOutputStream();
            String line;
            while ((line = reader.readLine()) != null) {
                String reply = reader.overflowed() ? "ERR line too long" : handle(line);
                if (reply.startsWith("ERR")) {
                    telemetry.tcpErrors.increment();
                }
                out.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (reply.equals("BYE")) {
                    break;
                }
                if (echo) {
                    // Bytes after the ECHO line may already sit in the buffer: read on from it.
                    echo(in, out);
                    break;
                }
            }
        } catch (IOException e) {
            // Reset or closed by the server on stop: either way the client is gone.
        } finally {
            if (session != null) {
                sessions.close(session);
            }
        }
    }

    private void echo(InputStream in, OutputStream out) throws IOException {
        telemetry.echoSessions.increment();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            out.flush();
            telemetry.echoBytes.add(n);
        }
    }

    private String handle(String line) {
        String[] words = line.strip().split("\\s+");
        switch (words[0]) {
            case "JOIN":
                if (words.length != 2 || !NAME.matcher(words[1]).matches()) {
                    return "ERR usage: JOIN <name of 1-32 chars [A-Za-z0-9._-]>";
                }
                if (session != null) {
                    return "ERR already joined as " + session.clientId;
                }
                session = sessions.open(words[1]);
                telemetry.joins.increment();
                return "WELCOME "
                        + session.clientId
                        + " "
                        + Long.toHexString(session.token)
                        + " "
                        + udpPort
                        + " "
                        + tickHz;
            case "LEAVE":
                return words.length == 1 ? "BYE" : "ERR usage: LEAVE";
            case "PING":
                if (words.length != 2 || !NUMBER.matcher(words[1]).matches()) {
                    return "ERR usage: PING <integer>";
                }
                return "PONG " + words[1];
            case "STATS":
                if (words.length != 1) {
                    return "ERR usage: STATS";
                }
                ZoneCounters c = counters.get();
                return "STATS tick="
                        + c.tick()
                        + " sessions="
                        + c.sessions()
                        + " catchUpTicks="
                        + c.catchUpTicks()
                        + " reanchors="
                        + c.reanchors()
                        + " statesSent="
                        + c.statesSent();
            case "INPUTS":
                return words.length == 1 ? inputs.get().toLine() : "ERR usage: INPUTS";
            case "NETSTATS":
                return words.length == 1
                        ? KernelUdpCounters.read().toLine()
                        : "ERR usage: NETSTATS";
            case "ECHO":
                if (words.length != 1) {
                    return "ERR usage: ECHO";
                }
                echo = true;
                return "ECHOING";
            case "":
                return "ERR empty line";
            default:
                return "ERR unknown command";
        }
    }
}
