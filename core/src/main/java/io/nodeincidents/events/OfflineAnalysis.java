package io.nodeincidents.events;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.ReadResult;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.trust.Refusal;
import io.nodeincidents.trust.RefusalTally;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Offline event extraction over saved logs: the same {@link NodeEventExtractor} the streaming app runs, with the
 * per-host state in a map instead of a state store. Files are read in order and share the per-host state, so a
 * report split across a rotated log's two files is still one report.
 */
public final class OfflineAnalysis {

    /**
     * What the files gave; {@code setAside} counts the lines and reports a decoder could not read, {@code refused}
     * the entries refused as evidence by where they come from.
     */
    public record Outcome(List<ReadResult> files, long events, long setAside, RefusalTally refused) {
    }

    private final LogFileReader reader;
    private final NodeEventExtractor extractor;

    public OfflineAnalysis() {
        this(new LogFileReader(), new NodeEventExtractor());
    }

    public OfflineAnalysis(LogFileReader reader, NodeEventExtractor extractor) {
        this.reader = reader;
        this.extractor = extractor;
    }

    /**
     * Reads {@code files} and hands every event to {@code events} as soon as it is complete, the rest at the end.
     *
     * @throws io.nodeincidents.logs.LogReadException when a whole file is unusable
     */
    public Outcome run(List<Path> files, ReadOptions options, Consumer<NodeEvent> events,
                       Consumer<RejectedLine> rejects) throws IOException {
        Map<String, HostLogState> hosts = new TreeMap<>();
        long[] count = {0, 0};
        Consumer<NodeEvent> counting = event -> {
            count[0]++;
            events.accept(event);
        };
        Consumer<SetAside> setAside = s -> {
            count[1]++;
            rejects.accept(rejected(s));
        };
        RefusalTally refused = new RefusalTally();
        List<ReadResult> results = new ArrayList<>();
        for (Path file : files) {
            results.add(reader.read(file, options, line -> {
                Refusal refusal = extractor.refusal(line);
                if (refusal != null) {
                    refused.add(line.host(), refusal);
                } else {
                    step(hosts, line, counting, setAside);
                }
            }, rejects));
        }
        for (HostLogState state : hosts.values()) {
            NodeEventExtractor.Step last = extractor.flush(state);
            last.events().forEach(counting);
            last.setAside().forEach(setAside);
        }
        return new Outcome(List.copyOf(results), count[0], count[1], refused);
    }

    /** A report or line a decoder could not read, told the way unreadable lines are. */
    static RejectedLine rejected(SetAside s) {
        LineRef ref = s.ref();
        return new RejectedLine(ref.file() == null ? ref.toString() : ref.file(),
                ref.line() == null ? 0 : ref.line(), s.reason(), "");
    }

    /** Every event of {@code files}, in completion order. */
    public List<NodeEvent> events(List<Path> files, ReadOptions options, Consumer<RejectedLine> rejects)
            throws IOException {
        List<NodeEvent> events = new ArrayList<>();
        run(files, options, events::add, rejects);
        return events;
    }

    private void step(Map<String, HostLogState> hosts, LogLine line, Consumer<NodeEvent> events,
                      Consumer<SetAside> setAside) {
        NodeEventExtractor.Step step = extractor.step(hosts.getOrDefault(line.host(), HostLogState.EMPTY), line);
        if (step.state().isEmpty()) {
            hosts.remove(line.host());
        } else {
            hosts.put(line.host(), step.state());
        }
        step.events().forEach(events);
        step.setAside().forEach(setAside);
    }
}
