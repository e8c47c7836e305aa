package io.nodeincidents.topology;

import io.nodeincidents.correlation.EntryIdentity;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.JournalEntry;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * First step for every journal.entries record: undecodable values become dead letters; an entry seen before (same
 * host, boot and journald cursor, as a shipper restart re-sends them; same host, boot, file and line for a replayed
 * file) is dropped; the rest goes on. Identities are remembered in a window store for the dedup retention of stream
 * time after they arrived, so the store stays bounded. Arrival, not the entry's own time: the store forgets by the
 * newest time put in it, so an old log replayed into a live partition (its entries dated far behind stream time)
 * would otherwise never be remembered, and a replay of it sent twice would count twice. An entry with neither cursor
 * nor file and line cannot be told apart from a repeat of itself and always goes on.
 *
 * <p>Only entries that can contribute to an event are remembered (kernel lines, lines of unknown origin, lines the
 * runtime classifier recognises: {@link NodeEventExtractor#concerns}); a repeated ordinary line changes nothing
 * downstream. That keeps the store and its changelog to the ~1% of traffic that matters, instead of a write per entry.
 */
final class EntryIntake implements FixedKeyProcessor<String, SourceEntry, Routing.Intake> {

    static final String STORE = "journal-entry-dedup";

    private final String topic;
    private final Duration retention;
    private final int maxDeadLetterBytes;
    private FixedKeyProcessorContext<String, Routing.Intake> context;
    private WindowStore<String, Long> seen;
    private final NodeEventExtractor extractor;

    EntryIntake(String topic, Duration retention, int maxDeadLetterBytes, NodeEventExtractor extractor) {
        this.extractor = extractor;
        this.topic = topic;
        this.retention = retention;
        this.maxDeadLetterBytes = maxDeadLetterBytes;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Routing.Intake> context) {
        this.context = context;
        this.seen = context.getStateStore(STORE);
    }

    @Override
    public void process(FixedKeyRecord<String, SourceEntry> record) {
        if (record.value() instanceof SourceEntry.Undecodable bad) {
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.undecodable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), bad, maxDeadLetterBytes))));
            return;
        }
        JournalEntry entry = ((SourceEntry.Decoded) record.value()).entry();
        LogLine line;
        boolean concerns;
        try {
            line = JournalEntries.toLogLine(entry);
            concerns = extractor.concerns(line);
        } catch (RuntimeException e) {
            // an entry no reader expected must not stop the application
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.unprocessable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), entry,
                    DeadLetters.EXTRACTION_FAILED
                            + "entry could not be read as a log line: " + SourceEntrySerde.oneLine(e)))));
            return;
        }
        String identity = concerns ? identity(entry) : null;
        if (identity != null) {
            long arrival = Math.max(record.timestamp(), context.currentStreamTimeMs());
            long span = retention.toMillis();
            try (WindowStoreIterator<Long> earlier = seen.fetch(identity,
                    Instant.ofEpochMilli(Math.max(0, arrival - span)), Instant.ofEpochMilli(arrival))) {
                if (earlier.hasNext()) {
                    return;
                }
            }
            seen.put(identity, record.timestamp(), arrival);
        }
        context.forward(record.withValue(new Routing.Accepted(entry, line, concerns)));
    }

    /** The entry's identity, or null when it has none. */
    static String identity(JournalEntry entry) {
        EntryIdentity identity = EntryIdentity.of(entry);
        return identity == null ? null : identity.key();
    }
}
