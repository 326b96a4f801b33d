package io.livezone.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;
import io.livezone.core.MigrationReport;
import io.livezone.core.cluster.AgentGateway;
import io.livezone.core.cluster.AgentJobLostException;
import io.livezone.core.cluster.HttpAgentGateway;
import io.livezone.core.cluster.IncomingTicket;
import io.livezone.core.cluster.LinkSettings;
import io.livezone.core.cluster.MigrateOutRequest;
import io.livezone.core.cluster.MigrationSettings;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A migration outlasts any one HTTP request: the coordinator's client starts it as a job on the
 * agent and asks after it, so what bounds the wait is the migration's own deadline. Here every
 * request times out after 1 s and migrations take longer.
 */
class LongOperationsOverHttpTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final HttpAgentGateway.Timing SHORT =
            new HttpAgentGateway.Timing(
                    Duration.ofSeconds(1),
                    Duration.ofMillis(50),
                    Duration.ofSeconds(1),
                    Duration.ofMillis(300));
    private static final MigrateOutRequest REQUEST =
            new MigrateOutRequest(
                    new IncomingTicket("arena", "eu", "10.0.0.2", 7000),
                    MigrationSettings.DEFAULT,
                    LinkSettings.NONE);

    private AgentServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aMigrationLongerThanTheRequestTimeoutCompletesThroughItsJob() {
        AgentGateway client =
                serve(
                        (zone, request) -> {
                            sleep(Duration.ofMillis(3000));
                            return report(zone);
                        },
                        Duration.ofMinutes(1));
        long t0 = System.nanoTime();
        MigrationReport report = client.migrateOut("arena", REQUEST);
        assertThat(report.zone()).isEqualTo("arena");
        assertThat(report.transferredBytes()).isEqualTo(42);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(3000));
    }

    @Test
    void aFailedMigrationThrowsWhatTheCallWouldHaveThrown() {
        AgentGateway client =
                serve(
                        (zone, request) -> {
                            sleep(Duration.ofMillis(1500));
                            throw ApiException.conflict("zone 'arena' is already migrating out");
                        },
                        Duration.ofMinutes(1));
        assertThatThrownBy(() -> client.migrateOut("arena", REQUEST))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(409))
                .hasMessageContaining("already migrating out");

        AgentGateway invalid =
                serve(
                        (zone, request) -> {
                            throw new InvalidInputException("ticket is for zone 'lobby'");
                        },
                        Duration.ofMinutes(1));
        assertThatThrownBy(() -> invalid.migrateOut("arena", REQUEST))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void aMigrationPastItsDeadlineIsGivenUpOn() {
        AgentGateway client =
                serve(
                        (zone, request) -> {
                            sleep(Duration.ofSeconds(10));
                            return report(zone);
                        },
                        Duration.ofMillis(500));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.migrateOut("arena", REQUEST))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(504))
                .hasMessageContaining("deadline");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void aJobWhoseAgentRestartedIsReportedLost() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AgentGateway client =
                serve(
                        (zone, request) -> {
                            started.countDown();
                            sleep(Duration.ofSeconds(30));
                            return report(zone);
                        },
                        Duration.ofMinutes(1));
        int port = server.address().getPort();
        CompletableFuture<MigrationReport> migration =
                CompletableFuture.supplyAsync(() -> client.migrateOut("arena", REQUEST));
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300); // the 202 reaches the client, which asks after the job from then on

        // The agent process dies and a new one serves on the same address: it knows no jobs.
        server.close();
        server =
                new AgentServer(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                        TOKEN,
                        fake((zone, request) -> report(zone)),
                        new AgentJobs(),
                        (zone, settings) -> Duration.ofMinutes(1));

        assertThatThrownBy(() -> migration.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(AgentJobLostException.class)
                .hasMessageContaining("unknown to the agent");
    }

    private interface MigrateOut {
        MigrationReport migrate(String zone, MigrateOutRequest request);
    }

    private AgentGateway serve(MigrateOut migrate, Duration deadline) {
        if (server != null) {
            server.close();
        }
        server =
                new AgentServer(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TOKEN,
                        fake(migrate),
                        new AgentJobs(),
                        (zone, settings) -> deadline);
        return new HttpAgentGateway(
                URI.create("http://127.0.0.1:" + server.address().getPort()), TOKEN, SHORT);
    }

    /** An agent that only migrates out. */
    private static AgentGateway fake(MigrateOut migrate) {
        AtomicReference<MigrateOut> m = new AtomicReference<>(migrate);
        return (AgentGateway)
                Proxy.newProxyInstance(
                        AgentGateway.class.getClassLoader(),
                        new Class<?>[] {AgentGateway.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("migrateOut")) {
                                return m.get()
                                        .migrate((String) args[0], (MigrateOutRequest) args[1]);
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
    }

    private static MigrationReport report(String zone) {
        return new MigrationReport(zone, "i1", "remote", 1, 2, 3, 4, 5, 0, 42, 1, 1.0, false, 0);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
