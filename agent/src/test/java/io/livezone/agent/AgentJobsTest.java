package io.livezone.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.livezone.core.cluster.AgentJob;
import io.livezone.core.http.ApiException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's job table: outcomes as the HTTP API would answer them, expiry, unknown jobs. */
class AgentJobsTest {
    private final AtomicLong now = new AtomicLong();
    private final AgentJobs jobs = new AgentJobs(Duration.ofMinutes(10), now::get);

    @Test
    void aJobAnswersAtOnceAndLaterCarriesItsResult() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AgentJob started =
                jobs.start(
                        "suspend",
                        "arena",
                        Duration.ofMinutes(12),
                        () -> {
                            go.await();
                            return Map.of("zone", "arena");
                        });
        assertThat(started.state()).isEqualTo(AgentJob.State.RUNNING);
        assertThat(started.deadlineMillis()).isEqualTo(12 * 60_000);
        assertThat(jobs.get(started.id()).finished()).isFalse();

        go.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.get(started.id()).finished());
        AgentJob done = jobs.get(started.id());
        assertThat(done.state()).isEqualTo(AgentJob.State.DONE);
        assertThat(done.result().path("zone").asText()).isEqualTo("arena");
    }

    @Test
    void aFailedJobCarriesTheStatusItsCallWouldHaveAnswered() {
        AgentJob started =
                jobs.start(
                        "migrate-out",
                        "arena",
                        Duration.ofMinutes(1),
                        () -> {
                            throw ApiException.conflict("zone 'arena' is already migrating out");
                        });
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.get(started.id()).finished());
        AgentJob failed = jobs.get(started.id());
        assertThat(failed.state()).isEqualTo(AgentJob.State.FAILED);
        assertThat(failed.failure().status()).isEqualTo(409);
        assertThat(failed.failure().message()).contains("already migrating out");
    }

    @Test
    void finishedJobsAreForgottenAfterAWhileRunningOnesNever() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AgentJob quick = jobs.start("suspend", "a", Duration.ofMinutes(1), () -> null);
        AgentJob slow =
                jobs.start(
                        "suspend",
                        "b",
                        Duration.ofMinutes(1),
                        () -> {
                            go.await();
                            return null;
                        });
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.get(quick.id()).finished());

        now.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(jobs.get(quick.id()).state()).isEqualTo(AgentJob.State.DONE);
        now.addAndGet(Duration.ofMinutes(2).toNanos());
        assertThatThrownBy(() -> jobs.get(quick.id()))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("no job " + quick.id());
        assertThat(jobs.get(slow.id()).state()).isEqualTo(AgentJob.State.RUNNING);
        go.countDown();
    }

    @Test
    void anotherAgentProcessKnowsNoneOfThisOnesJobs() {
        AgentJob mine = jobs.start("suspend", "a", Duration.ofMinutes(1), () -> null);
        AgentJobs restarted = new AgentJobs(Duration.ofMinutes(10), now::get);
        AgentJob theirs = restarted.start("suspend", "a", Duration.ofMinutes(1), () -> null);
        assertThat(theirs.id()).isNotEqualTo(mine.id());
        assertThatThrownBy(() -> restarted.get(mine.id()))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }
}
