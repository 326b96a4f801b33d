package io.livezone.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Server switching for flash crowds (vMatrix): a service keeps a pool of hibernated VMs; when the
 * mean CPU of its active VMs stays at or above {@link ServerSwitchingConfig#highCpuPct()} over the
 * window, pool VMs are resumed on idle hosts, and when it stays at or below {@link
 * ServerSwitchingConfig#lowCpuPct()} one VM is taken out of rotation and goes back to the pool.
 *
 * <ul>
 *   <li>Scale-out resumes enough VMs to bring the mean to the target if the load spreads evenly:
 *       {@code ceil(n × mean / target) − n}, at least one, bounded by the pool and by idle hosts
 *       (below {@link ServerSwitchingConfig#idleHostCpuPct()}, running none of the service's VMs,
 *       least loaded first). A saturated VM under-reports demand, so a crowd larger than that
 *       estimate is met over several windows.
 *   <li>Scale-in retires one VM at a time, and only when the others would stay under the target:
 *       {@code mean × n / (n − 1) < target}. It picks the VM on the busiest host, which needs the
 *       CPU back most.
 *   <li>Nothing is decided while a VM is resuming or draining, nor before the active set has been
 *       stable for a whole window: samples from before a switch describe a different set.
 * </ul>
 *
 * <p>Stateless and pure: the same view and config always give the same decision.
 */
public final class ServerSwitchingPolicy {

    public ServerSwitchingDecision decide(ServiceLoadView view, ServerSwitchingConfig config) {
        Objects.requireNonNull(view, "view is null");
        Objects.requireNonNull(config, "config is null");
        List<ServiceServer> active = inState(view, ServiceServerState.ACTIVE);
        List<ServiceServer> pool = inState(view, ServiceServerState.HIBERNATED);
        long switching =
                view.servers().stream()
                        .filter(
                                s ->
                                        s.state() == ServiceServerState.RESUMING
                                                || s.state() == ServiceServerState.DRAINING)
                        .count();
        if (switching > 0) {
            return keep(switching + " VM(s) resuming or draining: wait until they settle");
        }
        int n = active.size();
        if (n < config.minActive()) {
            List<ServerResume> resume = placements(view, pool, config.minActive() - n, config);
            return resume.isEmpty()
                    ? keep(
                            n
                                    + " active VM(s) < minimum "
                                    + config.minActive()
                                    + ", but no hibernated VM or idle host is left")
                    : new ServerSwitchingDecision(
                            resume, List.of(), n + " active VM(s) < minimum " + config.minActive());
        }
        Instant windowStart = view.now().minus(config.window());
        if (view.stableSince().isAfter(windowStart)) {
            return keep(
                    "active set changed at "
                            + view.stableSince()
                            + ": observing until a whole window of "
                            + config.window().toSeconds()
                            + " s has passed");
        }
        double sum = 0;
        int count = 0;
        for (CpuSample sample : view.samples()) {
            if (sample.at().isAfter(windowStart) && !sample.at().isAfter(view.now())) {
                sum += sample.cpuPct();
                count++;
            }
        }
        if (count == 0) {
            return keep("no CPU samples in the last " + config.window().toSeconds() + " s");
        }
        double mean = sum / count;
        String observed =
                String.format(
                        Locale.ROOT,
                        "mean CPU %.1f%% over %d samples on %d active VM(s)",
                        mean,
                        count,
                        n);
        if (mean >= config.highCpuPct()) {
            int wanted = Math.max(1, (int) Math.ceil(n * mean / config.targetCpuPct()) - n);
            List<ServerResume> resume = placements(view, pool, wanted, config);
            if (resume.isEmpty()) {
                return keep(
                        observed
                                + " ≥ "
                                + Percent.format(config.highCpuPct())
                                + ", but "
                                + (pool.isEmpty()
                                        ? "the pool has no hibernated VM"
                                        : "no host is idle")
                                + ": cannot add capacity");
            }
            return new ServerSwitchingDecision(
                    resume,
                    List.of(),
                    observed
                            + " ≥ "
                            + Percent.format(config.highCpuPct())
                            + ": resume "
                            + resume.size()
                            + " of "
                            + wanted
                            + " wanted");
        }
        if (mean <= config.lowCpuPct() && n > config.minActive()) {
            double projected = mean * n / (n - 1);
            if (projected < config.targetCpuPct()) {
                Map<String, Double> hostCpu =
                        view.hosts().stream()
                                .collect(Collectors.toMap(HostCpu::hostId, HostCpu::cpuPct));
                ServiceServer retire =
                        active.stream()
                                .max(
                                        Comparator.<ServiceServer>comparingDouble(
                                                        s ->
                                                                hostCpu.getOrDefault(
                                                                        s.hostId().get(), 0.0))
                                                .thenComparing(ServiceServer::vmId))
                                .orElseThrow();
                return new ServerSwitchingDecision(
                        List.of(),
                        List.of(retire.vmId()),
                        observed
                                + " ≤ "
                                + Percent.format(config.lowCpuPct())
                                + ": retire "
                                + retire.vmId()
                                + String.format(
                                        Locale.ROOT,
                                        " (the others would run at %.1f%%)",
                                        projected));
            }
        }
        return keep(observed + ": keep the active set");
    }

    private static List<ServiceServer> inState(ServiceLoadView view, ServiceServerState state) {
        return view.servers().stream()
                .filter(s -> s.state() == state)
                .sorted(Comparator.comparing(ServiceServer::vmId))
                .toList();
    }

    /** Pairs pool VMs (by id) with idle hosts (least loaded first), up to {@code wanted}. */
    private static List<ServerResume> placements(
            ServiceLoadView view,
            List<ServiceServer> pool,
            int wanted,
            ServerSwitchingConfig config) {
        Set<String> busy = new HashSet<>();
        for (ServiceServer server : view.servers()) {
            server.hostId().ifPresent(busy::add);
        }
        List<HostCpu> idle =
                view.hosts().stream()
                        .filter(h -> h.cpuPct() < config.idleHostCpuPct())
                        .filter(h -> !busy.contains(h.hostId()))
                        .sorted(
                                Comparator.comparingDouble(HostCpu::cpuPct)
                                        .thenComparing(HostCpu::hostId))
                        .toList();
        List<ServerResume> resume = new ArrayList<>();
        for (int i = 0; i < Math.min(wanted, Math.min(pool.size(), idle.size())); i++) {
            resume.add(new ServerResume(pool.get(i).vmId(), idle.get(i).hostId()));
        }
        return resume;
    }

    private static ServerSwitchingDecision keep(String reason) {
        return new ServerSwitchingDecision(List.of(), List.of(), reason);
    }
}
