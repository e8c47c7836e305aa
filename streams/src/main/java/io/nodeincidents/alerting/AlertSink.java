package io.nodeincidents.alerting;

import io.nodeincidents.schemas.Incident;
import java.util.Collection;

/**
 * Where the correlator hands incident revisions for alerting. The task that owns an incident's partition hands over
 * its revisions; when a task is assigned it resumes the incidents it holds open, when it is revoked it forgets them
 * (their new owner resumes them). Every call returns at once.
 */
public interface AlertSink {

    /** A new revision of an incident. */
    void revision(Incident incident);

    /** The latest revision of an incident still open, held by a task just assigned (start, restart, rebalance). */
    void resume(Incident incident);

    /** The incidents of a task no longer assigned here: no longer re-sent from this instance. */
    void forget(Collection<String> incidentIds);
}
