package io.nodeincidents.topology;

import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.correlation.HostEvent;
import io.nodeincidents.correlation.HostExtraction;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.SetAside;
import io.nodeincidents.schemas.JournalEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link HostExtraction} (event extraction per host at the host's own time) over two stores: each host's
 * {@link HostLogState}, and each host's {@link HostClock} (shared with {@link HostCorrelation}). The task's stream
 * time and wall-clock punctuators are its ticks; the completed events go on as their records with their host's
 * time, what the decoders set aside and entries that could not be processed to the dead-letter topic.
 */
final class EventExtraction implements Processor<String, Routing.Accepted, String, Routing.Extracted> {

    static final String STORE = "host-log-state";
    /** Every host's {@link HostClock}; written here, read by {@link HostCorrelation}. */
    static final String CLOCKS = "host-clock";
    private static final Logger LOG = LoggerFactory.getLogger(EventExtraction.class);

    private final NodeEventExtractor extractor;
    private final String topic;
    private final Duration streamPunctuation;
    private final Duration wallClockPunctuation;
    private final Duration clockRetention;
    private ProcessorContext<String, Routing.Extracted> context;
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
    };

    /**
     * @param clockRetention how long, in stream time, the clock of a host that logs nothing is kept; after that the
     *                       host starts its clock afresh from its next entry
     */
    EventExtraction(String topic, Duration streamPunctuation, Duration wallClockPunctuation, Duration clockRetention,
                    NodeEventExtractor extractor) {
        this.extractor = extractor;
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
        this.extraction = new HostExtraction(extractor, clockRetention, new StoreStateMap<>(states),
                new StoreStateMap<>(clocks));
        context.schedule(streamPunctuation, PunctuationType.STREAM_TIME,
                now -> extraction.onStreamTime(now, forwarding));
        context.schedule(wallClockPunctuation, PunctuationType.WALL_CLOCK_TIME,
                wallClock -> extraction.onWallClock(wallClock, context.currentStreamTimeMs(),
                        context.currentSystemTimeMs(), forwarding));
    }

    @Override
    public void process(Record<String, Routing.Accepted> record) {
        long streamTime = context.currentStreamTimeMs();
        extraction.beforeEntry(streamTime, context.currentSystemTimeMs(), forwarding);
        JournalEntry entry = record.value().entry();
        List<Record<String, Routing.Extracted>> completed = new ArrayList<>();
        try {
            Long micros = entry.getRealtimeMicros();
            extraction.onEntry(new HostExtraction.Entry(record.value().line(), micros != null && micros >= 0,
                    record.timestamp(), record.value().concerns()), streamTime, new HostExtraction.Sink() {
                        @Override
                        public void event(String host, HostEvent event, long timestampMs) {
                            completed.add(record.withValue(routed(event)));
                        }

                        @Override
                        public void setAside(String host, SetAside setAside, long timestampMs) {
                            EventExtraction.this.setAside(host, setAside, timestampMs);
                        }

                        @Override
                        public void unconvertible(String host, RuntimeException failure, long timestampMs) {
                            completed.add(record.withValue(unconverted(record.key(), failure, timestampMs)));
                        }
                    });
        } catch (RuntimeException e) {
            // a line no decoder expected must not stop the host's (or anyone's) processing
            LOG.warn("journal entry of host {} could not be processed, sent to the dead-letter topic", entry.getHost(),
                    e);
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.unprocessable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), entry,
                    DeadLetters.EXTRACTION_FAILED + SourceEntrySerde.oneLine(e)))));
            return;
        }
        // the entry's events go on after its processing succeeded, as one step
        completed.forEach(context::forward);
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
