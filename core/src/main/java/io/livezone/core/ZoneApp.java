package io.livezone.core;

/** The zone server the guest runs: its ports and tick rate (passed on the kernel command line). */
public record ZoneApp(int tcpPort, int udpPort, int tickHz) {
    public static final ZoneApp DEFAULT = new ZoneApp(7000, 7001, 20);

    public ZoneApp {
        checkPort("tcp", tcpPort);
        checkPort("udp", udpPort);
        if (tickHz < 1 || tickHz > 1000) {
            throw new InvalidInputException("tick rate must be 1..1000 Hz, got " + tickHz);
        }
    }

    private static void checkPort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidInputException(what + " port must be 1..65535, got " + port);
        }
    }
}
