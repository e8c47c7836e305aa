package io.nodeincidents.ingest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The shipper image's command line: {@code ship} and {@code replay} only, from the ingest jars alone (no Kafka
 * Streams, RocksDB or broker), so the image on every node stays small. The full {@code nodeincidents} command line
 * offers the same two commands.
 */
@Command(
        name = "nodeincidents",
        mixinStandardHelpOptions = true,
        description = "Ships journal entries into Kafka: ship follows journald, replay sends saved logs.",
        subcommands = {ShipCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class IngestCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command.");
    }

    public static void main(String[] args) {
        System.exit(CommandLines.create(new IngestCommand()).execute(args));
    }
}
