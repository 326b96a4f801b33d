package io.livezone.bench;

import io.livezone.dve.bot.EchoSession;
import io.livezone.lab.LabGateway;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Long-lived TCP sessions through a lab's gateway to the zone server's ECHO facility, each in one
 * of the given client regions (assigned at the gateway by the session's address). A session that
 * breaks is counted and opened again, as a real client would reconnect.
 *
 * <p>Each sends 256 bytes every 50 ms (5 KiB/s), the pace of a chat or trade channel rather than a
 * bulk transfer: the zone server in a TCG guest has one slow vCPU to share with its players.
 */
public final class EchoClients implements AutoCloseable {
    private static final int CHUNK_BYTES = 256;
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** One session's figures over a window. */
    public record Window(int index, String region, EchoSession.Stats stats) {}

    /**
     * All sessions over the whole run.
     *
     * @param failures sessions that broke (reset or closed by the other end)
     * @param reconnects sessions opened again after breaking
     * @param intact every byte of every session came back unchanged, and every session that did not
     *     break finished complete (everything sent came back, checksums equal)
     */
    public record Totals(
            int sessions,
            long failures,
            long resets,
            long reconnects,
            long bytesSent,
            long bytesEchoed,
            long mismatches,
            boolean intact,
            double rttMaxMs,
            List<String> failureReasons) {}

    private final LabGateway gateway;
    private final List<String> regions;
    private final EchoSession[] sessions;
    private long failures;
    private long resets;
    private long reconnects;
    private long brokenBytesSent;
    private long brokenBytesEchoed;
    private long brokenMismatches;
    private double rttMaxMs;
    private final List<String> failureReasons = new ArrayList<>();
    private int seed;

    private EchoClients(LabGateway gateway, List<String> regions, int count) {
        this.gateway = gateway;
        this.regions = List.copyOf(regions);
        this.sessions = new EchoSession[count];
    }

    /** Opens {@code count} sessions through the gateway, region i mod the regions. */
    public static EchoClients open(LabGateway gateway, List<String> regions, int count)
            throws IOException {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("at least one region");
        }
        EchoClients clients = new EchoClients(gateway, regions, count);
        try {
            for (int i = 0; i < count; i++) {
                clients.sessions[i] = clients.connect(i);
            }
        } catch (IOException | RuntimeException e) {
            clients.close();
            throw e;
        }
        return clients;
    }

    public String region(int index) {
        return regions.get(index % regions.size());
    }

    /** Reopens every session that broke; returns how many. */
    public synchronized int reconnectBroken() throws IOException {
        int n = 0;
        for (int i = 0; i < sessions.length; i++) {
            EchoSession.Stats s = sessions[i].stats();
            if (s.failed()) {
                retire(sessions[i], s);
                sessions[i] = connect(i);
                reconnects++;
                n++;
            }
        }
        return n;
    }

    /** Each session's figures since the previous cut. */
    public synchronized List<Window> cutWindows() {
        List<Window> out = new ArrayList<>(sessions.length);
        for (int i = 0; i < sessions.length; i++) {
            EchoSession.Stats s = sessions[i].cutWindow();
            rttMaxMs = Math.max(rttMaxMs, s.chunkRtt().maxMs());
            out.add(new Window(i, region(i), s));
        }
        return out;
    }

    /** Ends every session (waiting for the rest of its echo) and sums up. */
    public synchronized Totals finish(Duration timeout) throws InterruptedException {
        long sent = brokenBytesSent;
        long echoed = brokenBytesEchoed;
        long mismatches = brokenMismatches;
        boolean intact = brokenMismatches == 0;
        for (EchoSession session : sessions) {
            EchoSession.Stats s = session.finish(timeout);
            rttMaxMs = Math.max(rttMaxMs, s.chunkRtt().maxMs());
            sent += s.bytesSent();
            echoed += s.bytesEchoed();
            mismatches += s.mismatches();
            if (s.failed()) {
                count(s);
            }
            intact &= s.complete();
        }
        return new Totals(
                sessions.length,
                failures,
                resets,
                reconnects,
                sent,
                echoed,
                mismatches,
                intact,
                rttMaxMs,
                List.copyOf(failureReasons));
    }

    @Override
    public synchronized void close() {
        for (EchoSession session : sessions) {
            if (session != null) {
                session.close();
            }
        }
    }

    private EchoSession connect(int index) throws IOException {
        EchoSession session =
                EchoSession.open(gateway.endpoint().tcp(), ++seed, CHUNK_BYTES, INTERVAL, TIMEOUT);
        gateway.gateway().assignRegion(session.localAddress(), region(index));
        return session;
    }

    private void retire(EchoSession session, EchoSession.Stats s) {
        count(s);
        brokenBytesSent += s.bytesSent();
        brokenBytesEchoed += s.bytesEchoed();
        brokenMismatches += s.mismatches();
        rttMaxMs = Math.max(rttMaxMs, s.chunkRtt().maxMs());
        session.close();
    }

    private void count(EchoSession.Stats s) {
        failures++;
        if (s.reset()) {
            resets++;
        }
        failureReasons.add(s.failure());
    }
}
