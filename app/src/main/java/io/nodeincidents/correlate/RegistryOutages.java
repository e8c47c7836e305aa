package io.nodeincidents.correlate;

import io.nodeincidents.registry.SchemaRegistryUnavailableException;

/**
 * What the correlator does when a stream thread fails because the schema registry cannot be reached (a schema id it
 * has not cached yet, a schema of its own not yet registered): not the records' fault, so no dead letter. It stops,
 * saying so, and exits non-zero for its supervisor (Kubernetes, compose's restart policy) to start it again: the new
 * process resumes from the last commit, exactly once, and waits for the registry the same way. Schemas already cached
 * need no registry at all, so a running correlator rarely meets an outage.
 *
 * <p>Why not replace the thread in-process: under exactly-once a replaced thread (a new transactional id, the dead
 * thread's transaction left to time out) went on from local state that had already counted an aborted revision, and
 * an incident's first revision was missing for read_committed readers (seen in {@code PipelineUnderFaultsTest}). A
 * new process fences the dead one's transaction and restores its state from the changelog.
 */
final class RegistryOutages {

    private RegistryOutages() {
    }

    /** The registry outage that {@code failure} comes from, or null when it is something else. */
    static SchemaRegistryUnavailableException outage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryUnavailableException unavailable) {
                return unavailable;
            }
        }
        return null;
    }

    /** The one line the correlator ends with. */
    static String message(SchemaRegistryUnavailableException outage) {
        return "schema registry unavailable; stopping so that a restart retries from the last commit (records stay"
                + " in their topics, nothing is dead-lettered): " + outage.getMessage();
    }
}
