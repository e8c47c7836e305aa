package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.Redaction;
import io.nodeincidents.config.ConfigSources;
import io.nodeincidents.config.DocumentedOptions;
import io.nodeincidents.ingest.cursor.CursorStore;
import io.nodeincidents.ingest.entries.JournalLineDecoder;
import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.ingest.journal.Journalctl;
import io.nodeincidents.ingest.journal.JournalctlInvocation.JournalSource;
import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.ingest.ship.JournalShipper;
import io.nodeincidents.ingest.ship.MetricsEndpoint;
import io.nodeincidents.ingest.ship.NodeMemorySampling;
import io.nodeincidents.ingest.ship.ShipperMetrics;
import io.nodeincidents.ingest.ship.ShipperSettings;
import io.nodeincidents.nodememory.NodeMemorySampler;
import io.nodeincidents.process.StopSignals;
import io.nodeincidents.registry.SpecificAvroSerializer;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nodeincidents ship}: follows journald through journalctl into journal.entries. */
@Command(name = "ship", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Follows the journal with journalctl (-o json --follow) and produces JournalEntry records keyed"
                + " by host to journal.entries, and every ship.memory.sample.interval.ms a NodeMemorySample of the"
                + " node's memory (buddyinfo, zoneinfo, vmstat, ...) to node.memory. The cursor file is written only after Kafka acknowledged every entry"
                + " up to it: after a crash a restart loses nothing and repeats at most what was in flight. SIGTERM"
                + " or Ctrl-C waits for entries in flight, saves the cursor and exits 0. Metrics: Prometheus text at"
                + " http://ADDRESS:PORT/metrics, last saved cursor at /cursor.",
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:stopped by SIGTERM/SIGINT, or --no-follow finished", "1:failed at run time",
                        "2:usage or configuration error"},
        footerHeading = "%nSettings (--config file, NODEINCIDENTS_* environment, -X KEY=VALUE):%n")
public final class ShipCommand implements Callable<Integer>, DocumentedOptions {

    @Option(names = "--directory", paramLabel = "DIR",
            description = "Read the journal in DIR (e.g. the host's /var/log/journal mounted into a pod).")
    Path directory;

    @Option(names = "--file", paramLabel = "FILE", description = "Read these journal files. Repeatable.")
    List<Path> files;

