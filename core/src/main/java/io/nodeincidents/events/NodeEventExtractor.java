package io.nodeincidents.events;

import io.nodeincidents.kernel.KernelReport;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.kernel.PendingReport;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.runtime.FailureDeduplicator;
import io.nodeincidents.runtime.RuntimeFailure;
import io.nodeincidents.runtime.RuntimeFailureClassifier;
import io.nodeincidents.trust.Refusal;
import io.nodeincidents.trust.SourceTrust;
import io.nodeincidents.trust.SourceTrust.Origin;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one host's lines into {@link NodeEvent}s: kernel lines go to the report assembler, the container runtimes' and
 * kubelet's to the runtime failure classifier and de-duplicator, by where they come from ({@link SourceTrust}), never
 * by what they say; a line that claims what its origin does not allow is {@link #refusal refused}. A pure step function over {@link HostLogState}: the Kafka Streams processor
 * keeps the state in a store per host, offline {@code analyze} in a map, and both get the same events from the same
 * lines.
 *
 * <p>Never throws: a line or report that makes a decoder throw is returned as {@link SetAside} and dropped from the
 * state, so one bad report cannot stop a host's (or a stream thread's) processing, nor fail again with every line.
 */
public final class NodeEventExtractor {

    /** The new state, the events the line completed, and what could not be decoded. */
    public record Step(HostLogState state, List<NodeEvent> events, List<SetAside> setAside) {
        public Step {
            events = List.copyOf(events);
            setAside = List.copyOf(setAside);
        }

        public Step(HostLogState state, List<NodeEvent> events) {
            this(state, events, List.of());
        }
    }

    private final KernelReportAssembler assembler;
    private final RuntimeFailureClassifier classifier;
    private final SourceTrust trust;

    public NodeEventExtractor() {
        this(new KernelReportAssembler(), new RuntimeFailureClassifier());
    }

    /** With the default trust settings. */
    public NodeEventExtractor(KernelReportAssembler assembler, RuntimeFailureClassifier classifier) {
        this(assembler, classifier, SourceTrust.defaults());
    }

    public NodeEventExtractor(KernelReportAssembler assembler, RuntimeFailureClassifier classifier,
                              SourceTrust trust) {
        this.assembler = assembler;
        this.classifier = classifier;
        this.trust = trust;
    }

    /**
     * Why {@code line} is refused as evidence, or null when it is not: a line tagged {@code kernel} that is not the
     * kernel's, or a failure reported by a journal entry of a sender that is neither a runtime nor the kubelet. Only
     * such lines' text is looked at (the rules' one-pass gate, the classifier when that matches); for others this is
     * a few comparisons.
     */
    public Refusal refusal(LogLine line) {
        return refusal(line, trust.origin(line));
    }

    private Refusal refusal(LogLine line, Origin origin) {
        if (origin == Origin.KERNEL || (origin != Origin.UNTRUSTED && !line.claimsKernel())) {
            return null;
        }
        boolean failure = false;
        if (origin == Origin.UNTRUSTED && !line.claimsKernel()) {
            try {
                failure = classifier.read(line, false).failure().isPresent();
            } catch (RuntimeException e) {
                failure = false; // a line the classifier cannot read reports nothing
            }
        }
        return trust.refusal(line, origin, failure);
    }

    /** Feeds one line of the host whose state this is. */
    public Step step(HostLogState state, LogLine line) {
        List<NodeEvent> events = new ArrayList<>();
        List<SetAside> setAside = new ArrayList<>(0);
        var pending = state.pendingReport();
        var open = state.openFailures();
        Origin origin = trust.origin(line);
        if (line.claimsKernel() && origin != Origin.KERNEL) {
            origin = Origin.UNTRUSTED; // refused: its text is looked at by nothing
        }
        // a bare message body says nothing of who printed it: both decoders look at it, each pre-filters cheaply
        boolean unknownOrigin = origin == Origin.UNKNOWN;
        if (origin == Origin.KERNEL || unknownOrigin) {
            LogLine kernelLine = unknownOrigin ? asKernel(line) : line;
            pending = stepKernel(pending, kernelLine, events, setAside);
        }
        if (origin == Origin.RUNTIME || unknownOrigin) {
            try {
                // what a line says for the failure after it comes from a runtime or a paste, never from sshd or nginx
                RuntimeFailureClassifier.LineReading reading = classifier.read(line, classifier.mayLeaveContext(line));
                if (reading.mayNamePod()) {
                    open = FailureDeduplicator.observe(open, line.message(), line.realtimeMicros());
                }
                if (reading.failure().isPresent()) {
                    FailureDeduplicator.Step folded = FailureDeduplicator.fold(open, reading.failure().get());
                    open = folded.open();
                    addRuntime(events, folded.completed());
                } else if (reading.memoryTrouble()) {
                    // an OCI runtime's own stderr line before the daemon's error that wraps it without the cause
                    open = FailureDeduplicator.memoryTrouble(open, line.realtimeMicros());
                }
            } catch (RuntimeException e) {
                setAside.add(SetAside.of(line.ref(), "runtime failure could not be decoded", e));
            }
        }
        Long now = line.realtimeMicros();
        if (now != null) {
            // the line's time is the host's event time: whatever went idle before it is complete
            Step expired = expire(new HostLogState(pending, open), now);
            events.addAll(expired.events());
            setAside.addAll(expired.setAside());
            return new Step(expired.state(), events, setAside);
        }
        return new Step(new HostLogState(pending, open), events, setAside);
    }

