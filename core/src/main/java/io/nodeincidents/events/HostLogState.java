package io.nodeincidents.events;

import io.nodeincidents.kernel.PendingReport;
import io.nodeincidents.runtime.FailureDeduplicator;

/**
 * Event extraction's memory of one host between lines: the kernel report being assembled (or null) and the runtime
 * failures still being folded. Small and immutable, so the streaming app can keep one per host in a state store.
 */
public record HostLogState(PendingReport pendingReport, FailureDeduplicator.Open openFailures) {

    public static final HostLogState EMPTY = new HostLogState(null, FailureDeduplicator.Open.EMPTY);

    public HostLogState {
        if (openFailures == null) {
            openFailures = FailureDeduplicator.Open.EMPTY;
        }
    }

    /** True when nothing is pending: the state need not be stored. */
    public boolean isEmpty() {
        return pendingReport == null && openFailures.isEmpty();
    }
}
