package io.livezone.gateway;

import io.livezone.core.InvalidInputException;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the gateway costs, measured on the loopback interface against a UDP echo "zone":
 *
 * <ol>
 *   <li>Added latency: one probe client alternates round trips straight to the echo and through the
 *       gateway (no load, no emulated delay); the added latency is the difference of the two
 *       distributions' percentiles.
 *   <li>Throughput: {@code clients} simulated clients, each with its own socket (so the gateway
 *       keeps that many sessions and upstream sockets), keep a window of datagrams in flight
 *       through the gateway for the remaining time. The gateway forwards with one thread; the
 *       packet rate is also given per second of that thread's CPU time, which is the per-core
 *       figure when load generator, echo and gateway share few cores.
 * </ol>
 */
public final class GatewayBenchmark {
    private static final int PAYLOAD_BYTES = 64;
    private static final int PROBE_TIMEOUT_MS = 1000;
    private static final long STALL_NANOS = 200_000_000L;
    private static final long DRAIN_NANOS = 500_000_000L;

    private GatewayBenchmark() {}

    /**
     * @param clientRttP50Micros unloaded round-trip percentiles, straight to the echo and through
     *     the gateway; {@code addedLatencyP50Micros} = gateway - direct (per round trip: both
     *     directions through the gateway)
     * @param forwardedPackets datagrams the gateway forwarded in the throughput phase, both
     *     directions
     * @param packetsPerSecond {@code forwardedPackets} per wall-clock second
     * @param packetsPerGatewayCpuSecond {@code forwardedPackets} per second of the gateway thread's
     *     CPU time (NaN if the JVM cannot measure thread CPU time)
     * @param lostPackets datagrams of the throughput phase that never came back (socket buffers
     *     overflowing under load, on the loopback)
     * @param gatewayDrops datagrams the gateway itself counted as dropped (any reason)
     */
    public record Result(
            int clients,
            double throughputSeconds,
            long latencySamples,
            double directP50Micros,
            double directP99Micros,
            double gatewayP50Micros,
            double gatewayP99Micros,
            double addedLatencyP50Micros,
            double addedLatencyP99Micros,
            long forwardedPackets,
            double packetsPerSecond,
            double packetsPerGatewayCpuSecond,
            long lostPackets,
            long gatewayDrops) {}

    /**
     * Runs the benchmark for about {@code seconds} (a quarter for latency, the rest for
     * throughput).
     */
    public static Result run(int clients, int seconds) throws IOException, InterruptedException {
        if (clients < 1 || clients > 10_000) {
            throw new InvalidInputException("clients must be 1..10000, got " + clients);
        }
        if (seconds < 1 || seconds > 3600) {
            throw new InvalidInputException("seconds must be 1..3600, got " + seconds);
        }
        long totalNanos = seconds * 1_000_000_000L;
        try (LoopbackEcho echo = LoopbackEcho.start();
                Gateway gateway = Gateway.start(GatewayConfig.loopback())) {
            ZoneEndpoint endpoint =
                    gateway.addZone("bench", ZoneLocation.of(echo.address(), "local"));
            long[][] rtts = latency(echo.address(), endpoint.udp(), totalNanos / 4);
            Throughput t = throughput(gateway, endpoint.udp(), clients, totalNanos * 3 / 4);
            double dp50 = percentileMicros(rtts[0], 0.50);
            double dp99 = percentileMicros(rtts[0], 0.99);
            double gp50 = percentileMicros(rtts[1], 0.50);
            double gp99 = percentileMicros(rtts[1], 0.99);
            return new Result(
                    clients,
                    t.nanos / 1e9,
                    rtts[1].length,
                    dp50,
                    dp99,
                    gp50,
                    gp99,
                    gp50 - dp50,
                    gp99 - dp99,
                    t.forwarded,
                    t.forwarded / (t.nanos / 1e9),
                    t.cpuNanos > 0 ? t.forwarded / (t.cpuNanos / 1e9) : Double.NaN,
                    t.lost,
                    drops(gateway.traffic("bench")));
        }
    }

