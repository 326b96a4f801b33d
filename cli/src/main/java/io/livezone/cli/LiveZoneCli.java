package io.livezone.cli;

import io.livezone.bench.BenchCommand;
import io.livezone.core.InvalidInputException;
import io.livezone.core.LiveZoneException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code livezone} command. */
@Command(
        name = "livezone",
        mixinStandardHelpOptions = true,
        version = "livezone 0.1.0",
        description = "Live migration of game and simulation zones running in QEMU VMs.",
        subcommands = {
            VmCommand.class,
            DemoCommand.class,
            SimCommand.class,
            BenchCommand.class,
            ImageCommand.class,
            io.livezone.cli.cluster.ClusterCommand.class,
            io.livezone.cli.cluster.ZoneCommand.class,
            io.livezone.cli.cluster.PlanCommand.class,
            io.livezone.cli.cluster.PolicyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class LiveZoneCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing command (vm, demo, bench, image, cluster, zone, plan)");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns the exit code: 0 ok, 1 operation failed, 2 bad usage or
     * input.
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new LiveZoneCli());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    if (e instanceof InvalidInputException) {
                        commandLine.getErr().println("livezone: " + e.getMessage());
                        return 2;
                    }
                    if (e instanceof LiveZoneException) {
                        commandLine.getErr().println("livezone: " + e.getMessage());
                        return 1;
                    }
                    throw e;
                });
        return cli.execute(args);
    }
}
