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
        Long time = timeMicros == null ? other.timeMicros
                : other.timeMicros == null ? timeMicros : Math.min(timeMicros, other.timeMicros);
        return new RuntimeFailure(host, time, kind, component, memoryRelated || other.memoryRelated,
                or(pod, other.pod), or(namespace, other.namespace), or(podUid, other.podUid),
                or(containerId, other.containerId), or(errorText, other.errorText), all);
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }
}
