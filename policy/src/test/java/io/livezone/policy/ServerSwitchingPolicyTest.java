package io.livezone.policy;

import static io.livezone.policy.ServiceServerState.ACTIVE;
import static io.livezone.policy.ServiceServerState.DRAINING;
import static io.livezone.policy.ServiceServerState.RESUMING;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livezone.core.InvalidInputException;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

class ServerSwitchingPolicyTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final ServerSwitchingConfig CONFIG = ServerSwitchingConfig.defaults();

    private final ServerSwitchingPolicy policy = new ServerSwitchingPolicy();

    /** One sample every 5 s over the last 30 s, all at {@code cpu}. */
    private static List<CpuSample> steady(double cpu) {
        List<CpuSample> samples = new ArrayList<>();
        for (int s = 0; s < 30; s += 5) {
            samples.add(new CpuSample(NOW.minusSeconds(s), cpu));
        }
        return samples;
    }

    private static ServiceLoadView view(
            List<ServiceServer> servers, List<CpuSample> samples, List<HostCpu> hosts) {
        return new ServiceLoadView(NOW, servers, samples, hosts, NOW.minusSeconds(60));
    }

    private static final List<HostCpu> HOSTS =
            List.of(
                    new HostCpu("h1", 10),
                    new HostCpu("h2", 50),
                    new HostCpu("h3", 5),
                    new HostCpu("h4", 3),
                    new HostCpu("h5", 40));

    @Test
    void sustainedHighCpuResumesEnoughPoolVmsOnTheIdlestHosts() {
        // 2 VMs at 95 %: ceil(2 × 95 / 70) − 2 = 1 more. h4 (3 %) is idlest but already runs vm-a;
        // h2 and h5 are not idle (≥ 30 %); h3 (5 %) is next.
        List<ServiceServer> servers =
                List.of(
                        ServiceServer.on("vm-a", ACTIVE, "h4"),
                        ServiceServer.on("vm-b", ACTIVE, "h5"),
                        ServiceServer.hibernated("vm-d"),
                        ServiceServer.hibernated("vm-c"));

        ServerSwitchingDecision decision = policy.decide(view(servers, steady(95), HOSTS), CONFIG);

        assertThat(decision.resume()).containsExactly(new ServerResume("vm-c", "h3"));
        assertThat(decision.retire()).isEmpty();
        assertThat(decision.reason())
                .isEqualTo(
                        "mean CPU 95.0% over 6 samples on 2 active VM(s) ≥ 90.0%: resume 1 of 1"
                                + " wanted");
    }

    @Test
    void aBigCrowdAsksForSeveralVmsButGetsOnlyAsManyAsThereAreIdleHosts() {
        // 4 VMs at 100 %: ceil(400 / 70) − 4 = 2 wanted; idle and free: h1 and h3 only.
        List<ServiceServer> servers =
                List.of(
                        ServiceServer.on("vm-a", ACTIVE, "h2"),
                        ServiceServer.on("vm-b", ACTIVE, "h4"),
                        ServiceServer.on("vm-e", ACTIVE, "h5"),
                        ServiceServer.on("vm-f", ACTIVE, "h6"),
                        ServiceServer.hibernated("vm-c"),
                        ServiceServer.hibernated("vm-d"),
                        ServiceServer.hibernated("vm-g"));
        List<HostCpu> hosts = new ArrayList<>(HOSTS);
        hosts.add(new HostCpu("h6", 1));
        hosts.set(0, new HostCpu("h1", 29.9));
        ServerSwitchingDecision decision = policy.decide(view(servers, steady(100), hosts), CONFIG);
        assertThat(decision.resume())
                .containsExactly(new ServerResume("vm-c", "h3"), new ServerResume("vm-d", "h1"));

        hosts.set(0, new HostCpu("h1", 30));
        assertThat(policy.decide(view(servers, steady(100), hosts), CONFIG).reason())
                .endsWith("resume 1 of 2 wanted");
    }

    @Test
    void highCpuWithAnEmptyPoolCannotAddCapacity() {
        ServerSwitchingDecision decision =
                policy.decide(
                        view(List.of(ServiceServer.on("vm-a", ACTIVE, "h2")), steady(99), HOSTS),
                        CONFIG);
        assertThat(decision.switches()).isFalse();
        assertThat(decision.reason())
                .isEqualTo(
                        "mean CPU 99.0% over 6 samples on 1 active VM(s) ≥ 90.0%, but the pool has"
                                + " no hibernated VM: cannot add capacity");
    }

    @Test
    void onlyTheMeanOverTheWindowSinceTheLastSwitchCounts() {
        List<ServiceServer> servers =
                List.of(ServiceServer.on("vm-a", ACTIVE, "h2"), ServiceServer.hibernated("vm-b"));
        // Just under the threshold: keep.
        assertThat(policy.decide(view(servers, steady(89.9), HOSTS), CONFIG).switches()).isFalse();
        // A hot minute that ended 31 s ago is outside the window.
        List<CpuSample> samples = new ArrayList<>(steady(50));
        samples.add(new CpuSample(NOW.minusSeconds(31), 100));
        samples.add(new CpuSample(NOW.minusSeconds(60), 100));
        assertThat(policy.decide(view(servers, samples, HOSTS), CONFIG).switches()).isFalse();
        // The set changed 20 s ago: the window is not yet full of samples of this set.
        ServiceLoadView changed =
                new ServiceLoadView(NOW, servers, steady(100), HOSTS, NOW.minusSeconds(20));
        assertThat(policy.decide(changed, CONFIG).reason())
                .isEqualTo(
                        "active set changed at 2026-01-01T11:59:40Z: observing until a whole"
                                + " window of 30 s has passed");
        assertThat(policy.decide(view(servers, List.of(), HOSTS), CONFIG).reason())
                .isEqualTo("no CPU samples in the last 30 s");
    }

    @Test
    void nothingIsDecidedWhileAVmResumesOrDrains() {
        for (ServiceServerState state : List.of(RESUMING, DRAINING)) {
            List<ServiceServer> servers =
                    List.of(
                            ServiceServer.on("vm-a", ACTIVE, "h2"),
                            ServiceServer.on("vm-b", state, "h3"),
                            ServiceServer.hibernated("vm-c"));
            ServerSwitchingDecision decision =
                    policy.decide(view(servers, steady(100), HOSTS), CONFIG);
            assertThat(decision.switches()).isFalse();
            assertThat(decision.reason())
                    .isEqualTo("1 VM(s) resuming or draining: wait until they settle");
        }
    }

    @Test
    void lowCpuRetiresOneVmOnTheBusiestHostWhenTheRestStayUnderTarget() {
        // 3 VMs at 20 %: the other two would run at 30 % < 70. vm-b's host h5 (40 %) is busiest.
        List<ServiceServer> three =
                List.of(
                        ServiceServer.on("vm-a", ACTIVE, "h1"),
                        ServiceServer.on("vm-b", ACTIVE, "h5"),
                        ServiceServer.on("vm-c", ACTIVE, "h3"));
        ServerSwitchingDecision decision = policy.decide(view(three, steady(20), HOSTS), CONFIG);
        assertThat(decision.retire()).containsExactly("vm-b");
        assertThat(decision.resume()).isEmpty();
        assertThat(decision.reason()).endsWith("retire vm-b (the others would run at 30.0%)");

        // Two at 36 % under a low mark of 40: the survivor would run at 72 % ≥ 70, so keep both.
        ServerSwitchingConfig lowAt40 =
                new ServerSwitchingConfig(90, 70, 40, Duration.ofSeconds(30), 30, 1);
        assertThat(policy.decide(view(three.subList(0, 2), steady(36), HOSTS), lowAt40).switches())
                .isFalse();
        // The last VM is never retired.
        assertThat(policy.decide(view(three.subList(0, 1), steady(1), HOSTS), CONFIG).switches())
                .isFalse();
    }

    @Test
    void aServiceBelowItsMinimumIsToppedUpWhateverItsLoad() {
        ServerSwitchingDecision decision =
                policy.decide(
                        view(
                                List.of(
                                        ServiceServer.hibernated("vm-b"),
                                        ServiceServer.hibernated("vm-a")),
                                List.of(),
                                HOSTS),
                        CONFIG);
        assertThat(decision.resume()).containsExactly(new ServerResume("vm-a", "h4"));
        assertThat(decision.reason()).isEqualTo("0 active VM(s) < minimum 1");
    }

    @Test
    void badInputIsRejected() {
        Duration w = Duration.ofSeconds(30);
        assertThatThrownBy(() -> new ServerSwitchingConfig(90, 95, 30, w, 30, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "server switching needs 0 < low < target < high <= 100 % CPU, got low"
                                + " 30.0, target 95.0, high 90.0");
        assertThatThrownBy(() -> new ServerSwitchingConfig(90, 70, -1, w, 30, 1))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ServerSwitchingConfig(90, 70, 30, Duration.ZERO, 30, 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("observation window must be > 0, got PT0S");
        assertThatThrownBy(() -> new ServerSwitchingConfig(90, 70, 30, w, 0, 1))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new ServerSwitchingConfig(90, 70, 30, w, 30, 0))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("a service needs at least 1 active VM, got minActive 0");
        assertThatThrownBy(
                        () ->
                                new ServiceServer(
                                        "vm", ServiceServerState.HIBERNATED, Optional.of("h")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("VM vm is hibernated but said to run on h");
        assertThatThrownBy(() -> new ServiceServer("vm", ACTIVE, Optional.empty()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("VM vm is ACTIVE but has no host");
        assertThatThrownBy(
                        () ->
                                view(
                                        List.of(
                                                ServiceServer.hibernated("vm"),
                                                ServiceServer.hibernated("vm")),
                                        List.of(),
                                        HOSTS))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("VM vm is listed twice");
        assertThatThrownBy(() -> new CpuSample(NOW, -1)).isInstanceOf(InvalidInputException.class);
    }
}
