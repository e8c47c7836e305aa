package io.nodeincidents.topology;

import io.nodeincidents.schemas.JournalEntry;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Reads journal.entries values into {@link SourceEntry}: the given JournalEntry deserializer's records as
 * {@link SourceEntry.Decoded}; bytes it rejects as not a valid record ({@link SerializationException}), and null
 * values, as {@link SourceEntry.Undecodable}. Decoding once, at the source, lets the event-time extractor read the
 * entry's own time. A registry that cannot be reached is not the record's fault: that error still propagates, so
 * Kafka Streams retries or stops instead of dead-lettering good records.
 */
final class SourceEntrySerde implements Serde<SourceEntry> {

    private final Serde<JournalEntry> entries;
    private final Deserializer<JournalEntry> reader;

    /**
     * @param entries the topic's serde, for writing
     * @param reader  how to read: may leave fields the correlator never looks at undecoded
     */
    SourceEntrySerde(Serde<JournalEntry> entries, Deserializer<JournalEntry> reader) {
        this.entries = entries;
        this.reader = reader;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // the wrapped serde comes configured from Topics
    }

    @Override
    public Serializer<SourceEntry> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            if (value instanceof SourceEntry.Decoded decoded) {
                return entries.serializer().serialize(topic, decoded.entry());
            }
            return ((SourceEntry.Undecodable) value).raw();
        };
    }

    @Override
    public Deserializer<SourceEntry> deserializer() {
        Deserializer<JournalEntry> inner = reader;
        return (topic, data) -> {
            if (data == null) {
                return new SourceEntry.Undecodable(null, "null value (tombstone): journal.entries carries no deletes");
            }
            try {
                JournalEntry entry = inner.deserialize(topic, data);
                if (entry == null) {
                    return new SourceEntry.Undecodable(data, "value decoded to null");
                }
                return new SourceEntry.Decoded(entry);
            } catch (SerializationException e) {
                return new SourceEntry.Undecodable(data, oneLine(e));
            }
        };
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        message = message.replace('\n', ' ').replace('\r', ' ');
        return message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
    }
}
