package io.nodeincidents.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Folds the several lines printed for one failure into one {@link RuntimeFailure}. The kubelet alone prints four
 * lines for one failed sandbox (RunPodSandbox, CreatePodSandbox, createPodSandbox, Error syncing pod), containerd and
 * kubectl events add more: they are one failure when they are on the same host, of the same kind, about the same pod
 * (see {@link #sameFailure}) and within {@link #WINDOW_MICROS} of event time.
 *
 * <p>Pure: every call takes an immutable {@link Open} state (one per host, small enough for a state store) and returns
 * the next state plus the failures that are complete. A failure is complete when a later failure on the host is more
 * than the window past it, when {@link #expire} is called with a later time, or on {@link #flush}.
 */
public final class FailureDeduplicator {

    /** Lines of one failure arrive within this much event time of the first. */
    public static final long WINDOW_MICROS = 2_000_000L;
    /** Open failures kept per host; the oldest is completed when more arrive at once. */
    public static final int MAX_OPEN = 64;

    private FailureDeduplicator() {
    }

    /**
     * Failures of one host still waiting for more lines, and what the lines just before a failure said about it: the
     * pod a {@code kubectl describe pod} paste or a {@code crictl runp} request is about, for the lines after it that
     * name none, and memory trouble an OCI runtime printed on its own line ({@code nsenter: unable to unshare
     * namespaces: Cannot allocate memory}) before the daemon's wrapped error that no longer says so. Immutable.
     *
     * @param failures           the open failures
     * @param describedPod       pod named last, or null
     * @param describedNamespace its namespace, or null
     * @param describedAtMicros  the event time of that line, or null when it had none (a pasted table)
     * @param memoryTroubleAtMicros event time of the last line showing memory trouble, or null when it had none
     * @param memoryTrouble      whether such a line was seen (its time may be unknown)
     */
    public record Open(List<RuntimeFailure> failures, String describedPod, String describedNamespace,
                       Long describedAtMicros, boolean memoryTrouble, Long memoryTroubleAtMicros) {
        public static final Open EMPTY = new Open(List.of());

        public Open {
            failures = List.copyOf(failures);
        }

        public Open(List<RuntimeFailure> failures) {
            this(failures, null, null, null, false, null);
        }

        Open withFailures(List<RuntimeFailure> next) {
            return new Open(next, describedPod, describedNamespace, describedAtMicros, memoryTrouble,
                    memoryTroubleAtMicros);
        }

        /** True when nothing is open and nothing is remembered for the next failure. */
        public boolean isEmpty() {
            return failures.isEmpty() && describedPod == null && !memoryTrouble;
        }
    }

    /**
     * Remembers the pod a line names for the lines after it: a Scheduled event ({@code Successfully assigned
     * NAMESPACE/NAME to NODE}, or the old {@code Successfully assigned NAME to NODE}) before kubectl's event rows, or
     * a {@code PodSandboxMetadata{Name:..,Namespace:..}} request before crictl's error.
     */
    public static Open observe(Open state, String message, Long timeMicros) {
        PodRef pod = null;
        int at = message.indexOf(SCHEDULED);
        if (at >= 0) {
            int from = at + SCHEDULED.length();
            int to = message.indexOf(" to ", from);
            if (to > 0 && to - from <= 320) {
                String ref = message.substring(from, to);
                int slash = ref.indexOf('/');
                String ns = slash > 0 ? ref.substring(0, slash) : null;
                String name = slash > 0 ? ref.substring(slash + 1) : ref;
                if (PodRef.isName(name) && (ns == null || PodRef.isName(ns))) {
                    pod = new PodRef(ns, name, null, null);
                }
            }
        } else if (message.contains("PodSandboxMetadata{")) {
            pod = PodRef.find(message, java.util.Map.of());
        }
        if (pod == null || pod.pod() == null) {
            return state;
        }
        return new Open(state.failures(), pod.pod(), pod.namespace(), timeMicros, state.memoryTrouble(),
                state.memoryTroubleAtMicros());
    }

    /** Remembers that a line that reports no failure itself showed memory trouble at {@code timeMicros}. */
    public static Open memoryTrouble(Open state, Long timeMicros) {
        return new Open(state.failures(), state.describedPod(), state.describedNamespace(), state.describedAtMicros(),
                true, timeMicros);
    }

    private static final String SCHEDULED = "Successfully assigned ";
    /** Substrings of the lines {@link #observe} reads a pod from. */
    static final List<String> POD_CONTEXT_MARKERS = List.of(SCHEDULED, "PodSandboxMetadata{");

    /** The next state and what is complete. */
    public record Step(Open open, List<RuntimeFailure> completed) {
        public Step {
            Objects.requireNonNull(open, "open");
            completed = List.copyOf(completed);
        }
    }

    /** Adds a failure: merged into an open one it repeats, or opened; failures it leaves behind are completed. */
    public static Step fold(Open state, RuntimeFailure failure) {
        if (state.describedPod() != null && near(state.describedAtMicros(), failure.timeMicros())
                && (failure.pod() == null || (failure.namespace() == null && state.describedNamespace() != null
                        && failure.pod().equals(state.describedPod())))) {
            // the line does not name the pod, or names it without its namespace ("for pod \"NAME\"")
            failure = failure.withPod(state.describedPod(), state.describedNamespace());
        }
        if (state.memoryTrouble() && near(state.memoryTroubleAtMicros(), failure.timeMicros())) {
            // the trouble line is spent on the first failure after it: one runtime error line per failure
            failure = failure.withMemoryRelated();
            state = new Open(state.failures(), state.describedPod(), state.describedNamespace(),
                    state.describedAtMicros(), false, null);
        }
        List<RuntimeFailure> open = new ArrayList<>(state.failures().size() + 1);
        List<RuntimeFailure> completed = new ArrayList<>();
        boolean merged = false;
        for (RuntimeFailure f : state.failures()) {
            if (!merged && sameFailure(f, failure)) {
                open.add(f.mergedWith(failure));
                merged = true;
            } else if (isBehind(f, failure.timeMicros())) {
                completed.add(f);
            } else {
                open.add(f);
            }
        }
        if (!merged) {
            open.add(failure);
        }
        while (open.size() > MAX_OPEN) {
            completed.add(open.remove(0));
        }
        return new Step(state.withFailures(open), completed);
    }

    /** Completes the open failures whose window ended before {@code nowMicros} (event time or wall clock). */
    public static Step expire(Open state, long nowMicros) {
        List<RuntimeFailure> open = new ArrayList<>();
        List<RuntimeFailure> completed = new ArrayList<>();
        for (RuntimeFailure f : state.failures()) {
            (isBehind(f, nowMicros) ? completed : open).add(f);
        }
        // untimed context (a pasted table) ends where timed lines begin: expire() is only called with a time
        boolean describedStale = state.describedAtMicros() == null
                || nowMicros - state.describedAtMicros() > WINDOW_MICROS;
        boolean memoryStale = state.memoryTroubleAtMicros() == null
                || nowMicros - state.memoryTroubleAtMicros() > WINDOW_MICROS;
        Open next = new Open(open, describedStale ? null : state.describedPod(),
                describedStale ? null : state.describedNamespace(), describedStale ? null : state.describedAtMicros(),
                !memoryStale && state.memoryTrouble(), memoryStale ? null : state.memoryTroubleAtMicros());
        return new Step(next, completed);
    }

    /** Completes everything (end of input). */
    public static List<RuntimeFailure> flush(Open state) {
        return state.failures();
    }

    /** Convenience for offline use: folds a whole sequence of one or more hosts' failures, in order. */
    public static List<RuntimeFailure> deduplicate(List<RuntimeFailure> failures) {
        Map<String, Open> byHost = new LinkedHashMap<>();
        List<RuntimeFailure> out = new ArrayList<>();
        for (RuntimeFailure f : failures) {
            Step step = fold(byHost.getOrDefault(f.host(), Open.EMPTY), f);
            byHost.put(f.host(), step.open());
            out.addAll(step.completed());
        }
        byHost.values().forEach(o -> out.addAll(flush(o)));
        out.sort(Comparator.comparing(RuntimeFailure::timeMicros, Comparator.nullsLast(Comparator.naturalOrder())));
        return out;
    }

    /** Whether a remembered line at {@code rememberedAt} applies to a line at {@code at}: both untimed, or close. */
    private static boolean near(Long rememberedAt, Long at) {
        if (rememberedAt == null || at == null) {
            return rememberedAt == null && at == null;
        }
        return at >= rememberedAt && at - rememberedAt <= WINDOW_MICROS;
    }

    private static boolean isBehind(RuntimeFailure f, Long nowMicros) {
        return f.timeMicros() != null && nowMicros != null && nowMicros - f.timeMicros() > WINDOW_MICROS;
    }

    /**
     * Same host and kind, close in time (both times unknown counts as close), and the same pod - names equal,
     * namespace and uid not contradicting; one pod-less line with the same error text as a line naming the pod; or,
     * with no pod on either, the same component and no contradicting container id.
     */
    static boolean sameFailure(RuntimeFailure a, RuntimeFailure b) {
        if (!a.host().equals(b.host()) || a.kind() != b.kind()) {
            return false;
        }
        if ((a.timeMicros() == null) != (b.timeMicros() == null)) {
            return false;
        }
        if (a.timeMicros() != null && Math.abs(a.timeMicros() - b.timeMicros()) > WINDOW_MICROS) {
            return false;
        }
        if (a.timeMicros() == null && !java.util.Objects.equals(a.errorText(), b.errorText())) {
            return false; // untimed rows of a pasted table with different errors are different failures
        }
        if (a.pod() != null && b.pod() != null) {
            return a.pod().equals(b.pod()) && compatible(a.namespace(), b.namespace())
                    && compatible(a.podUid(), b.podUid());
        }
        if (a.pod() != null || b.pod() != null) {
            // newer kubelets name no pod in "RunPodSandbox from runtime service failed": the identical error chain
            // in the same two seconds ties it to the line that does
            return a.errorText() != null && a.errorText().equals(b.errorText());
        }
        if (a.errorText() != null && a.errorText().equals(b.errorText())) {
            return compatible(a.containerId(), b.containerId()); // runc's line and the daemon's wrapping of it
        }
        return a.component() == b.component() && compatible(a.containerId(), b.containerId());
    }

    private static boolean compatible(String x, String y) {
        return x == null || y == null || x.equals(y);
    }
}
