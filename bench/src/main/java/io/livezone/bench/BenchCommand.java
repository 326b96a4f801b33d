package io.livezone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.core.LiveZoneException;
import io.livezone.lab.HostState;
import io.livezone.lab.ScenarioOptions;
import io.livezone.lab.SingleZoneScenario;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code livezone bench ...}: benchmarks that print one JSON object as the last line of stdout. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks (JSON on the last line of stdout).",
        subcommands = {
            BenchCommand.Single.class,
            BenchPlanner.class,
            BenchPlans.class,
            BenchSim.class,
            StorageBench.class,
            BenchContinuity.class,
            BenchFaults.class,
            ImagesBench.class
        })
public final class BenchCommand {

    @Command(
            name = "single",
            mixinStandardHelpOptions = true,
            description =
                    "One zone VM, bots attached, repeated live migrations between two local QEMU"
                            + " instances.")
    static final class Single implements Callable<Integer> {
        @Option(names = "--json", description = "Only JSON on stdout (progress goes to stderr).")
        boolean json;

        @Option(
                names = "--runs",
                defaultValue = "5",
                description = "Migrations (default: ${DEFAULT-VALUE}).")
        int runs;

        @picocli.CommandLine.Mixin ScenarioOptions scenario = new ScenarioOptions();

        @Override
        public Integer call() throws IOException, InterruptedException {
            HostState.requireRoot();
            PrintStream progress = json ? System.err : System.out;
            var settings = scenario.settings(runs);
            double loopbackMbps = LoopbackThroughput.measureMbps(2L << 30);
            progress.printf("loopback TCP throughput: %.0f Mbit/s%n", loopbackMbps);
            var outcome = new SingleZoneScenario(settings, progress).run();

            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("accel", outcome.accelerator());
            out.put("guest_mib", outcome.guestMiB());
            out.put("bots", outcome.bots());
            ArrayNode runsJson = out.putArray("runs");
            long[] downtimes = new long[outcome.runs().size()];
            double[] gaps = new double[outcome.runs().size()];
            boolean allContinuous = true;
            boolean allWithinTotalTarget = true;
            int disconnects = 0;
            int i = 0;
            for (var run : outcome.runs()) {
                var m = run.migration();
                var p = run.players();
                double boundMs =
                        1.5 * (m.transferredBytes() * 8 / 1e6 / loopbackMbps * 1000) + 1000;
                ObjectNode r = runsJson.addObject();
                r.put("total_ms", m.totalMillis());
                r.put("downtime_ms", m.downtimeMillis());
                r.put("pause_to_resume_ms", m.pauseToResumeMillis());
                r.put("transferred_bytes", m.transferredBytes());
                r.put("client_max_gap_ms", round(p.updateGap().maxMs()));
                r.put("client_lost_updates", p.lost());
                r.put("clients_disconnected", p.disconnected());
                r.put("tick_continuity_ok", p.tickContinuityOk());
                r.put("setup_ms", m.setupMillis());
                r.put("wall_ms", m.wallMillis());
                r.put("dirty_sync_rounds", m.dirtySyncCount());
                r.put("throughput_mbps", round(m.throughputMbps()));
                r.put("postcopy_used", m.postcopyUsed());
                r.put("client_rtt_p99_ms", round(p.rtt().p99Ms()));
                r.put("total_time_bound_ms", round(boundMs));
                downtimes[i] = m.downtimeMillis();
                gaps[i++] = p.updateGap().maxMs();
                allContinuous &= p.tickContinuityOk();
                allWithinTotalTarget &= m.totalMillis() <= boundMs;
                disconnects += p.disconnected();
            }
            out.put("loopback_throughput_mbps", round(loopbackMbps));
            out.put("boot_ms", outcome.bootMillis());
            out.put(
                    "median_downtime_ms",
                    median(Arrays.stream(downtimes).asDoubleStream().toArray()));
            out.put("median_client_max_gap_ms", round(median(gaps)));
            ObjectNode targets = out.putObject("targets_met");
            targets.put(
                    "median_downtime_le_30ms",
                    median(Arrays.stream(downtimes).asDoubleStream().toArray()) <= 30);
            targets.put("median_client_max_gap_le_100ms", median(gaps) <= 100);
            // Whole-session figures as well: a disconnect between two migrations counts too.
            targets.put(
                    "zero_disconnects", disconnects == 0 && outcome.overall().disconnected() == 0);
            targets.put(
                    "tick_continuity_every_run",
                    allContinuous && outcome.overall().tickContinuityOk());
            out.put("session_disconnected", outcome.overall().disconnected());
            out.put("session_lost_updates", outcome.overall().lost());
            targets.put("total_time_within_bound", allWithinTotalTarget);
            out.put("host", InetAddress.getLocalHost().getHostName());
            out.put("cores", Runtime.getRuntime().availableProcessors());
            out.put("date", ZonedDateTime.now().toString());
            System.out.println(new ObjectMapper().writeValueAsString(out));
            return 0;
        }

        private static double median(double[] values) {
            if (values.length == 0) {
                throw new LiveZoneException("no runs");
            }
            double[] v = values.clone();
            Arrays.sort(v);
            return v.length % 2 == 1
                    ? v[v.length / 2]
                    : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        private static double round(double v) {
            return Math.round(v * 10) / 10.0;
        }
    }
}