    @Option(names = "--cursor-file", paramLabel = "FILE", defaultValue = "/var/lib/nodeincidents/ship.cursor",
            description = "Where the acknowledged position is kept (default: ${DEFAULT-VALUE}).")
    Path cursorFile;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "Without a saved cursor, start at this time (any journalctl --since form, e.g. -1h)."
                    + " Default: from the newest entry on.")
    String since;

    @Option(names = "--from-beginning", description = "Without a saved cursor, start at the oldest entry.")
    boolean fromBeginning;

    @Option(names = "--all", description = "Ship every entry, not only the kernel, container runtimes and kubelet.")
    boolean all;

    @Option(names = "--no-follow", description = "Ship what the journal holds now, then exit.")
    boolean noFollow;

    @Mixin
    KafkaClientOptions kafka;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(CommandLines.create(new ShipCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> settings;
        ShipperSettings ship;
        JournalFilter filter;
        try {
            settings = kafka.settings(System.getenv());
            ship = new ShipperSettings(settings);
            filter = ship.filter(all);
        } catch (ConfigSources.ConfigException | ConfigException | IllegalArgumentException e) {
            err.println("ship: " + Redaction.text(e.getMessage()));
            return 2;
        }
        if (filter.matchesNothing()) {
            err.println("ship: the filter matches nothing (no kernel, identifiers or units); use --all to ship all");
            return 2;
        }
        if (directory != null && files != null) {
            err.println("ship: give --directory or --file, not both");
            return 2;
        }
        if (since != null && fromBeginning) {
            err.println("ship: give --since or --from-beginning, not both");
            return 2;
        }
        if (directory != null && !Files.isDirectory(directory)) {
            err.println("ship: --directory " + directory + ": " + (Files.exists(directory) ? "not a directory"
                    : "no such directory"));
            return 2;
        }
        if (files != null) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    err.println("ship: --file " + file + ": no such file");
                    return 2;
                }
            }
        }
        JournalSource source = directory != null ? new JournalSource.Directory(directory)
                : files != null ? new JournalSource.Files(files) : new JournalSource.Local();
        StartPosition firstStart = since != null ? new StartPosition.Since(since)
                : fromBeginning ? new StartPosition.Beginning() : new StartPosition.Now();
        JournalShipper.Options options = ship.options(firstStart, filter, !noFollow);
        String host = ship.host().isEmpty() ? localHostName() : ship.host();
        Map<String, Object> producerProps = EntryProducerConfig.producerProperties(settings);
        String topic = EntryProducerConfig.topic(settings);
        ShipperMetrics metrics = new ShipperMetrics();
        MetricsEndpoint endpoint = null;
        if (ship.metricsPort() >= 0) {
            try {
                endpoint = MetricsEndpoint.start(ship.metricsAddress(), ship.metricsPort(), metrics);
            } catch (java.io.IOException e) {
                err.println("ship: cannot serve metrics on " + ship.metricsAddress() + ":" + ship.metricsPort()
                        + ": " + e.getMessage() + " (set ship.metrics.port=-1 to disable, 0 for any free port)");
                return 2;
            }
        }
        Journalctl journalctl = new Journalctl(ship.journalctl(), source, Duration.ofSeconds(60));
        Optional<String> journalProblem = journalctl.problemWith(since);
        if (journalProblem.isPresent()) {
            err.println("ship: journalctl cannot read this journal: " + journalProblem.get());
            if (endpoint != null) {
                endpoint.close();
            }
            return 2;
        }
        KafkaProbe.warnIfUnreachable(producerProps, topic, Duration.ofSeconds(5), err);
        AtomicReference<JournalShipper> shipping = new AtomicReference<>();
        try (KafkaProducer<String, JournalEntry> producer = new KafkaProducer<>(producerProps);
             NodeMemorySampling sampling = memorySampling(ship, producerProps, metrics, shipping)) {
            JournalShipper shipper = new JournalShipper(journalctl, options, producer, topic,
                    new CursorStore(cursorFile), new JournalLineDecoder(host, ship.maxFieldBytes(),
                            ship.maxFieldsBytes()), metrics, registryCheck(producerProps, topic));
            shipping.set(shipper);
            Runnable restore = StopSignals.install(shipper::stop);
            try {
                if (sampling != null) {
                    sampling.start();
                }
                shipper.run();
            } catch (CursorStore.CorruptCursorException e) {
                err.println("ship: " + e.getMessage());
                return 2;
            } finally {
                restore.run();
                producer.close(Duration.ofSeconds(5));
            }
            return 0;
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
    }

    /** Memory sampling as configured, or null: sampling is off, or the journal is shipped once (--no-follow). */
    private NodeMemorySampling memorySampling(ShipperSettings ship, Map<String, Object> producerProps,
                                              ShipperMetrics metrics, AtomicReference<JournalShipper> shipping) {
        if (noFollow || ship.memorySampleInterval().isZero()) {
            return null;
        }
        NodeMemorySampler sampler = ship.memorySampler();
        String configured = NodeMemorySampling.host(ship.host(), sampler, ShipCommand::localHostName);
        // keyed like the node's journal entries, whose host is journald's _HOSTNAME: ship.host (in Kubernetes the
        // node's name) can differ from it, and then samples and entries would never meet
        return NodeMemorySampling.create(producerProps, ship.nodeMemoryTopic(), sampler, () -> {
            JournalShipper shipper = shipping.get();
            return shipper == null ? configured : shipper.kernelHost().orElse(configured);
        }, ship.memorySampleInterval(), metrics);
    }

    /**
     * With our own serializer (the default), checks before reading the journal that the schema registry answers and
     * accepts JournalEntry for the topic, so an unreachable registry is a clear error at start, retried.
     */
    public static JournalShipper.StartupCheck registryCheck(Map<String, Object> producerProps, String topic) {
        Object serializer = producerProps.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        String name = serializer instanceof Class<?> c ? c.getName() : String.valueOf(serializer);
        if (!SpecificAvroSerializer.class.getName().equals(name)) {
            return () -> { };
        }
        return () -> {
            try (SpecificAvroSerializer<JournalEntry> probe = new SpecificAvroSerializer<>()) {
                probe.configure(producerProps, false);
                probe.serialize(topic, JournalEntry.newBuilder().setHost("registry-check").setMessage("")
                        .setSource(EntrySource.newBuilder().setKind(SourceKind.JOURNALD).setShipper("check").build())
                        .build());
            } catch (RuntimeException e) {
                throw new Exception("schema registry " + producerProps.get(KafkaClientSettings.SCHEMA_REGISTRY_URL.name())
                        + " did not accept the JournalEntry schema: " + e.getMessage(), e);
            }
        };
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    @Override
    public ConfigDef optionDefinitions() {
        return ShipperSettings.DEFINITION;
    }
}
