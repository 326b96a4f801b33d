package io.livezone.dve.server;

import java.util.Collection;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The joined clients, by client id. */
final class SessionTable {
    private final ConcurrentHashMap<Integer, ClientSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private InputDelivery closedInputs = InputDelivery.NONE;
    // Tokens only guard against stray or misrouted datagrams, not attackers; SecureRandom is
    // avoided
    // because a freshly booted tiny guest may block on entropy.
    private final SplittableRandom tokens = new SplittableRandom(System.nanoTime() ^ 0x7F4A7C15L);

    ClientSession open(String name) {
        long token;
        synchronized (tokens) {
            token = tokens.nextLong();
        }
        ClientSession session = new ClientSession(nextId.getAndIncrement(), name, token);
        sessions.put(session.clientId, session);
        return session;
    }

    void close(ClientSession session) {
        if (sessions.remove(session.clientId, session)) {
            synchronized (this) {
                closedInputs = closedInputs.plus(session.inputDelivery());
            }
        }
    }

    /** Input delivery of every session, open or closed. */
    InputDelivery inputDelivery() {
        InputDelivery total;
        synchronized (this) {
            total = closedInputs;
        }
        for (ClientSession session : sessions.values()) {
            total = total.plus(session.inputDelivery());
        }
        return total;
    }

    ClientSession get(int clientId) {
        return sessions.get(clientId);
    }

    Collection<ClientSession> all() {
        return sessions.values();
    }

    int size() {
        return sessions.size();
    }
}
