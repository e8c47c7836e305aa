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

    /** Failures of one host still waiting for more lines. Immutable. */
    public record Open(List<RuntimeFailure> failures) {
        public static final Open EMPTY = new Open(List.of());

        public Open {
            failures = List.copyOf(failures);
        }
    }

    /** The next state and what is complete. */
    public record Step(Open open, List<RuntimeFailure> completed) {
        public Step {
            Objects.requireNonNull(open, "open");
            completed = List.copyOf(completed);
        }
    }

    /** Adds a failure: merged into an open one it repeats, or opened; failures it leaves behind are completed. */
    public static Step fold(Open state, RuntimeFailure failure) {
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
        return new Step(new Open(open), completed);
    }

    /** Completes the open failures whose window ended before {@code nowMicros} (event time or wall clock). */
    public static Step expire(Open state, long nowMicros) {
        List<RuntimeFailure> open = new ArrayList<>();
        List<RuntimeFailure> completed = new ArrayList<>();
        for (RuntimeFailure f : state.failures()) {
            (isBehind(f, nowMicros) ? completed : open).add(f);
        }
        return new Step(new Open(open), completed);
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
        if (a.pod() != null && b.pod() != null) {
            return a.pod().equals(b.pod()) && compatible(a.namespace(), b.namespace())
                    && compatible(a.podUid(), b.podUid());
        }
        if (a.pod() != null || b.pod() != null) {
            // newer kubelets name no pod in "RunPodSandbox from runtime service failed": the identical error chain
            // in the same two seconds ties it to the line that does
            return a.errorText() != null && a.errorText().equals(b.errorText());
        }
        return a.component() == b.component() && compatible(a.containerId(), b.containerId());
    }

    private static boolean compatible(String x, String y) {
        return x == null || y == null || x.equals(y);
    }
}
