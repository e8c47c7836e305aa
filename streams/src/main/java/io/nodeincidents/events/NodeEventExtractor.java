package io.nodeincidents.events;

import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.runtime.FailureDeduplicator;
import io.nodeincidents.runtime.RuntimeFailure;
import io.nodeincidents.runtime.RuntimeFailureClassifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns one host's lines into {@link NodeEvent}s: kernel lines go to the report assembler, the rest to the runtime
 * failure classifier and de-duplicator. A pure step function over {@link HostLogState}: the Kafka Streams processor
 * keeps the state in a store per host, offline {@code analyze} in a map, and both get the same events from the same
 * lines.
 */
public final class NodeEventExtractor {

    /** The new state and the events the line completed. */
    public record Step(HostLogState state, List<NodeEvent> events) {
        public Step {
            events = List.copyOf(events);
        }
    }

    private final KernelReportAssembler assembler;
    private final RuntimeFailureClassifier classifier;

    public NodeEventExtractor() {
        this(new KernelReportAssembler(), new RuntimeFailureClassifier());
    }

    public NodeEventExtractor(KernelReportAssembler assembler, RuntimeFailureClassifier classifier) {
        this.assembler = assembler;
        this.classifier = classifier;
    }

    /** Feeds one line of the host whose state this is. */
    public Step step(HostLogState state, LogLine line) {
        List<NodeEvent> events = new ArrayList<>();
        var pending = state.pendingReport();
        var open = state.openFailures();
        // a bare message body says nothing of who printed it: both decoders look at it, each pre-filters cheaply
        boolean unknownOrigin = line.transport() == null && line.identifier() == null;
        if (line.isKernel() || unknownOrigin) {
            KernelReportAssembler.Step kernel = assembler.step(pending, unknownOrigin ? asKernel(line) : line);
            pending = kernel.pending();
            addKernel(events, kernel.completed());
        }
        if (!line.isKernel()) {
            Optional<RuntimeFailure> failure = classifier.classify(line);
            if (failure.isPresent()) {
                FailureDeduplicator.Step folded = FailureDeduplicator.fold(open, failure.get());
                open = folded.open();
                addRuntime(events, folded.completed());
            }
        }
        Long now = line.realtimeMicros();
        if (now != null) {
            // the line's time is the host's event time: whatever went idle before it is complete
            Step expired = expire(new HostLogState(pending, open), now);
            events.addAll(expired.events());
            return new Step(expired.state(), events);
        }
        return new Step(new HostLogState(pending, open), events);
    }

    /**
     * True when the line can contribute to an event: a kernel line, a line of unknown origin, or a runtime line the
     * classifier recognises. Offline correlation keeps only these, so a large log does not have to fit in memory.
     */
    public boolean concerns(LogLine line) {
        return line.isKernel() || (line.transport() == null && line.identifier() == null)
                || classifier.classify(line).isPresent();
    }

    /** Completes what has been idle for longer than its gap at event time {@code nowMicros}. */
    public Step expire(HostLogState state, long nowMicros) {
        List<NodeEvent> events = new ArrayList<>();
        var pending = state.pendingReport();
        if (pending != null) {
            KernelReportAssembler.Step kernel = assembler.expire(pending, nowMicros);
            pending = kernel.pending();
            addKernel(events, kernel.completed());
        }
        var open = state.openFailures();
        if (!open.failures().isEmpty()) {
            FailureDeduplicator.Step folded = FailureDeduplicator.expire(open, nowMicros);
            open = folded.open();
            addRuntime(events, folded.completed());
        }
        return new Step(new HostLogState(pending, open), events);
    }

    /** Completes everything: end of input. */
    public List<NodeEvent> flush(HostLogState state) {
        List<NodeEvent> events = new ArrayList<>();
        if (state.pendingReport() != null) {
            addKernel(events, assembler.flush(state.pendingReport()));
        }
        addRuntime(events, FailureDeduplicator.flush(state.openFailures()));
        return events;
    }

    private static LogLine asKernel(LogLine line) {
        return new LogLine(line.host(), line.bootId(), line.realtimeMicros(), line.monotonicMicros(), "kernel",
                line.identifier(), line.unit(), line.pid(), line.priority(), line.message(), line.ref());
    }

    private static void addKernel(List<NodeEvent> events, List<KernelReport> reports) {
        for (KernelReport report : reports) {
            events.add(new NodeEvent.Kernel(report));
        }
    }

    private static void addRuntime(List<NodeEvent> events, List<RuntimeFailure> failures) {
        for (RuntimeFailure failure : failures) {
            events.add(new NodeEvent.Runtime(failure));
        }
    }
}
