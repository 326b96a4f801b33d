package io.livezone.link;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The process behind {@link DetachedRelay}: {@code <listen-address> <port> <target-socket>
 * <wait-seconds>}. Carries one client's stream, then ends.
 */
public final class DetachedRelayMain {
    private static final Logger log = LoggerFactory.getLogger(DetachedRelayMain.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private DetachedRelayMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println(
                    "usage: DetachedRelayMain <listen-address> <port> <target-socket>"
                            + " <wait-seconds>");
            System.exit(2);
        }
        InetSocketAddress listen =
                new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        Path target = Path.of(args[2]);
        Duration wait = Duration.ofSeconds(Long.parseLong(args[3]));
        Path state = DetachedRelay.stateFileOf(target);
        long pid = ProcessHandle.current().pid();
        TcpToUnixForwarder forwarder = TcpToUnixForwarder.open(listen, target);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    forwarder.close();
                                    removeOwnRecord(state, pid);
                                }));
        Path tmp = state.resolveSibling(state.getFileName() + ".tmp");
        Files.writeString(tmp, pid + " " + forwarder.port() + "\n");
        Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("{}: relaying (pid {})", forwarder.name(), pid);
        long giveUp = System.nanoTime() + wait.toNanos();
        while (true) {
            Thread.sleep(POLL);
            TunnelStats stats = forwarder.stats();
            if (stats.connectionsAccepted() > 0 && stats.connectionsOpen() == 0) {
                log.info(
                        "{}: the stream ended ({} bytes in, {} back)",
                        forwarder.name(),
                        stats.bytesOutbound(),
                        stats.bytesInbound());
                break;
            }
            if (stats.connectionsAccepted() == 0 && System.nanoTime() > giveUp) {
                log.info("{}: no client came within {} s", forwarder.name(), wait.toSeconds());
                break;
            }
        }
        System.exit(0); // the shutdown hook closes the forwarder and removes the record
    }

    private static void removeOwnRecord(Path state, long pid) {
        try {
            if (Files.readString(state).startsWith(pid + " ")) {
                Files.delete(state);
            }
        } catch (IOException e) {
            // gone already, or replaced by a newer relay's record
        }
    }
}
