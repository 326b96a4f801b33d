package io.livezone.dve.server;

import java.io.BufferedInputStream;
import java.io.IOException;
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
 * anything else -&gt; ERR &lt;reason&gt; (the connection stays usable)
 * </pre>
 *
 * The session lives while the connection is open: closing it is leaving.
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
    private ClientSession session;

    ControlConnection(
            Socket socket,
            SessionTable sessions,
            ZoneTelemetry telemetry,
            int udpPort,
            int tickHz,
            Supplier<ZoneCounters> counters) {
        this.socket = socket;
        this.sessions = sessions;
        this.telemetry = telemetry;
        this.udpPort = udpPort;
        this.tickHz = tickHz;
        this.counters = counters;
    }

    @Override
    public void run() {
        try (socket) {
            ControlLineReader reader =
                    new ControlLineReader(
                            new BufferedInputStream(socket.getInputStream()), MAX_LINE);
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
            }
        } catch (IOException e) {
            // Reset or closed by the server on stop: either way the client is gone.
        } finally {
            if (session != null) {
                sessions.close(session);
            }
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
            case "":
                return "ERR empty line";
            default:
                return "ERR unknown command";
        }
    }
}
