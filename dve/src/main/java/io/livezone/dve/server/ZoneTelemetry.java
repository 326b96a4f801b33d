package io.livezone.dve.server;

import java.util.concurrent.atomic.LongAdder;

/** Live counters updated from several server threads. */
final class ZoneTelemetry {
    final LongAdder joins = new LongAdder();
    final LongAdder tcpConnections = new LongAdder();
    final LongAdder tcpErrors = new LongAdder();
    final LongAdder udpPacketsReceived = new LongAdder();
    final LongAdder malformedUdpPackets = new LongAdder();
    final LongAdder badTokenPackets = new LongAdder();
    final LongAdder unknownClientPackets = new LongAdder();
    final LongAdder staleInputs = new LongAdder();
    final LongAdder pongsSent = new LongAdder();
    final LongAdder statesSent = new LongAdder();
    final LongAdder udpSendErrors = new LongAdder();
    final LongAdder echoSessions = new LongAdder();
    final LongAdder echoBytes = new LongAdder();
}
