package io.nodeincidents.topology;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.fleet.FleetCauseState;
import io.nodeincidents.forecast.HostMemoryState;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State-store values as JSON, for the domain's state records (records of records, lists, strings, numbers, enums):
 * {@link HostLogState}, {@link HostClock} and {@link FleetCauseState}. Unreadable bytes (corrupt, or written by a
 * version whose records differ) read as null - no state - with a warning: the states are short-lived or restart
 * cleanly (a host without a clock starts it from its next entry), so starting a key afresh loses at most one half-read
 * report or one fleet window, where failing would stop the whole application.
 *
 * @param <T> the state record
 */
final class JsonStateSerde<T> implements Serde<T> {

    private static final Logger LOG = LoggerFactory.getLogger(JsonStateSerde.class);
    // derived accessors (HostLogState.isEmpty) are written too; ignoring unknown names on the way back keeps them
    // harmless, and lets a newer version drop a field without breaking old stores
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Class<T> type;

    JsonStateSerde(Class<T> type) {
        this.type = type;
    }

    static JsonStateSerde<HostLogState> hostLogState() {
        return new JsonStateSerde<>(HostLogState.class);
    }

    static JsonStateSerde<HostClock> hostClock() {
        return new JsonStateSerde<>(HostClock.class);
    }

    static JsonStateSerde<HostMemoryState> hostMemoryState() {
        return new JsonStateSerde<>(HostMemoryState.class);
    }

    static JsonStateSerde<FleetCauseState> fleetCauseState() {
        return new JsonStateSerde<>(FleetCauseState.class);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return JSON.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON", e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> {
            if (data == null) {
                return null;
            }
            try {
                return JSON.readValue(data, type);
            } catch (IOException | RuntimeException e) {
                LOG.warn("stored {} is unreadable ({}); starting that key afresh", type.getSimpleName(),
                        e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
                return null;
            }
        };
    }
}
