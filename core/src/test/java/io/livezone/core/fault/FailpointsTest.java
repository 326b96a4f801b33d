package io.livezone.core.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

class FailpointsTest {
    @TempDir Path dir;

    @AfterEach
    void off() {
        System.clearProperty(Failpoints.PROPERTY);
    }

    @Test
    void withoutTheFolderEveryPointPassesAtOnce() {
        Failpoints.reach("agent.switchover");
    }

    @Test
    void anUnarmedPointPasses() {
        System.setProperty(Failpoints.PROPERTY, dir.toString());
        Failpoints.reach("agent.switchover");
        assertThat(dir.resolve("agent.switchover.reached")).doesNotExist();
    }

    @Test
    void anArmedPointHoldsUntilDisarmedAndSaysItWasReached() throws Exception {
        System.setProperty(Failpoints.PROPERTY, dir.toString());
        Files.writeString(dir.resolve("coordinator.commit"), "armed");
        CompletableFuture<Void> held =
                CompletableFuture.runAsync(() -> Failpoints.reach("coordinator.commit"));
        while (!Files.exists(dir.resolve("coordinator.commit.reached"))) {
            assertThat(held).isNotDone();
            Thread.sleep(10);
        }
        assertThat(held).isNotDone();
        Files.delete(dir.resolve("coordinator.commit"));
        held.get(5, TimeUnit.SECONDS);
    }

    @Test
    void namesArePlainFileNames() {
        assertThatThrownBy(() -> Failpoints.reach("../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Failpoints.checked(null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Failpoints.checked("agent.resumed")).isEqualTo("agent.resumed");
    }
}
