package io.nodeincidents.incident;

import io.nodeincidents.schemas.RuntimeFailureEvent;
import java.util.Objects;

/**
 * A runtime failure waiting for a kernel event to join: it may have been logged before the kernel report that explains
 * it arrived (the kernel decoder assembles multi-line reports, so kernel events often arrive last).
 *
 * @param failure    the failure
 * @param timeMicros its event time (stream time at arrival when the failure carried none)
 */
public record PendingFailure(RuntimeFailureEvent failure, long timeMicros) {

    public PendingFailure {
        Objects.requireNonNull(failure, "failure");
    }
}
