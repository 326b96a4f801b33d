package io.livezone.coordinator;

import io.livezone.coordinator.api.CoordinatorServer;
import io.livezone.coordinator.plan.Dispatchers;
import io.livezone.coordinator.registry.HostRecord;
import io.livezone.coordinator.registry.Store;
import io.livezone.core.InvalidInputException;
import io.livezone.core.Ipv4Interface;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The coordinator process: registry, API and plan execution over an embedded database. */
@Command(name = "livezone-coordinator", mixinStandardHelpOptions = true)
public final class CoordinatorMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

    /** Exit status when the database fails a write (sysexits' EX_IOERR). */
    static final int STORE_FAILED = 74;

    @Option(names = "--address", required = true)
    String address;

    @Option(names = "--port", defaultValue = "7600")
    int port;

    @Option(names = "--token-file", required = true)
    Path tokenFile;

    @Option(names = "--db", required = true, description = "database file (without .mv.db)")
    Path db;

    @Option(names = "--config", description = "cluster YAML: sites, hosts, links")
    Path config;

    @Option(
            names = "--zone-gateway",
            required = true,
            description = "zone network gateway, e.g. 10.213.5.1/24")
    String zoneGateway;

    @Option(names = "--heartbeat-timeout-ms", defaultValue = "5000")
    long heartbeatTimeoutMillis;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CoordinatorMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (heartbeatTimeoutMillis < 500) {
            throw new InvalidInputException("--heartbeat-timeout-ms must be at least 500");
        }
        String token = Files.readString(tokenFile).strip();
        ClusterConfig cluster = config == null ? null : ClusterConfig.read(config);
        CountDownLatch stop = new CountDownLatch(1);
        Store store = Store.open(db);
        // Fail-stop: an intent that cannot be stored must not be acted on. The restarted
        // coordinator settles every move from what the hosts' QEMU processes report.
        store.onStoreFailure(
                e -> {
                    log.error(
                            "the coordinator database cannot be written ({}); stopping now. Free"
                                    + " its disk and start the coordinator again: it settles every"
                                    + " move in flight from the hosts",
                            e.getMessage());
                    Runtime.getRuntime().halt(STORE_FAILED);
                });
        try (Coordinator c =
                        new Coordinator(
                                store,
                                Ipv4Interface.parse(zoneGateway),
                                heartbeatTimeoutMillis,
                                Coordinator.httpAgents(token),
                                Dispatchers::create);
                CoordinatorServer server =
                        new CoordinatorServer(
                                new InetSocketAddress(InetAddress.getByName(address), port),
                                token,
                                c)) {
            if (cluster != null) {
                c.apply(cluster);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            log.info("coordinator serving on http://{}:{}", address, port);
            // Plans left running by a previous coordinator continue once the agents have reported.
            long deadline = System.currentTimeMillis() + 3 * heartbeatTimeoutMillis;
            while (System.currentTimeMillis() < deadline
                    && c.registry().hosts().stream()
                            .anyMatch(h -> h.state() != HostRecord.HostState.UP)) {
                Thread.sleep(200);
            }
            c.recover();
            stop.await();
        }
        return 0;
    }
}
