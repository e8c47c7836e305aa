package io.nodeincidents.topology;

import io.nodeincidents.correlation.EntryIdentity;
import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.correlation.HostEvent;
import io.nodeincidents.correlation.HostExtraction;
import io.nodeincidents.correlation.Sightings;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.SetAside;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.trust.Refusal;
import io.nodeincidents.trust.RefusalTally;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every journal.entries record goes here. Undecodable values become dead letters; the rest runs through
 * {@link HostExtraction} (event extraction per host at the host's own time) over three stores: each host's
 * {@link HostLogState}, each host's {@link HostClock} (shared with {@link HostCorrelation}), and the identities of the
 * entries that went to the decoders (same host, boot and journald cursor, as a shipper restart re-sends them; same
 * host, boot, file and line for a replayed file), so that a repeat of one is dropped. The task's stream time and
 * wall-clock punctuators are its ticks; the completed events go on as their records with their host's time, what the
 * decoders set aside and entries that could not be processed to the dead-letter topic.
 *
 * <p>Identities are remembered in a window store for the dedup retention of stream time after they arrived, so the
 * store stays bounded. Arrival, not the entry's own time: the store forgets by the newest time put in it, so an old log
 * replayed into a live partition (its entries dated far behind stream time) would otherwise never be remembered, and a
 * replay of it sent twice would count twice. Only the few entries in a hundred that start or continue something are
 * remembered: a repeat of any other line changes nothing.
 */
final class EventExtraction implements Processor<String, SourceEntry, String, Routing.Extracted> {

    /** The identities of the entries that went to the decoders, by arrival (stream time). */
    static final String SEEN = "journal-entry-dedup";
    static final String STORE = "host-log-state";
    /** Every host's {@link HostClock}; written here, read by {@link HostCorrelation}. */
    static final String CLOCKS = "host-clock";
    private static final Logger LOG = LoggerFactory.getLogger(EventExtraction.class);

    private final NodeEventExtractor extractor;
    private final String topic;
    private final Duration streamPunctuation;
    private final Duration wallClockPunctuation;
    private final Duration clockRetention;
    private final long dedupRetentionMs;
    private final int maxDeadLetterBytes;
    /** Counts each refused entry (the metric). */
    private final Consumer<Refusal> refusals;
    /** The refusals told in the log: once per host, claim and sender, not once per line. */
    private final RefusalTally told = new RefusalTally();
    private ProcessorContext<String, Routing.Extracted> context;
    private WindowStore<String, Long> seen;
    private HostExtraction extraction;
    /** Sends what the ticks and stream-time jumps complete on, at the times the driver gives. */
    private final HostExtraction.Sink forwarding = new HostExtraction.Sink() {
        @Override
        public void event(String host, HostEvent event, long timestampMs) {
            context.forward(new Record<>(host, routed(event), timestampMs));
        }

        @Override
        public void setAside(String host, SetAside setAside, long timestampMs) {
            EventExtraction.this.setAside(host, setAside, timestampMs);
        }

        @Override
        public void unconvertible(String host, RuntimeException failure, long timestampMs) {
            context.forward(new Record<>(host, unconverted(host, failure, timestampMs), timestampMs));
        }

        @Override
        public void refused(String host, Refusal refusal, long timestampMs) {
            EventExtraction.this.refused(host, refusal);
        }
    };

    /** What the entry being processed completed, sent on once its processing succeeded. */
    private final List<Routing.Extracted> completed = new ArrayList<>();
    /** The entry being processed. */
    private Record<String, SourceEntry> current;
    /** Collects an entry's outputs: one object for all entries, not one per entry. */
    private final HostExtraction.Sink byEntry = new HostExtraction.Sink() {
        @Override
        public void event(String host, HostEvent event, long timestampMs) {
            completed.add(routed(event));
        }

        @Override
        public void setAside(String host, SetAside setAside, long timestampMs) {
            EventExtraction.this.setAside(host, setAside, timestampMs);
        }

        @Override
        public void unconvertible(String host, RuntimeException failure, long timestampMs) {
            completed.add(unconverted(current.key(), failure, timestampMs));
        }

        @Override
        public void refused(String host, Refusal refusal, long timestampMs) {
            EventExtraction.this.refused(host, refusal);
        }
    };

    /**
     * @param clockRetention     how long, in stream time, the clock of a host that logs nothing is kept; after that
     *                           the host starts its clock afresh from its next entry
     * @param dedupRetention     how long, in stream time, an entry that went to the decoders is remembered
     * @param maxDeadLetterBytes the most of an undecodable value a dead letter keeps
     * @param refusals           counts each entry refused as evidence
     */
    EventExtraction(String topic, Duration streamPunctuation, Duration wallClockPunctuation, Duration clockRetention,
                    Duration dedupRetention, int maxDeadLetterBytes, NodeEventExtractor extractor,
                    Consumer<Refusal> refusals) {
        this.extractor = extractor;
        this.refusals = refusals;
        this.dedupRetentionMs = dedupRetention.toMillis();
        this.maxDeadLetterBytes = maxDeadLetterBytes;
        this.topic = topic;
        this.streamPunctuation = streamPunctuation;
        this.wallClockPunctuation = wallClockPunctuation;
        this.clockRetention = clockRetention;
    }

    @Override
    public void init(ProcessorContext<String, Routing.Extracted> context) {
        this.context = context;
        KeyValueStore<String, HostLogState> states = context.getStateStore(STORE);
        KeyValueStore<String, HostClock> clocks = context.getStateStore(CLOCKS);
        this.seen = context.getStateStore(SEEN);
        Sightings sightings = this::firstSighting;
        this.extraction = new HostExtraction(extractor, clockRetention, new StoreStateMap<>(states),
                new StoreStateMap<>(clocks), sightings);
        context.schedule(streamPunctuation, PunctuationType.STREAM_TIME,
                now -> extraction.onStreamTime(now, forwarding));
        context.schedule(wallClockPunctuation, PunctuationType.WALL_CLOCK_TIME,
                wallClock -> extraction.onWallClock(wallClock, context.currentStreamTimeMs(),
                        context.currentSystemTimeMs(), forwarding));
    }

    @Override
    public void process(Record<String, SourceEntry> record) {
        if (record.value() instanceof SourceEntry.Undecodable bad) {
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.undecodable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), bad, maxDeadLetterBytes))));
            return;
        }
        JournalEntry entry = ((SourceEntry.Decoded) record.value()).entry();
        LogLine line;
        boolean starts;
        Refusal refused;
        try {
            line = JournalEntries.toLogLine(entry);
            refused = extractor.refusal(line);
            starts = refused == null && extractor.startsSomething(line);
        } catch (RuntimeException e) {
            // an entry no reader expected must not stop the application
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.unprocessable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), entry,
                    DeadLetters.EXTRACTION_FAILED
                            + "entry could not be read as a log line: " + SourceEntrySerde.oneLine(e)))));
            return;
        }
        long streamTime = context.currentStreamTimeMs();
        extraction.beforeEntry(streamTime, context.currentSystemTimeMs(), forwarding);
        current = record;
        try {
            Long micros = entry.getRealtimeMicros();
            extraction.onEntry(new HostExtraction.Entry(line, micros != null && micros >= 0, record.timestamp(),
                    starts, refused), streamTime, byEntry);
        } catch (RuntimeException e) {
            completed.clear();
            // a line no decoder expected must not stop the host's (or anyone's) processing
            LOG.warn("journal entry of host {} could not be processed, sent to the dead-letter topic", entry.getHost(),
                    e);
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.unprocessable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), entry,
                    DeadLetters.EXTRACTION_FAILED + SourceEntrySerde.oneLine(e)))));
            return;
        }
        if (!completed.isEmpty()) {
            // the entry's events go on after its processing succeeded, as one step
            List<Routing.Extracted> events = new ArrayList<>(completed);
            completed.clear();
            for (Routing.Extracted event : events) {
                context.forward(record.withValue(event));
            }
        }
    }

    /** Whether the entry is new within the dedup retention before {@code arrivalMs}; remembers it if so. */
    private boolean firstSighting(EntryIdentity identity, long arrivalMs) {
        String key = identity.key();
        try (WindowStoreIterator<Long> earlier = seen.fetch(key, Math.max(0, arrivalMs - dedupRetentionMs),
                arrivalMs)) {
            if (earlier.hasNext()) {
                return false;
            }
        }
        seen.put(key, arrivalMs, arrivalMs);
        return true;
    }

    /** Counts a refused entry; the first of its host, claim and sender is logged. */
    private void refused(String host, Refusal refusal) {
        refusals.accept(refusal);
        if (told.add(host, refusal)) {
            LOG.warn("host {}: refused {} (counted in nodeincidents_entries_refused_total; further ones are not"
                    + " logged)", host, refusal.describe());
        }
    }

    /** Reports the decoder could not read go to the dead-letter topic; the host's processing goes on without them. */
    private void setAside(String host, SetAside s, long timestampMs) {
        LOG.warn("host {}: {} at {}, sent to the dead-letter topic", host, s.reason(), s.ref());
        context.forward(new Record<String, Routing.Extracted>(host, new Routing.Rejected(DeadLetters.ofHost(topic,
                host, timestampMs, DeadLetters.EXTRACTION_FAILED + s.reason() + " at " + s.ref())), timestampMs));
    }

    private static Routing.Extracted routed(HostEvent event) {
        return event instanceof HostEvent.Kernel kernel ? new Routing.KernelEvent(kernel.event(), kernel.hostTimeMs())
                : new Routing.RuntimeEvent(((HostEvent.Runtime) event).event(), event.hostTimeMs());
    }

    private Routing.Extracted unconverted(String host, RuntimeException e, long timestampMs) {
        LOG.warn("event of host {} could not be converted, sent to the dead-letter topic", host, e);
        return new Routing.Rejected(DeadLetters.ofHost(topic, host, timestampMs,
                "event record conversion failed: " + SourceEntrySerde.oneLine(e)));
    }
}