    /** Alternating round trips; returns {direct, via gateway} RTTs in nanoseconds. */
    private static long[][] latency(
            InetSocketAddress direct, InetSocketAddress viaGateway, long budgetNanos)
            throws IOException {
        try (DatagramSocket probe =
                new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            probe.setSoTimeout(PROBE_TIMEOUT_MS);
            byte[] out = new byte[PAYLOAD_BYTES];
            byte[] in = new byte[PAYLOAD_BYTES * 2];
            for (int i = 0; i < 2000; i++) { // warm-up: JIT both paths
                roundTrip(probe, direct, out, in);
                roundTrip(probe, viaGateway, out, in);
            }
            List<Long> d = new ArrayList<>();
            List<Long> g = new ArrayList<>();
            long end = System.nanoTime() + budgetNanos;
            while (System.nanoTime() - end < 0) {
                long rd = roundTrip(probe, direct, out, in);
                long rg = roundTrip(probe, viaGateway, out, in);
                if (rd >= 0 && rg >= 0) {
                    d.add(rd);
                    g.add(rg);
                }
            }
            return new long[][] {toArray(d), toArray(g)};
        }
    }

    /** One round trip in nanoseconds; -1 when the datagram was lost. */
    private static long roundTrip(DatagramSocket probe, InetSocketAddress to, byte[] out, byte[] in)
            throws IOException {
        long start = System.nanoTime();
        ByteBuffer.wrap(out).putLong(0, start);
        probe.send(new DatagramPacket(out, out.length, to));
        DatagramPacket reply = new DatagramPacket(in, in.length);
        try {
            while (true) {
                probe.receive(reply);
                if (reply.getLength() == out.length && ByteBuffer.wrap(in).getLong(0) == start) {
                    return System.nanoTime() - start;
                }
            }
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }

    private record Throughput(long nanos, long forwarded, long cpuNanos, long lost) {}

    private static Throughput throughput(
            Gateway gateway, InetSocketAddress endpoint, int clients, long budgetNanos)
            throws IOException {
        List<DatagramChannel> channels = new ArrayList<>(clients);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < clients; i++) {
                DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
                channels.add(c);
                c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                c.connect(endpoint);
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, c);
            }
            // Enough in flight to keep the gateway busy, few enough not to overflow socket buffers.
            int window = Math.min(512, Math.max(8, clients));
            ByteBuffer out = ByteBuffer.allocateDirect(PAYLOAD_BYTES);
            ByteBuffer in = ByteBuffer.allocateDirect(PAYLOAD_BYTES * 2);
            ZoneTraffic before = gateway.traffic("bench");
            long cpuBefore = gateway.loopCpuNanos();
            long start = System.nanoTime();
            long end = start + budgetNanos;
            long lastProgress = start;
            long sent = 0;
            long received = 0;
            long inFlight = 0;
            int next = 0;
            while (System.nanoTime() - end < 0) {
                while (inFlight < window) {
                    out.clear();
                    if (channels.get(next).write(out) == 0) {
                        break;
                    }
                    sent++;
                    inFlight++;
                    next = (next + 1) % clients;
                }
                long got = receive(selector, in, 1);
                received += got;
                inFlight -= got;
                if (got > 0) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL_NANOS) {
                    // Datagrams lost on the way would shrink the window for good: refill it.
                    inFlight = 0;
                    lastProgress = System.nanoTime();
                }
            }
            long nanos = System.nanoTime() - start;
            long cpu = gateway.loopCpuNanos() - cpuBefore;
            ZoneTraffic after = gateway.traffic("bench");
            long forwarded =
                    (after.udpToZone() - before.udpToZone())
                            + (after.udpToClient() - before.udpToClient());
            long drainEnd = System.nanoTime() + DRAIN_NANOS;
            while (received < sent && System.nanoTime() - drainEnd < 0) {
                received += receive(selector, in, 10);
            }
            return new Throughput(nanos, forwarded, cpuBefore < 0 ? -1 : cpu, sent - received);
        } finally {
            for (DatagramChannel c : channels) {
                c.close();
            }
        }
    }

    private static long drops(ZoneTraffic t) {
        return t.droppedMalformed()
                + t.unknownZone()
                + t.droppedHoldOverflow()
                + t.droppedSendFailed()
                + t.droppedForeignSource()
                + t.droppedFlowClosed();
    }

    /** Reads every datagram that arrives within {@code timeoutMillis}; returns how many. */
    private static long receive(Selector selector, ByteBuffer in, long timeoutMillis)
            throws IOException {
        long count = 0;
        if (selector.select(timeoutMillis) > 0) {
            for (SelectionKey key : selector.selectedKeys()) {
                DatagramChannel c = (DatagramChannel) key.attachment();
                in.clear();
                while (c.read(in) > 0) {
                    count++;
                    in.clear();
                }
            }
            selector.selectedKeys().clear();
        }
        return count;
    }

    private static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static double percentileMicros(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1_000.0;
    }
}
