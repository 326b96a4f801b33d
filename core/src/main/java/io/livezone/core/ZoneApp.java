package io.livezone.core;

/**
 * What the guest runs: the zone server's ports and tick rate, and optionally Debian's Redis server
 * beside it (all passed on the kernel command line).
 *
 * @param redisPort TCP port of the guest's unmodified Redis server; 0: not started
 */
public record ZoneApp(int tcpPort, int udpPort, int tickHz, int redisPort) {
    public static final ZoneApp DEFAULT = new ZoneApp(7000, 7001, 20);

    public ZoneApp {
        checkPort("tcp", tcpPort);
        checkPort("udp", udpPort);
        if (tickHz < 1 || tickHz > 1000) {
            throw new InvalidInputException("tick rate must be 1..1000 Hz, got " + tickHz);
        }
        if (redisPort != 0) {
            checkPort("redis", redisPort);
            if (redisPort == tcpPort) {
                throw new InvalidInputException(
                        "redis port " + redisPort + " is the zone server's tcp port");
            }
        }
    }

    /** The zone server alone. */
    public ZoneApp(int tcpPort, int udpPort, int tickHz) {
        this(tcpPort, udpPort, tickHz, 0);
    }

    /** The same, with Debian's Redis server listening on {@code port} (0: none). */
    public ZoneApp withRedis(int port) {
        return new ZoneApp(tcpPort, udpPort, tickHz, port);
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidInputException(what + " port must be 1..65535, got " + port);
        }
    }
}
