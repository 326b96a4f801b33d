package io.livezone.dve.server;

import java.io.IOException;
import java.util.Arrays;

/**
 * Guest entry point. Prints exactly one {@code LIVEZONE-ZONE-READY zone=.. tcp=.. udp=..} line on
 * stdout once both sockets listen: the host watches the VM's serial console for it.
 */
public final class ZoneServerMain {
    private ZoneServerMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(ZoneServerOptions.USAGE);
            return;
        }
        ZoneServerOptions options;
        try {
            options = ZoneServerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("zone-server: " + e.getMessage());
            System.err.println(ZoneServerOptions.USAGE);
            System.exit(2);
            return;
        }
        ZoneServer server;
        try {
            server = ZoneServer.start(options);
        } catch (IOException e) {
            System.err.println("zone-server: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "zone-shutdown"));
        System.out.println(server.readyLine());
        System.out.flush();
        server.awaitTermination();
    }
}
