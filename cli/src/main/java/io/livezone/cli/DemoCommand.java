package io.livezone.cli;

import io.livezone.lab.HostState;
import io.livezone.lab.ScenarioOptions;
import io.livezone.lab.SingleZoneScenario;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code livezone demo}: the local multi-host cluster with players attached and migration plans
 * across sites; {@code --single} runs the one-host foundation demo instead.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Start a local cluster (3 hosts, 2 sites), boot two zones with bots, run"
                        + " migration plans across and within sites, show what players felt,"
                        + " clean up. --single: one zone, repeated local migrations.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--migrations",
            defaultValue = "3",
            description = "Live migrations (default: ${DEFAULT-VALUE}).")
    int migrations;

    @Option(names = "--single", description = "The one-host demo: repeated local migrations.")
    boolean single;

    @picocli.CommandLine.Mixin ScenarioOptions scenario = new ScenarioOptions();

    @Override
    public Integer call() throws Exception {
        HostState.requireRoot();
        if (!single) {
            new ClusterDemo(System.out, 8, 192).run();
            return 0;
        }
        var settings = scenario.settings(migrations);
        var outcome = new SingleZoneScenario(settings, System.out).run();
        System.out.println();
        System.out.println(
                "What the players experienced ("
                        + outcome.bots()
                        + " bots, "
                        + outcome.guestMiB()
                        + " MiB guest, "
                        + outcome.accelerator()
                        + "):");
        System.out.printf(
                "%4s %9s %12s %16s %9s %11s %6s %12s %11s%n",
                "run",
                "total ms",
                "downtime ms",
                "pause->resume ms",
                "MB sent",
                "max gap ms",
                "lost",
                "disconnects",
                "continuity");
        int i = 1;
        for (var run : outcome.runs()) {
            var m = run.migration();
            var p = run.players();
            System.out.printf(
                    "%4d %9d %12d %16d %9.1f %11.0f %6d %12d %11s%n",
                    i++,
                    m.totalMillis(),
                    m.downtimeMillis(),
                    m.pauseToResumeMillis(),
                    m.transferredBytes() / 1e6,
                    p.updateGap().maxMs(),
                    p.lost(),
                    p.disconnected(),
                    p.tickContinuityOk() ? "ok" : "BROKEN");
        }
        var all = outcome.overall();
        System.out.printf(
                "%nWhole session: rtt p50 %.1f ms / p99 %.1f ms / max %.1f ms; update gap p50 %.1f"
                    + " ms / p99 %.1f ms / max %.1f ms; %d updates, %d lost, %d disconnected; tick"
                    + " continuity %s%n",
                all.rtt().p50Ms(),
                all.rtt().p99Ms(),
                all.rtt().maxMs(),
                all.updateGap().p50Ms(),
                all.updateGap().p99Ms(),
                all.updateGap().maxMs(),
                all.updatesReceived(),
                all.lost(),
                all.disconnected(),
                all.tickContinuityOk() ? "ok" : "BROKEN");
        System.out.println(
                "Everything the demo created (VMs, taps, bridge, namespace, files) has been"
                        + " removed.");
        return 0;
    }
}