    /**
     * Feeds a kernel line to the assembler. When that throws, the pending report is what failed to decode (it is set
     * aside) and the line is read again on its own; when that throws too, the line is set aside as well.
     */
    private PendingReport stepKernel(PendingReport pending, LogLine line, List<NodeEvent> events,
                                     List<SetAside> setAside) {
        try {
            KernelReportAssembler.Step kernel = assembler.step(pending, line);
            addKernel(events, kernel.completed());
            return kernel.pending();
        } catch (RuntimeException e) {
            if (pending != null) {
                setAside.add(SetAside.of(pending.firstLine(), "kernel report could not be decoded", e));
                return stepKernel(null, line, events, setAside);
            }
            setAside.add(SetAside.of(line.ref(), "kernel line could not be decoded", e));
            return null;
        }
    }

    /**
     * True when the line can contribute to an event: a kernel line, a line of unknown origin, or a runtime line the
     * classifier recognises. Offline correlation keeps only these, so a large log does not have to fit in memory.
     */
    public boolean concerns(LogLine line) {
        return concerns(line, trust.origin(line));
    }

    private boolean concerns(LogLine line, Origin origin) {
        if (origin == Origin.KERNEL || origin == Origin.UNKNOWN) {
            return true;
        }
        if (origin == Origin.UNTRUSTED || line.claimsKernel()) {
            return false;
        }
        try {
            // lines that name the pod of what follows, or show memory trouble for it, are context step() needs
            RuntimeFailureClassifier.LineReading reading = classifier.read(line, classifier.mayLeaveContext(line));
            return reading.failure().isPresent() || reading.memoryTrouble() || reading.mayNamePod();
        } catch (RuntimeException e) {
            return true; // step() sets it aside with the reason
        }
    }

    /**
     * False only when the line changes nothing for a host with nothing under way. The ~99% of lines for which this is
     * false need neither the host's state nor a memory of having been seen (a repeat of them changes nothing either),
     * unless something is under way on the host. Exact for kernel lines (one that can only continue a report starts
     * nothing, though it {@link #concerns} us); for the others it is {@link #concerns}: the few that name a pod with no
     * failure open start nothing, but telling them apart would read every runtime line twice, which a storm of one
     * repeated runtime error pays on every line.
     */
    public boolean startsSomething(LogLine line) {
        Origin origin = trust.origin(line);
        if (origin == Origin.KERNEL) {
            // a fifth of a node's lines: the assembler alone answers, without building a step
            try {
                return assembler.startsReport(line);
            } catch (RuntimeException e) {
                return true; // step() sets it aside with the reason
            }
        }
        return concerns(line, origin);
    }

    /** Completes what has been idle for longer than its gap at event time {@code nowMicros}. */
    public Step expire(HostLogState state, long nowMicros) {
        List<NodeEvent> events = new ArrayList<>();
        List<SetAside> setAside = new ArrayList<>(0);
        var pending = state.pendingReport();
        if (pending != null) {
            try {
                KernelReportAssembler.Step kernel = assembler.expire(pending, nowMicros);
                pending = kernel.pending();
                addKernel(events, kernel.completed());
            } catch (RuntimeException e) {
                setAside.add(SetAside.of(pending.firstLine(), "kernel report could not be decoded", e));
                pending = null;
            }
        }
        var open = state.openFailures();
        if (!open.isEmpty()) {
            try {
                FailureDeduplicator.Step folded = FailureDeduplicator.expire(open, nowMicros);
                open = folded.open();
                addRuntime(events, folded.completed());
            } catch (RuntimeException e) {
                setAside.add(SetAside.of(firstRef(open), "runtime failures could not be completed", e));
                open = FailureDeduplicator.Open.EMPTY;
            }
        }
        return new Step(new HostLogState(pending, open), events, setAside);
    }

    /** Completes everything: end of input. */
    public Step flush(HostLogState state) {
        List<NodeEvent> events = new ArrayList<>();
        List<SetAside> setAside = new ArrayList<>(0);
        if (state.pendingReport() != null) {
            try {
                addKernel(events, assembler.flush(state.pendingReport()));
            } catch (RuntimeException e) {
                setAside.add(SetAside.of(state.pendingReport().firstLine(), "kernel report could not be decoded", e));
            }
        }
        try {
            addRuntime(events, FailureDeduplicator.flush(state.openFailures()));
        } catch (RuntimeException e) {
            setAside.add(SetAside.of(firstRef(state.openFailures()), "runtime failures could not be completed", e));
        }
        return new Step(HostLogState.EMPTY, events, setAside);
    }

    private static io.nodeincidents.logs.LineRef firstRef(FailureDeduplicator.Open open) {
        return open.failures().isEmpty() || open.failures().get(0).refs().isEmpty() ? null
                : open.failures().get(0).refs().get(0);
    }

    private static LogLine asKernel(LogLine line) {
        return new LogLine(line.host(), line.bootId(), line.realtimeMicros(), line.monotonicMicros(), "kernel",
                line.identifier(), line.unit(), line.comm(), line.containerId(), line.containerName(), line.pid(),
                line.priority(), line.facility(), line.message(), line.ref());
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
