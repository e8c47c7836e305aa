package io.nodeincidents.ingest.cli;

import io.nodeincidents.config.Redaction;
import io.nodeincidents.config.DocumentedOptions;
import io.nodeincidents.config.ConfigSources;
import io.nodeincidents.ingest.produce.EntryProducerConfig;
import io.nodeincidents.ingest.replay.LogReplay;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.schemas.JournalEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nodeincidents replay}: ships saved logs into journal.entries for post-incident analysis. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Ships saved logs (journalctl -o json exports, syslog files, dmesg, kmsg) into journal.entries"
                + " as JournalEntry records marked with their file and line, for analysis of logs collected after the"
                + " fact. Each entry keeps its own event time in the payload; the Kafka record time is the time of"
                + " producing, so topic retention does not delete old entries on arrival.",
        footerHeading = "%nSettings (--config file, NODEINCIDENTS_* environment, -X KEY=VALUE):%n")
public final class ReplayCommand implements Callable<Integer>, DocumentedOptions {

    static final int MAX_REJECTS_SHOWN = 20;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Log files to replay, in order (.gz is fine; -"
            + " reads standard input).")
    List<Path> files;

    @Mixin
    LogReadingOptions reading;

    @Option(names = "--interleave", description = "Send the files' entries merged in event-time"
            + " order, as several hosts would have sent them live (holds the files in memory, about 1 KB an entry).")
    boolean interleave;

    @Mixin
    KafkaClientOptions kafka;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> settings;
        try {
            settings = kafka.settings(System.getenv());
            EntryProducerConfig.DEFINITION.parse(settings);
        } catch (ConfigSources.ConfigException | org.apache.kafka.common.config.ConfigException e) {
            err.println("replay: " + Redaction.text(e.getMessage()));
            return 2;
        }
        ReadOptions options = reading.readOptions();
        AtomicLong shown = new AtomicLong();
        Consumer<RejectedLine> rejects = rejected -> {
            if (shown.incrementAndGet() <= MAX_REJECTS_SHOWN) {
                err.println("replay: rejected " + rejected);
            }
        };
        String topic = EntryProducerConfig.topic(settings);
        List<Path> inputs;
        try {
            inputs = LogReadingOptions.inputFiles(files, System.in);
        } catch (LogReadException e) {
            err.println("replay: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            err.println("replay: cannot read standard input: " + e.getMessage());
            return 1;
        }
        try (Producer<String, JournalEntry> producer =
                     new KafkaProducer<>(EntryProducerConfig.producerProperties(settings))) {
            LogReplay.Summary summary;
            try {
                LogReplay replay = new LogReplay(producer, topic);
                summary = interleave ? replay.replayInterleaved(inputs, options, rejects)
                        : replay.replay(inputs, options, rejects);
            } catch (LogReadException e) {
                err.println("replay: " + e.getMessage());
                return 2;
            }
            if (summary.rejected() > MAX_REJECTS_SHOWN) {
                err.println("replay: ... " + (summary.rejected() - MAX_REJECTS_SHOWN) + " more rejected lines");
            }
            boolean damaged = false;
            for (LogReplay.FileOutcome file : summary.files()) {
                out.printf("%s: %s, %d entries produced, %d lines rejected%n", file.file(),
                        file.read().format() == null ? "empty" : file.read().format().cliName(), file.produced(),
                        file.read().rejected());
                if (file.read().hostNote() != null) {
                    err.println("replay: " + file.read().hostNote());
                }
                if (file.read().damage() != null) {
                    err.println("replay: " + file.file() + ": " + file.read().damage() + "; the lines before it"
                            + " were replayed");
                    damaged = true;
                }
            }
            if (summary.failedSends() > 0) {
                err.println("replay: " + summary.failedSends() + " entries were not accepted by Kafka, first error: "
                        + summary.firstSendError());
                return 1;
            }
            out.printf("replayed %d entries to %s%n", summary.produced(), topic);
            return damaged ? 1 : 0;
        }
    }

    @Override
    public ConfigDef optionDefinitions() {
        return EntryProducerConfig.DEFINITION;
    }
}
