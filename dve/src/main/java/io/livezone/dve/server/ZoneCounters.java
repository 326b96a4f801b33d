package io.livezone.dve.server;

/** Point-in-time snapshot of a zone server's counters. */
public record ZoneCounters(
        long tick,
        int sessions,
        long joins,
        long tcpConnections,
        long tcpErrors,
        long udpPacketsReceived,
        long malformedUdpPackets,
        long badTokenPackets,
        long unknownClientPackets,
        long staleInputs,
        long pongsSent,
        long statesSent,
        long udpSendErrors,
        long catchUpTicks,
        long reanchors,
        long echoSessions,
        long echoBytes) {}
