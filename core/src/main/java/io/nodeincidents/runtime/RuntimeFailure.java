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
 * @param refs          the lines it was read from
 */
public record RuntimeFailure(
        String host,
        Long timeMicros,
        RuntimeFailureKind kind,
        RuntimeComponent component,
        boolean memoryRelated,
        String pod,
        String namespace,
        String podUid,
        String containerId,
        String errorText,
        List<LineRef> refs) {

    public RuntimeFailure {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(component, "component");
        refs = List.copyOf(refs);
    }

    /**
     * This failure with what {@code other} (the same failure, reported by another line) adds: missing identifiers,
     * memory evidence, and its line references. Keeps this one's component, error text and the earlier time.
     */
    public RuntimeFailure mergedWith(RuntimeFailure other) {
        List<LineRef> all = new ArrayList<>(refs);
        for (LineRef r : other.refs) {
            if (!all.contains(r)) {
                all.add(r);
            }
        }
        return new RuntimeFailure(host, earlier(timeMicros, other.timeMicros), kind, component,
                memoryRelated || other.memoryRelated, or(pod, other.pod), or(namespace, other.namespace),
                or(podUid, other.podUid), or(containerId, other.containerId), or(errorText, other.errorText), all);
    }

    /** This failure about {@code pod} in {@code namespace} (either may be null). */
    RuntimeFailure withPod(String pod, String namespace) {
        return new RuntimeFailure(host, timeMicros, kind, component, memoryRelated, pod, namespace, podUid,
                containerId, errorText, refs);
    }

    /** This failure marked memory-related (a line just before it showed memory trouble). */
    RuntimeFailure withMemoryRelated() {
        return new RuntimeFailure(host, timeMicros, kind, component, true, pod, namespace, podUid, containerId,
                errorText, refs);
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
