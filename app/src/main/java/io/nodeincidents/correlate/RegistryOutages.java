package io.nodeincidents.correlate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nodeincidents.registry.SchemaRegistryUnavailableException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the correlator does when a stream thread fails because the schema registry cannot be reached (a schema id it
 * has not cached yet, a schema of its own not yet registered): not the records' fault, so no dead letter, and not a
 * reason to stop. The thread is replaced after a pause and resumes from the last commit (exactly-once: nothing is
 * doubled); schemas already cached need no registry at all. Counted in
 * {@code nodeincidents_stream_threads_replaced_total{reason="schema_registry_unavailable"}}.
 */
final class RegistryOutages {

    private static final Logger LOG = LoggerFactory.getLogger(RegistryOutages.class);
    /** Pause before the replacement thread asks again, doubling while the outage lasts. */
    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final Counter replaced;
    private Duration pause = FIRST_PAUSE;
    private long lastFailureNanos;

    RegistryOutages(MeterRegistry registry) {
        replaced = Counter.builder("nodeincidents.stream.threads.replaced")
                .description("Stream threads replaced after a failure that does not end the correlator.")
                .tag("reason", "schema_registry_unavailable").register(registry);
    }

    /** Whether {@code failure} is a registry outage: then it was logged, and the caller replaces the thread. */
    synchronized boolean retries(Throwable failure) {
        SchemaRegistryUnavailableException outage = outage(failure);
        if (outage == null) {
            return false;
        }
        long now = System.nanoTime();
        // an outage over: the next one starts with a short pause again
        if (now - lastFailureNanos > 2 * MAX_PAUSE.toNanos()) {
            pause = FIRST_PAUSE;
        }
        lastFailureNanos = now;
        LOG.warn("schema registry unavailable, retrying from the last commit in {} s (records stay in their topics;"
                + " nothing is dead-lettered): {}", pause.toSeconds(), outage.getMessage());
        replaced.increment();
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        return true;
    }

    private static SchemaRegistryUnavailableException outage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryUnavailableException unavailable) {
                return unavailable;
            }
        }
        return null;
    }
}
