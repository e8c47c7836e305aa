package io.nodeincidents.correlate;

import io.nodeincidents.registry.SchemaRegistryUnavailableException;

/**
 * What the correlator does when a stream thread fails because the schema registry cannot be reached (a schema id it
 * has not cached yet, a schema of its own not yet registered): not the records' fault, so no dead letter. It stops,
 * saying so, and exits non-zero for its supervisor (Kubernetes, compose's restart policy) to start it again: the new
 * process resumes from the last commit, exactly once, and waits for the registry the same way. Schemas already cached
 * need no registry at all, so a running correlator rarely meets an outage. (A process restart is the path Kafka's
 * exactly-once is built and tested for; a thread replaced in-process gets a new transactional id and leaves the dead
 * one's transaction to time out.)
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
