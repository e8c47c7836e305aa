package io.nodeincidents.broker;

import io.nodeincidents.process.StopSignals;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kafka}: runs a local single-node Kafka broker (see {@link LocalKafka}) until Ctrl-C or SIGTERM, for trying
 * the pipeline on one machine. Exit status: 0 after a clean stop, 2 for a usage error or a port already in use,
 * 1 when Kafka fails to start.
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        versionProvider = KafkaCommand.KafkaVersion.class,
        description = "Runs a local single-node Kafka broker (KRaft, broker and controller in this process) on "
                + "127.0.0.1 until Ctrl-C or SIGTERM. For trying nodeincidents on one machine, not for production.",
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {
            "0:stopped cleanly by Ctrl-C or SIGTERM",
            "1:Kafka failed to start",
            "2:bad option, or a port already in use%n"})
public final class KafkaCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Port for Kafka clients on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the KRaft controller listener on 127.0.0.1. Clients never use it; "
                    + "0 (default) picks a free port at each start.")
    int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where Kafka keeps its topics and records. It is kept when the broker stops, so topics "
                    + "and records are still there at the next start; delete it to start empty. "
                    + "Default: nodeincidents-kafka-PORT in the system temp directory (${sys:java.io.tmpdir}).")
    Path dataDir;

    @Option(names = "--partitions", defaultValue = "1", paramLabel = "N",
            description = "Partitions of a topic created automatically on first use (default: ${DEFAULT-VALUE}).")
    int partitions;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LocalKafka.Settings settings = settings();
        LocalKafka kafka;
        try {
            kafka = LocalKafka.start(settings);
        } catch (PortUnavailableException e) {
            String option = e.port() == controllerPort && e.port() != port ? "--controller-port" : "--port";
            err.println("kafka: port " + e.port() + " on " + LocalKafka.HOST
                    + " is already in use (another Kafka running?); choose another with " + option + ".");
            err.flush();
            return EXIT_USAGE;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println("kafka: " + e.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Handling INT and TERM ourselves (instead of only a shutdown hook) lets a Ctrl-C end with status 0, not 130.
        Runnable restoreSignals = StopSignals.install(stopRequested::countDown);
        // Still stop cleanly if the JVM exits another way (System.exit elsewhere, signals not deliverable to us).
        Thread hook = new Thread(kafka::close, "kafka-command-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Kafka broker ready at " + kafka.bootstrapServers() + " (KRaft, data in " + kafka.dataDir()
                + "). Ctrl-C stops it.");
        out.flush();
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            kafka.close();
            restoreSignals.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran; close() is idempotent
            }
        }
        out.println("Kafka broker stopped.");
        out.flush();
        return EXIT_OK;
    }

    private LocalKafka.Settings settings() {
        if (port < 1 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 1..65535, was " + port);
        }
        if (controllerPort < 0 || controllerPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--controller-port must be 0..65535, was " + controllerPort);
        }
        if (controllerPort == port) {
            throw new ParameterException(spec.commandLine(), "--controller-port must differ from --port");
        }
        if (partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1, was " + partitions);
        }
        Path dir = dataDir != null ? dataDir
                : Path.of(System.getProperty("java.io.tmpdir"), "nodeincidents-kafka-" + port);
        return LocalKafka.Settings.defaults()
                .withBrokerPort(port)
                .withControllerPort(controllerPort)
                .withDataDir(dir)
                .withDefaultPartitions(partitions);
    }

    /** The version of the Kafka jars this broker runs. */
    static final class KafkaVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Kafka " + AppInfoParser.getVersion() + " (KRaft, in-process)"};
        }
    }
}
