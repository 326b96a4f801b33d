package io.livezone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.livezone.lab.HostState;
import io.livezone.lab.faults.FaultCell;
import io.livezone.lab.faults.FaultRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code livezone bench faults}: the move transaction under real faults (issue H's matrix). Every
 * cell moves a real zone between two hosts of a local cluster, injects its fault at its phase and
 * judges by the QEMU processes, the players' Redis counter and the disk; see {@link FaultRun}.
 */
@Command(
        name = "faults",
        mixinStandardHelpOptions = true,
        description =
                "Fault injection on real VMs: SIGKILL/SIGSTOP of QEMU, agents, coordinator and"
                        + " gateway, and partitions, at each phase of a move; 0 zones running"
                        + " twice, 0 lost, 0 lost acknowledged writes is the target.")
public final class BenchFaults implements Callable<Integer> {
    @Option(names = "--json", description = "Only JSON on stdout (progress goes to stderr).")
    boolean json;

    @Option(
            names = "--cells",
            split = ",",
            description =
                    "Only these cells: phase/fault ids, phases or faults (e.g."
                            + " precopy/kill-dst-qemu,commit,kill-coordinator); default: all.")
    List<String> cells = new ArrayList<>();

    @Option(names = "--list", description = "List the cells and exit.")
    boolean list;

    @Option(names = "--cluster-root", defaultValue = "/run/livezone/clusters")
    Path root;

    @Override
    public Integer call() throws Exception {
        List<FaultCell> selected = FaultCell.select(cells);
        if (list) {
            selected.forEach(c -> System.out.println(c.id()));
            return 0;
        }
        HostState.requireRoot();
        PrintStream progress = json ? System.err : System.out;
        ObjectMapper mapper = new ObjectMapper();
        List<FaultRun.CellResult> results = new ArrayList<>();
        try (FaultRun run = FaultRun.start(root, progress)) {
            for (FaultCell cell : selected) {
                FaultRun.CellResult r = run.run(cell);
                results.add(r);
                progress.println(mapper.writeValueAsString(r));
            }
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("cells", results.size());
        out.put("passed", results.stream().filter(FaultRun.CellResult::passed).count());
        ArrayNode failed = out.putArray("failed");
        results.stream()
                .filter(r -> !r.passed())
                .forEach(r -> failed.add(r.cell() + ": " + r.reason()));
        out.put(
                "double_running",
                results.stream().filter(FaultRun.CellResult::doubleRunning).count());
        out.put("lost_zones", results.stream().filter(FaultRun.CellResult::lostZone).count());
        out.put(
                "lost_acked_writes",
                results.stream().filter(FaultRun.CellResult::lostAckedWrites).count());
        out.put(
                "destroyed_by_fault",
                results.stream().filter(FaultRun.CellResult::destroysZone).count());
        out.put("seconds", results.stream().mapToLong(FaultRun.CellResult::millis).sum() / 1000);
        out.put("host", InetAddress.getLocalHost().getHostName());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("date", ZonedDateTime.now().toString());
        System.out.println(mapper.writeValueAsString(out));
        return results.stream().allMatch(FaultRun.CellResult::passed) ? 0 : 1;
    }
}
