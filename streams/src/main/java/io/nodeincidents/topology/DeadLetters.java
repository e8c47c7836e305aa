package io.nodeincidents.topology;

import io.nodeincidents.schemas.DeadLetter;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds the {@link DeadLetter} records: reason, where the record was read, its bounded raw bytes, its origin. */
final class DeadLetters {

    /**
     * Start of the reason of an entry whose reading as a line or event extraction failed; metrics tell that kind of
     * dead letter by it ({@link io.nodeincidents.metrics.DeadLetterReason#EXTRACTION_FAILED}).
     */
    static final String EXTRACTION_FAILED = "event extraction failed: ";

    private DeadLetters() {
    }

    /** Bytes that are not a journal entry. */
    static DeadLetter undecodable(String topic, Optional<RecordMetadata> where, String key, long timestampMillis,
            SourceEntry.Undecodable value, int maxValueBytes) {
        DeadLetter.Builder letter = base(value.reason(), topic, where, key, timestampMillis);
        byte[] raw = value.raw();
        if (raw != null) {
            int kept = Math.min(raw.length, maxValueBytes);
            letter.setValue(ByteBuffer.wrap(Arrays.copyOf(raw, kept)))
                    .setValueSize(raw.length)
                    .setValueTruncated(kept < raw.length);
        }
        return letter.build();
    }

    /** A decoded entry the application could not process (a defect of ours, or a record no decoder expects). */
    static DeadLetter unprocessable(String topic, Optional<RecordMetadata> where, String key, long timestampMillis,
            JournalEntry entry, String reason) {
        DeadLetter.Builder letter = base(reason, topic, where, key, timestampMillis);
        if (entry != null) {
            EntrySource source = entry.getSource();
            letter.setHost(entry.getHost())
                    .setCursor(entry.getCursor())
                    .setFile(source == null ? null : source.getFile())
                    .setLine(source == null ? null : source.getLine())
                    .setEventTimeMicros(entry.getRealtimeMicros());
        }
        return letter.build();
    }

    /** A failure outside any one record (an event completed by a punctuator), for host {@code host}. */
    static DeadLetter ofHost(String topic, String host, long timestampMillis, String reason) {
        return base(reason, topic, Optional.empty(), host, timestampMillis).setHost(host).build();
    }

    private static DeadLetter.Builder base(String reason, String topic, Optional<RecordMetadata> where, String key,
            long timestampMillis) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setTopic(where.map(RecordMetadata::topic).orElse(topic))
                .setPartition(where.map(RecordMetadata::partition).orElse(null))
                .setOffset(where.map(RecordMetadata::offset).orElse(null))
                .setKey(key)
                .setRecordTimestampMillis(timestampMillis);
    }
}
