package io.nodeincidents.cli;

import io.nodeincidents.broker.KafkaCommand;
import io.nodeincidents.correlate.CorrelateCommand;
import io.nodeincidents.demo.DemoCommand;
import io.nodeincidents.ingest.cli.CommandLines;
import io.nodeincidents.ingest.cli.ReplayCommand;
import io.nodeincidents.ingest.cli.ShipCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code nodeincidents} command line: one entry point for every program the project ships, so operators learn
 * one tool. Each subcommand documents its own options ({@code nodeincidents CMD --help}).
 */
@Command(
        name = "nodeincidents",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        description = "Correlates kernel memory reports (page allocation failures, OOM kills, slab failures) with"
                + " container runtime and kubelet failures across a Kubernetes fleet, and explains them as incidents.",
        subcommands = {
            AnalyzeCommand.class,
            CorrelateCommand.class,
            DemoCommand.class,
            KafkaCommand.class,
            QueryCommand.class,
            ReplayCommand.class,
            ShipCommand.class,
            CommandLine.HelpCommand.class
        })
public final class NodeIncidentsCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // no subcommand given: show what there is, and fail like any usage error
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command.");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and the tests. */
    public static CommandLine commandLine() {
        return CommandLines.create(new NodeIncidentsCommand());
    }
}
