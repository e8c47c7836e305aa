package io.nodeincidents.cli;

import io.nodeincidents.events.EventJson;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.OfflineAnalysis;
import io.nodeincidents.ingest.cli.LogReadingOptions;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.ingest.replay.LogReplay;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.ReadResult;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.query.IncidentJson;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.runtime.RuntimeFailureClassifier;
import io.nodeincidents.runtime.RuntimeRules;
import io.nodeincidents.runtime.RuntimeRulesException;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.topology.OfflineCorrelation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code nodeincidents analyze}: offline analysis of saved logs, no cluster needed. */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Reads saved logs (journalctl -o json exports, syslog files, dmesg, kmsg, bare messages) and"
                + " prints what they show: kernel page allocation failures, OOM kills and slab failures decoded as a"
                + " kernel engineer would, and the container runtime and kubelet failures around them. Uses the"
                + " same decoding as the streaming application.")
public final class AnalyzeCommand implements Callable<Integer> {

    static final int MAX_REJECTS_SHOWN = 20;

    /** How results are printed. */
    public enum Output { json, text }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Log files, read in order (.gz is fine; - reads"
            + " standard input).")
    List<Path> files;

    /** {@link #files} checked, standard input spooled. */
    private List<Path> inputs;
    private NodeEventExtractor extractor;

    @Option(names = "--events", description = "Print the decoded events (kernel reports, runtime failures) instead of"
            + " the incidents they correlate into.")
    boolean events;

    @Mixin
    LogReadingOptions reading;

    @Option(names = "--rules", paramLabel = "FILE", description = "A runtime rules file (JSON, the shape of the bundled"
            + " runtime-rules.json) that extends or overrides the bundled runtime and kubelet patterns.")
    Path rules;

    @Option(names = "--output", defaultValue = "json", paramLabel = "json|text",
            description = "json: one object per line; text: one readable line per event (default: ${DEFAULT-VALUE}).")
    Output output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLogging.apply("analyze");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AtomicLong rejected = new AtomicLong();
        Consumer<RejectedLine> rejects = line -> {
            if (rejected.incrementAndGet() <= MAX_REJECTS_SHOWN) {
                err.println("analyze: rejected " + line);
            }
        };
        RuntimeRules runtimeRules;
        try {
            runtimeRules = RuntimeRules.load(rules);
        } catch (RuntimeRulesException e) {
            err.println("analyze: " + e.getMessage());
            return 2;
        }
        extractor = new NodeEventExtractor(new KernelReportAssembler(), new RuntimeFailureClassifier(runtimeRules));
        try {
            inputs = LogReadingOptions.inputFiles(files, System.in);
            List<ReadResult> read = events ? printEvents(out, err, rejects, rejected)
                    : printIncidents(out, err, rejects, rejected);
            boolean damaged = false;
            for (ReadResult result : read) {
                if (result.hostNote() != null) {
                    err.println("analyze: " + result.hostNote());
                }
                if (result.damage() != null) {
                    err.println("analyze: " + result.file() + ": " + result.damage() + "; the lines before it were read");
                    damaged = true;
                }
            }
            return damaged ? 1 : 0;
        } catch (LogReadException e) {
            out.flush();
            err.println("analyze: " + e.getMessage());
            return 2;
        } catch (java.io.IOException e) {
            out.flush();
            err.println("analyze: cannot read input: " + e);
            return 1;
        }
    }

    private List<ReadResult> printEvents(PrintWriter out, PrintWriter err, Consumer<RejectedLine> rejects,
                                         AtomicLong rejected) throws java.io.IOException {
        Consumer<NodeEvent> print = event -> out.println(output == Output.text ? EventJson.text(event)
                : EventJson.line(event));
        OfflineAnalysis.Outcome outcome = new OfflineAnalysis(new LogFileReader(), extractor)
                .run(inputs, reading.readOptions(), print, rejects);
        out.flush();
        if (rejected.get() > MAX_REJECTS_SHOWN) {
            err.println("analyze: ... " + (rejected.get() - MAX_REJECTS_SHOWN) + " more rejected lines");
        }
        long lines = outcome.files().stream().mapToLong(ReadResult::lines).sum();
        err.printf("analyze: %d files, %d lines, %d events, %d lines rejected%n", outcome.files().size(), lines,
                outcome.events(), rejected.get());
        return outcome.files();
    }

    /**
     * Runs the streaming app's own topology over the files' entries (in a TopologyTestDriver), so the incidents are
     * the ones the deployed correlator would emit. Only lines that can contribute to an event are kept in memory.
     */
    private List<ReadResult> printIncidents(PrintWriter out, PrintWriter err, Consumer<RejectedLine> rejects,
                                            AtomicLong rejected) throws java.io.IOException {
        LogFileReader reader = new LogFileReader();
        List<JournalEntry> entries = new ArrayList<>();
        long lines = 0;
        List<ReadResult> read = new ArrayList<>();
        for (Path file : inputs) {
            ReadOptions options = LogReplay.resolvedFormat(file, reading.readOptions());
            SourceKind kind = LogReplay.sourceKind(options.format());
            ReadResult result = reader.read(file, options, line -> {
                if (extractor.concerns(line)) {
                    entries.add(JournalEntries.fromLogLine(line, kind));
                }
            }, rejects);
            lines += result.lines();
            read.add(result);
        }
        OfflineCorrelation.Result result = OfflineCorrelation.run(entries, rules == null ? Map.of()
                : Map.of(CorrelatorSettings.RUNTIME_RULES_FILE, rules.toString()));
        for (Incident incident : result.latestRevisions()) {
            out.println(output == Output.text ? IncidentPrinter.text(incident) : IncidentJson.line(incident));
        }
        for (FleetAlert alert : latestAlerts(result.alerts())) {
            out.print(output == Output.text ? IncidentPrinter.text(alert) : IncidentJson.line(alert) + "\n");
        }
        out.flush();
        if (rejected.get() > MAX_REJECTS_SHOWN) {
            err.println("analyze: ... " + (rejected.get() - MAX_REJECTS_SHOWN) + " more rejected lines");
        }
        err.printf("analyze: %d files, %d lines, %d incidents, %d fleet alerts, %d lines rejected%n", inputs.size(),
                lines, result.latestRevisions().size(), latestAlerts(result.alerts()).size(), rejected.get());
        return read;
    }

    /** The last emission of each fleet alert (an alert is re-emitted as hosts join it). */
    private static List<FleetAlert> latestAlerts(List<FleetAlert> alerts) {
        Map<String, FleetAlert> latest = new LinkedHashMap<>();
        alerts.forEach(alert -> latest.put(alert.getAlertId(), alert));
        return List.copyOf(latest.values());
    }
}
