package io.livezone.dve.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Zone server settings. Port 0 means "any free port" (tests); the bound ports are then available
 * from {@link ZoneServer#tcpPort()} / {@link ZoneServer#udpPort()}.
 */
public record ZoneServerOptions(
        String zone, InetAddress bind, int tcpPort, int udpPort, int tickHz) {

    public static final int DEFAULT_TCP_PORT = 7000;
    public static final int DEFAULT_UDP_PORT = 7001;
    public static final int DEFAULT_TICK_HZ = 20;
    public static final int MAX_TICK_HZ = 1000;
    // The zone name ends up in the READY line that the host parses: keep it one plain token.
    private static final Pattern ZONE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static final String USAGE =
            """
            usage: java -cp livezone-dve.jar io.livezone.dve.server.ZoneServerMain --zone NAME
                        [--tcp-port N (default 7000)] [--udp-port N (default 7001)]
                        [--tick-hz N (default 20)] [--bind ADDR (default 0.0.0.0)]\
            """;

    public ZoneServerOptions {
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(bind, "bind");
        if (!ZONE_NAME.matcher(zone).matches()) {
            throw new IllegalArgumentException(
                    "--zone must be 1-64 chars of [A-Za-z0-9._-], got '" + zone + "'");
        }
        checkPort("--tcp-port", tcpPort);
        checkPort("--udp-port", udpPort);
        if (tickHz < 1 || tickHz > MAX_TICK_HZ) {
            throw new IllegalArgumentException(
                    "--tick-hz must be within 1.." + MAX_TICK_HZ + ", got " + tickHz);
        }
    }

    /** Loopback, ephemeral ports, default tick rate: for in-process use and tests. */
    public static ZoneServerOptions loopback(String zone) {
        return new ZoneServerOptions(zone, InetAddress.getLoopbackAddress(), 0, 0, DEFAULT_TICK_HZ);
    }

    public ZoneServerOptions withTickHz(int hz) {
        return new ZoneServerOptions(zone, bind, tcpPort, udpPort, hz);
    }

    /**
     * Parses {@code --name value} or {@code --name=value} options.
     *
     * @throws IllegalArgumentException with a message fit for the user
     */
    public static ZoneServerOptions parse(String... args) {
        String zone = null;
        String bind = "0.0.0.0";
        int tcpPort = DEFAULT_TCP_PORT;
        int udpPort = DEFAULT_UDP_PORT;
        int tickHz = DEFAULT_TICK_HZ;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                value = null;
            }
            switch (name) {
                case "--zone" -> zone = required(name, value);
                case "--bind" -> bind = required(name, value);
                case "--tcp-port" -> tcpPort = integer(name, value);
                case "--udp-port" -> udpPort = integer(name, value);
                case "--tick-hz" -> tickHz = integer(name, value);
                default -> throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
        }
        if (zone == null) {
            throw new IllegalArgumentException("missing required option --zone NAME");
        }
        InetAddress bindAddress;
        try {
            bindAddress = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind: cannot resolve '" + bind + "'");
        }
        ZoneServerOptions options =
                new ZoneServerOptions(zone, bindAddress, tcpPort, udpPort, tickHz);
        if (tcpPort != 0 && tcpPort == udpPort) {
            // Legal for TCP and UDP, but almost certainly a typo in a VM's port-forwarding setup.
            throw new IllegalArgumentException(
                    "--tcp-port and --udp-port must differ, both are " + tcpPort);
        }
        return options;
    }

    private static String required(String name, String value) {
        if (value == null || value.isEmpty() || value.startsWith("--")) {
            throw new IllegalArgumentException(name + " requires a value");
        }
        return value;
    }

    private static int integer(String name, String value) {
        String text = required(name, value);
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects an integer, got '" + text + "'");
        }
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " must be within 0..65535, got " + port);
        }
    }
}
