package io.livezone.coordinator.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.livezone.coordinator.plan.MoveRecord;
import io.livezone.coordinator.plan.MoveRecord.MoveState;
import io.livezone.coordinator.plan.PlanRecord;
import io.livezone.coordinator.plan.PlanRecord.PlanState;
import io.livezone.core.cluster.MigrationSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the store acknowledged survives a SIGKILL of its process: a child JVM writes a plan and a
 * move's commit, says so, and is killed at once (no shutdown hook, no close).
 */
class StoreKillTest {
    @TempDir Path dir;

    /** The child: writes, acknowledges on stdout, then waits to be killed. */
    public static void main(String[] args) throws Exception {
        Store s = Store.open(Path.of(args[0]));
        PlanRecord plan =
                s.insertPlan(
                        new PlanRecord(
                                0,
                                "sequential",
                                PlanState.RUNNING,
                                MigrationSettings.DEFAULT,
                                0,
                                1000,
                                0,
                                List.of(
                                        MoveRecord.pending("a", "h1", "h2"),
                                        MoveRecord.pending("b", "h1", "h3"))));
        s.putMove(plan.id(), 0, MoveRecord.pending("a", "h1", "h2").in(MoveState.COMMITTING));
        System.out.println("acknowledged " + plan.id());
        System.out.flush();
        Thread.sleep(60_000);
    }

    @Test
    void anAcknowledgedPlanAndCommitSurviveSigkill() throws Exception {
        Path db = dir.resolve("coordinator");
        Process child =
                new ProcessBuilder(
                                ProcessHandle.current().info().command().orElse("java"),
                                "-cp",
                                System.getProperty("java.class.path"),
                                StoreKillTest.class.getName(),
                                db.toString())
                        .redirectErrorStream(true)
                        .start();
        String line;
        try (var out =
                new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("acknowledged "));
            child.destroyForcibly(); // SIGKILL: nothing flushed on the way out
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(line).as("the child's acknowledgement").isNotNull();
        long id = Long.parseLong(line.substring("acknowledged ".length()));

        Store reopened = Store.open(db);
        try {
            PlanRecord plan =
                    reopened.plans().stream().filter(p -> p.id() == id).findFirst().orElseThrow();
            assertThat(plan.moves()).hasSize(2);
            assertThat(plan.moves().get(0).state()).isEqualTo(MoveState.COMMITTING);
            assertThat(plan.moves().get(1).zone()).isEqualTo("b");
        } finally {
            reopened.close();
        }
    }
}
