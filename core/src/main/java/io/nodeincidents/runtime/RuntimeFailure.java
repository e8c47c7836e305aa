package io.nodeincidents.runtime;

import io.nodeincidents.logs.LineRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One container-runtime failure on a host, from one log line or (after {@link FailureDeduplicator}) from the several
 * lines different components printed for the same failure.
 *
 * @param host          host of the failure
 * @param timeMicros    event time, microseconds since the epoch, or null when the log had no wall-clock time
 * @param kind          what failed
 * @param component     who reported it (the first reporter after de-duplication)
 * @param memoryRelated true when the error chain shows memory trouble (ENOMEM, {@code cannot allocate memory},
 *                      setns {@code exit status 6}, a memory cgroup that could not be created, an OOM kill)
 * @param pod           pod name, or null
 * @param namespace     pod namespace, or null
 * @param podUid        pod uid, or null
 * @param containerId   container or sandbox id (64 hex), or null
 * @param errorText     the innermost error, unescaped, at most {@value RuntimeFailureClassifier#MAX_ERROR_CHARS} chars
 * @param refs          where its lines are: all of them, or when there are more than {@code 2 * }{@value #EDGE_REFS}
 *                      the first and the last {@value #EDGE_REFS}
 * @param lines         how many lines it was read from, every repeat counted (at least {@code refs.size()})
 * @param firstLine     the first line it was read from as logged, at most {@value #MAX_LINE_CHARS} chars, or null;
 *                      kept for people to read, not for matching
 */
public record RuntimeFailure(
        String host,
        Long timeMicros,
        FailureKind kind,
        RuntimeComponent component,
        boolean memoryRelated,
        String pod,
        String namespace,
        String podUid,
        String containerId,
        String errorText,
        List<LineRef> refs,
        long lines,
        String firstLine) {

    /** Longest {@link #firstLine} kept: a dockerd line with its escaped error chain fits. */
    public static final int MAX_LINE_CHARS = 2048;

    /**
     * References kept at each end of a failure's lines. A runtime stuck in a loop prints the same error thousands of
     * times within the de-duplication window, and all of it folds into one failure: keeping every reference made each
     * fold copy them all (quadratic) and the host's stored state grow with every line. Where the storm began and where
     * it stands are what someone looks up; the count says how many lines there were.
     */
    public static final int EDGE_REFS = 8;

    public RuntimeFailure {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(component, "component");
        lines = Math.max(lines, refs.size()); // state written before the count existed reads 0
        refs = refs.size() > 2 * EDGE_REFS ? edges(refs) : List.copyOf(refs);
        if (firstLine != null && firstLine.length() > MAX_LINE_CHARS) {
            firstLine = firstLine.substring(0, MAX_LINE_CHARS);
        }
    }

    /** A failure read from the lines {@code refs}, each counted once. */
    public RuntimeFailure(String host, Long timeMicros, FailureKind kind, RuntimeComponent component,
                          boolean memoryRelated, String pod, String namespace, String podUid, String containerId,
                          String errorText, List<LineRef> refs) {
        this(host, timeMicros, kind, component, memoryRelated, pod, namespace, podUid, containerId, errorText, refs,
                refs.size(), null);
    }

    /** A failure read from the lines {@code refs}, each counted once, the first of which read {@code firstLine}. */
    public RuntimeFailure(String host, Long timeMicros, FailureKind kind, RuntimeComponent component,
                          boolean memoryRelated, String pod, String namespace, String podUid, String containerId,
                          String errorText, List<LineRef> refs, String firstLine) {
        this(host, timeMicros, kind, component, memoryRelated, pod, namespace, podUid, containerId, errorText, refs,
                refs.size(), firstLine);
    }

    /** Lines counted in {@link #lines} whose reference is not kept in {@link #refs}. */
    public long omittedRefs() {
        return lines - refs.size();
    }

    /**
     * This failure with what {@code other} (the same failure, reported by another line) adds: missing identifiers,
     * memory evidence, its line references and its count of lines. Keeps this one's component, error text and the
     * earlier time. Costs the same however many lines were folded before: at most {@code 2 * EDGE_REFS} references
     * are kept (the first ones, and the latest), the count is exact.
     */
    public RuntimeFailure mergedWith(RuntimeFailure other) {
        List<LineRef> all = new ArrayList<>(refs.size() + other.refs.size());
        all.addAll(refs);
        for (LineRef r : other.refs) {
            // a line read twice (or lines without any reference) is referenced once; only the kept ones can be
            // compared, which is enough to keep repeats of the latest lines out
            if (!all.contains(r)) {
                all.add(r);
            }
        }
        return new RuntimeFailure(host, earlier(timeMicros, other.timeMicros), kind, component,
                memoryRelated || other.memoryRelated, or(pod, other.pod), or(namespace, other.namespace),
                or(podUid, other.podUid), or(containerId, other.containerId), or(errorText, other.errorText), all,
                saturatedSum(lines, other.lines), or(firstLine, other.firstLine));
    }

    /** The first and the last {@link #EDGE_REFS} of {@code refs}. */
    private static List<LineRef> edges(List<LineRef> refs) {
        List<LineRef> kept = new ArrayList<>(2 * EDGE_REFS);
        kept.addAll(refs.subList(0, EDGE_REFS));
        kept.addAll(refs.subList(refs.size() - EDGE_REFS, refs.size()));
        return List.copyOf(kept);
    }

    private static long saturatedSum(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** This failure about {@code pod} in {@code namespace} (either may be null). */
    RuntimeFailure withPod(String pod, String namespace) {
        return new RuntimeFailure(host, timeMicros, kind, component, memoryRelated, pod, namespace, podUid,
                containerId, errorText, refs, lines, firstLine);
    }

    /** This failure marked memory-related (a line just before it showed memory trouble). */
    RuntimeFailure withMemoryRelated() {
        return new RuntimeFailure(host, timeMicros, kind, component, true, pod, namespace, podUid, containerId,
                errorText, refs, lines, firstLine);
    }

    /** The earlier of two times either of which may be unknown (null); never unboxes a null. */
    static Long earlier(Long a, Long b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a <= b ? a : b;
    }


    private static String or(String a, String b) {
        return a != null ? a : b;
    }
}
