package io.nodeincidents.topology;

import io.nodeincidents.schemas.JournalEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Places a journal entry at its own event time: {@code realtimeMicros} (journald's __REALTIME_TIMESTAMP), never the
 * time it arrived, so windows and gaps measure what happened on the host and a replayed old log correlates like a live
 * one. Falls back to the Kafka record timestamp (the shipper's time of producing) when the entry has no wall-clock
 * time (plain dmesg), could not be decoded, is dated before 1970, or lies more than {@code maxFutureMillis} ahead of
 * its record timestamp (a host clock gone wild would otherwise drag stream time into the future and make every other
 * entry late).
 */
final class EventTimeExtractor implements TimestampExtractor {

    private final long maxFutureMillis;

    EventTimeExtractor(long maxFutureMillis) {
        this.maxFutureMillis = maxFutureMillis;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long recordTime = record.timestamp();
        if (record.value() instanceof SourceEntry.Decoded decoded) {
            Long eventTime = eventTimeMillis(decoded.entry());
            if (eventTime != null && (recordTime < 0 || eventTime - recordTime <= maxFutureMillis)) {
                return eventTime;
            }
        }
        // a negative timestamp would make Kafka Streams drop the record: keep it, at the partition's time
        return recordTime >= 0 ? recordTime : Math.max(partitionTime, 0);
    }

    static Long eventTimeMillis(JournalEntry entry) {
        Long micros = entry.getRealtimeMicros();
        if (micros == null || micros < 0) {
            return null;
        }
        return micros / 1000;
    }
}
