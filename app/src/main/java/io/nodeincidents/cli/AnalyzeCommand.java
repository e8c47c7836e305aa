package io.nodeincidents.cli;

import io.nodeincidents.correlation.OfflineCorrelator;
import io.nodeincidents.events.EventJson;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.OfflineAnalysis;
import io.nodeincidents.ingest.cli.LogReadingOptions;
import io.nodeincidents.output.CommandLogging;
import io.nodeincidents.output.IncidentPrinter;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadResult;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.query.IncidentJson;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.runtime.RuntimeFailureClassifier;
import io.nodeincidents.runtime.RuntimeRules;
import io.nodeincidents.runtime.RuntimeRulesException;
import io.nodeincidents.topology.CorrelatorSettings;
import io.nodeincidents.trust.Refusal;
import io.nodeincidents.trust.RefusalTally;
import io.nodeincidents.trust.SourceTrust;
import org.apache.kafka.common.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCommand.class);

    /** How results are printed. */
    public enum Output { json, text }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Log files, read in order (.gz is fine; - reads"
            + " standard input).")
    List<Path> files;

    /** {@link #files} checked, standard input spooled. */
    private List<Path> inputs;
    private CorrelatorSettings settings;
    private NodeEventExtractor extractor;

    @Option(names = "--events", description = "Print the decoded events (kernel reports, runtime failures) instead of"
            + " the incidents they correlate into.")
    boolean events;

    @Mixin
    LogReadingOptions reading;

    @Option(names = "--rules", paramLabel = "FILE", description = "A runtime rules file (JSON, the shape of the bundled"
            + " runtime-rules.json) that extends or overrides the bundled runtime and kubelet patterns.")
    Path rules;

    @Option(names = {"-X", "--property"}, paramLabel = "KEY=VALUE", description = "A correlator setting, e.g. the"
            + " trust settings for nodes whose runtime or kubelet runs under other units: -X"
            + " trust.runtime.units=docker.service,my-kubelet.service (correlate --help lists them).")
    Map<String, String> properties = new LinkedHashMap<>();

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
        for (String key : properties.keySet()) {
            // no Kafka client here to pass an unknown key on to: a typo must not go unnoticed
            if (!CorrelatorSettings.DEFINITION.configKeys().containsKey(key)) {
                err.println("analyze: unknown setting " + key + " (correlate --help lists them)");
                return 2;
            }
        }
        try {
            settings = new CorrelatorSettings(settingsMap());
        } catch (ConfigException e) {
            err.println("analyze: " + e.getMessage());
            return 2;
        }
        extractor = new NodeEventExtractor(new KernelReportAssembler(), new RuntimeFailureClassifier(runtimeRules),
                new SourceTrust(settings.trustSettings()));
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
        printRefused(err, outcome.refused());
        long lines = outcome.files().stream().mapToLong(ReadResult::lines).sum();
        err.printf("analyze: %d files, %d lines, %d events, %d lines rejected, %d entries refused%n",
                outcome.files().size(), lines, outcome.events(), rejected.get(), outcome.refused().total());
        return outcome.files();
    }

    /**
     * Runs the streaming app's own per-host steps over the files' entries ({@link OfflineCorrelator}: the same steps
     * the topology's processors run, with their state in memory), so the incidents are the ones the deployed
     * correlator would emit. The entries go in as they are read (only lines that can contribute to an event; several
     * files merged by time) and each incident is printed when it resolves, with its final revision: memory does not
     * grow with the files.
     */
    private List<ReadResult> printIncidents(PrintWriter out, PrintWriter err, Consumer<RejectedLine> rejects,
                                            AtomicLong rejected) throws java.io.IOException {
        Map<String, FleetAlert> alerts = new LinkedHashMap<>();
        Set<String> unresolved = new HashSet<>();
        RefusalTally refused = new RefusalTally();
        long[] printed = {0};
        OfflineCorrelator.Sink sink = new OfflineCorrelator.Sink() {
            @Override
            public void incident(Incident incident) {
                if (incident.getStatus() != IncidentStatus.RESOLVED) {
                    unresolved.add(incident.getIncidentId());
                    return;
                }
                unresolved.remove(incident.getIncidentId());
                printed[0]++;
                out.println(output == Output.text ? IncidentPrinter.text(incident) : IncidentJson.line(incident));
            }

            @Override
            public void alert(FleetAlert alert) {
                // an alert is re-emitted as hosts join it: the last emission of each is printed at the end
                alerts.put(alert.getAlertId(), alert);
            }

            @Override
            public void setAside(String host, String reason) {
                LOG.warn("host {}: {}, left out", host, reason);
            }

            @Override
            public void refused(String host, Refusal refusal) {
                refused.add(host, refusal);
            }
        };
        OfflineCorrelator correlator = new OfflineCorrelator(settings.driverSettings(), extractor, sink);
        List<ReadResult> read = new MergedReading(reading.readOptions(), extractor, rejects).read(inputs,
                (entry, timeMs) -> correlator.add(offlineEntry(extractor, entry, timeMs)));
        correlator.finish();
        List<FleetAlert> latest = List.copyOf(alerts.values());
        for (FleetAlert alert : latest) {
            out.print(output == Output.text ? IncidentPrinter.text(alert) : IncidentJson.line(alert) + "\n");
        }
        out.flush();
        if (!unresolved.isEmpty()) {
            // cannot happen: the end of the input resolves them all; said rather than printed half-done
            err.println("analyze: " + unresolved.size() + " incidents did not resolve by the end of the input");
        }
        if (rejected.get() > MAX_REJECTS_SHOWN) {
            err.println("analyze: ... " + (rejected.get() - MAX_REJECTS_SHOWN) + " more rejected lines");
        }
        printRefused(err, refused);
        long lines = read.stream().mapToLong(ReadResult::lines).sum();
        err.printf("analyze: %d files, %d lines, %d incidents, %d fleet alerts, %d lines rejected, %d entries refused%n",
                inputs.size(), lines, printed[0], latest.size(), rejected.get(), refused.total());
        return read;
    }

    /**
     * An entry as the streaming app reads it: read back as a log line from the entry (the line a shipped entry gives),
     * whether it is refused as evidence, and whether it starts anything.
     */
    static OfflineCorrelator.Entry offlineEntry(NodeEventExtractor extractor, JournalEntry entry, long timeMs) {
        Long micros = entry.getRealtimeMicros();
        boolean ownTime = micros != null && micros >= 0;
        LogLine line;
        boolean starts;
        Refusal refused;
        try {
            line = JournalEntries.toLogLine(entry);
            refused = extractor.refusal(line);
            starts = refused == null && extractor.startsSomething(line);
        } catch (RuntimeException e) {
            LOG.warn("entry of host {} could not be read as a log line ({}), left out", entry.getHost(), e.toString());
            return new OfflineCorrelator.Entry(null, ownTime, timeMs, false);
        }
        return new OfflineCorrelator.Entry(line, ownTime, timeMs, starts, refused);
    }

    /** The settings: the -X properties, and --rules as the correlator's rules file. */
    private Map<String, String> settingsMap() {
        Map<String, String> map = new LinkedHashMap<>(properties);
        if (rules != null) {
            map.put(CorrelatorSettings.RUNTIME_RULES_FILE, rules.toString());
        }
        return map;
    }

    /** Each host's refused senders, once each (a bounded number of them), on standard error. */
    static void printRefused(PrintWriter err, RefusalTally refused) {
        for (RefusalTally.Count count : refused.counts()) {
            err.println("analyze: host " + count.host() + ": refused " + count.entries() + " entries claiming "
                    + count.refusal().describe() + " (README: Trust model)");
        }
        if (refused.untold() > 0) {
            err.println("analyze: ... " + refused.untold() + " more refused entries of other hosts and senders");
        }
    }
}
