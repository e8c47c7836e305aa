package io.nodeincidents.topology;

import io.nodeincidents.events.EventRecords;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.SetAside;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.JournalEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link NodeEventExtractor} per host with its {@link HostLogState} in a store, and turns the completed events
 * into their Avro records ({@link EventRecords}). Every host has its own {@link HostClock} in a second store (shared
 * with {@link HostCorrelation}): whatever is idle on a host is judged by the host's time, not the task's stream time,
 * so a host whose entries run far behind the others' on its partition (an old log replayed into a live system) is
 * not cut short by them. Each completed event carries its host's time for the correlation.
 *
 * <p>Two punctuators complete what went idle when no line of the host comes to do it: one on stream time, one on
 * wall-clock time that extrapolates each host's time by the wall-clock time since stream time last advanced - so a
 * kernel report completes after its idle gap even when the host and its whole partition go quiet, while a fast
 * replay of an old log (stream time racing ahead) is never cut by the wall clock.
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
    private final long clockRetentionMs;
    private ProcessorContext<String, Routing.Extracted> context;
    private KeyValueStore<String, HostLogState> states;
    private KeyValueStore<String, HostClock> clocks;
    private long observedStreamTime = -1;
    private long wallClockAtObserved;
    private long lastClockPruning = -1;
    /**
     * The hosts the store holds (those with pending state) and their states as stored, kept in step by {@link #store}
     * and rebuilt by every full scan: when stream time moves with nearly every record, a scan of the store per record
     * (a RocksDB iterator over all the tombstones of hosts gone quiet) would cost more than all the decoding, and so
     * would reading (a JSON decode) every pending host's state from the store on each jump.
     */
    private final Map<String, HostLogState> pendingHosts = new TreeMap<>();
    private boolean scanned;
    /** This task's hosts' clocks as stored: read from the store once per host, not once per entry. */
    private final Map<String, HostClock> clockMirror = new HashMap<>();
    /** How old the stored "last logged" time of a host may get before an entry of the host refreshes it. */
    private final long clockRefreshMs;

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
        this.clockRetentionMs = clockRetention.toMillis();
        this.clockRefreshMs = Math.max(1, clockRetentionMs / 24);
    }

    @Override
    public void init(ProcessorContext<String, Routing.Extracted> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
        this.clocks = context.getStateStore(CLOCKS);
        this.pendingHosts.clear();
        this.clockMirror.clear();
        this.scanned = false;
        context.schedule(streamPunctuation, PunctuationType.STREAM_TIME, now -> {
            expireAll(now, 0, now);
            pruneClocks(now);
        });
        context.schedule(wallClockPunctuation, PunctuationType.WALL_CLOCK_TIME, wallClock -> {
            long streamTime = context.currentStreamTimeMs();
            if (streamTime < 0) {
                return;
            }
            if (streamTime != observedStreamTime) {
                observe(streamTime);
                return;
            }
            long idle = wallClock - wallClockAtObserved;
            if (idle > 0) {
                // completed at the extrapolated time, but sent on at the host's time: the correlation's clock must
                // never run ahead of stream time
                expireAll(streamTime, idle, streamTime);
            }
        });
    }

    @Override
    public void process(Record<String, Routing.Accepted> record) {
        long streamTime = context.currentStreamTimeMs();
        if (observedStreamTime >= 0 && streamTime > observedStreamTime) {
            // Stream time jumped with this record. Whatever the jump completes on other hosts is sent on first, at
            // the stream time before the jump: the correlation then still joins it to incidents that the jump is
            // about to resolve, instead of finding them resolved and the evidence too late.
            expirePending(streamTime, 0, observedStreamTime);
        }
        observe(streamTime);
        JournalEntry entry = record.value().entry();
        LogLine line = record.value().line();
        List<NodeEvent> events;
        long hostTime;
        try {
            hostTime = tick(line.host(), entry, record.timestamp(), streamTime);
            boolean pending = hasPendingState(line.host());
            if (!pending && !record.value().concerns()) {
                // the ~99% of lines that can start nothing, on a host with nothing under way: the step would return
                // the empty state and no events
                return;
            }
            HostLogState before = pending ? stateOf(line.host()) : HostLogState.EMPTY;
            NodeEventExtractor.Step step = extractor.step(before, line);
            if (!step.state().equals(before)) {
                // most lines leave an empty state empty: no store write, so no tombstone per line in RocksDB and in
                // the changelog
                store(line.host(), step.state());
            }
            events = step.events();
            setAside(line.host(), step.setAside(), record.timestamp());
        } catch (RuntimeException e) {
            // a line no decoder expected must not stop the host's (or anyone's) processing
            LOG.warn("journal entry of host {} could not be processed, sent to the dead-letter topic", entry.getHost(),
                    e);
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.unprocessable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(), entry,
                    DeadLetters.EXTRACTION_FAILED + SourceEntrySerde.oneLine(e)))));
            return;
        }
        forward(record, events, hostTime);
    }

    /**
     * Moves the host's clock with one of its entries (placed at {@code recordTimeMs} by {@link EventTimeExtractor})
     * and returns the host's time. Only an entry with a time of its own moves it: an entry without one is placed at its
     * time of producing, which for a replayed old log is today, and would make the host's whole replay late.
     *
     * <p>The store is written only when the host's time changes against stream time (its lag behind it), or when the
     * stored "last logged" stream time is older than {@link #clockRefreshMs}: a clock's reading at a later stream time
     * does not depend on which of its entries last wrote it, while a write per entry would be a changelog record per
     * host and commit, as many records as the input itself with a thousand hosts on a partition.
     */
    private long tick(String host, JournalEntry entry, long recordTimeMs, long streamTime) {
        HostClock clock = clockOf(host);
        boolean ownTime = entry.getRealtimeMicros() != null && entry.getRealtimeMicros() >= 0;
        HostClock next;
        if (clock == null) {
            next = HostClock.start(Math.min(recordTimeMs, streamTime), streamTime);
        } else if (ownTime) {
            next = clock.observe(Math.min(recordTimeMs, streamTime), streamTime);
        } else {
            next = clock;
        }
        if (clock == null || next.lagMs() != clock.lagMs()
                || next.streamTimeMs() - clock.streamTimeMs() >= clockRefreshMs) {
            clocks.put(host, next);
            clockMirror.put(host, next);
        }
        return next.now(streamTime);
    }

    /** The host's stored clock, from the mirror when this task has read or written it before. */
    private HostClock clockOf(String host) {
        HostClock clock = clockMirror.get(host);
        if (clock == null) {
            clock = clocks.get(host);
            if (clock != null) {
                clockMirror.put(host, clock);
            }
        }
        return clock;
    }

    /**
     * Forgets the clocks of hosts that logged nothing for the clock retention of stream time and have nothing pending,
     * at most once per retention period (the clocks are few, one per host, but a churning fleet never stops adding).
     */
    private void pruneClocks(long streamTime) {
        if (lastClockPruning >= 0 && streamTime - lastClockPruning < clockRetentionMs) {
            return;
        }
        lastClockPruning = streamTime;
        List<String> quiet = new ArrayList<>();
        try (KeyValueIterator<String, HostClock> all = clocks.all()) {
            all.forEachRemaining(host -> {
                // a stored clock may be up to the refresh interval behind the host's last entry
                if (host.value == null || streamTime - host.value.streamTimeMs() > clockRetentionMs + clockRefreshMs) {
                    quiet.add(host.key);
                }
            });
        }
        for (String host : quiet) {
            if (states.get(host) == null) {
                clocks.delete(host);
                clockMirror.remove(host);
            }
        }
    }

    private void observe(long streamTime) {
        if (streamTime != observedStreamTime) {
            observedStreamTime = streamTime;
            wallClockAtObserved = context.currentSystemTimeMs();
        }
    }

    /**
     * Completes, on every host with pending state, what has been idle for longer than its gap at the host's time at
     * stream time {@code streamTimeMs} plus {@code extraMs} (wall-clock extrapolation), and sends the events on with
     * record time {@code sentAtMs} and the host's time at stream time {@code sentAtMs}.
     */
    private void expireAll(long streamTimeMs, long extraMs, long sentAtMs) {
        List<KeyValue<String, HostLogState>> pending = new ArrayList<>();
        try (KeyValueIterator<String, HostLogState> all = states.all()) {
            all.forEachRemaining(pending::add);
        }
        pendingHosts.clear();
        for (KeyValue<String, HostLogState> host : pending) {
            if (host.value != null) {
                pendingHosts.put(host.key, host.value);
            }
        }
        scanned = true;
        expire(pending, streamTimeMs, extraMs, sentAtMs);
    }

    /** The same as {@link #expireAll} for the hosts known to have pending state, without scanning the store. */
    private void expirePending(long streamTimeMs, long extraMs, long sentAtMs) {
        if (!scanned) {
            expireAll(streamTimeMs, extraMs, sentAtMs);
            return;
        }
        List<KeyValue<String, HostLogState>> pending = new ArrayList<>(pendingHosts.size());
        pendingHosts.forEach((host, state) -> pending.add(KeyValue.pair(host, state)));
        expire(pending, streamTimeMs, extraMs, sentAtMs);
    }

    private void expire(List<KeyValue<String, HostLogState>> pending, long streamTimeMs, long extraMs, long sentAtMs) {
        for (KeyValue<String, HostLogState> host : pending) {
            if (host.value == null) {
                states.delete(host.key);
                pendingHosts.remove(host.key);
                continue;
            }
            HostClock clock = clockOf(host.key);
            long nowMs = HostClock.now(clock, streamTimeMs) + extraMs;
            NodeEventExtractor.Step step = extractor.expire(host.value, Math.multiplyExact(nowMs, 1000L));
            setAside(host.key, step.setAside(), sentAtMs);
            if (!step.events().isEmpty() || !step.state().equals(host.value)) {
                store(host.key, step.state());
                long hostTime = HostClock.now(clock, sentAtMs);
                for (NodeEvent event : step.events()) {
                    context.forward(new Record<>(host.key, toRecord(event, host.key, sentAtMs, hostTime), sentAtMs));
                }
            }
        }
    }

    /**
     * Whether the host has pending state, without a store lookup: most entries come from hosts with nothing pending,
     * and a lookup that misses the cache is a RocksDB read per entry.
     */
    private boolean hasPendingState(String host) {
        if (!scanned) {
            // after a (re)start the store may hold restored state: learn which hosts have some, once
            try (KeyValueIterator<String, HostLogState> all = states.all()) {
                all.forEachRemaining(kv -> {
                    if (kv.value != null) {
                        pendingHosts.put(kv.key, kv.value);
                    }
                });
            }
            scanned = true;
        }
        return pendingHosts.containsKey(host);
    }

    private HostLogState stateOf(String host) {
        HostLogState state = pendingHosts.get(host);
        return state == null ? HostLogState.EMPTY : state;
    }

    private void store(String host, HostLogState state) {
        if (state.isEmpty()) {
            states.delete(host);
            pendingHosts.remove(host);
        } else {
            states.put(host, state);
            pendingHosts.put(host, state);
        }
    }

    /** Reports the decoder could not read go to the dead-letter topic; the host's processing goes on without them. */
    private void setAside(String host, List<SetAside> setAside, long timestampMs) {
        for (SetAside s : setAside) {
            LOG.warn("host {}: {} at {}, sent to the dead-letter topic", host, s.reason(), s.ref());
            context.forward(new Record<String, Routing.Extracted>(host, new Routing.Rejected(DeadLetters.ofHost(topic,
                    host, timestampMs, DeadLetters.EXTRACTION_FAILED + s.reason() + " at " + s.ref())), timestampMs));
        }
    }

    private void forward(Record<String, Routing.Accepted> record, List<NodeEvent> events, long hostTime) {
        for (NodeEvent event : events) {
            context.forward(record.withValue(toRecord(event, record.key(), record.timestamp(), hostTime)));
        }
    }

    private Routing.Extracted toRecord(NodeEvent event, String host, long timestampMs, long hostTimeMs) {
        try {
            if (event instanceof NodeEvent.Kernel kernel) {
                return new Routing.KernelEvent(EventRecords.kernelEvent(kernel.report()), hostTimeMs);
            }
            return new Routing.RuntimeEvent(EventRecords.runtimeEvent(((NodeEvent.Runtime) event).failure()),
                    hostTimeMs);
        } catch (RuntimeException e) {
            LOG.warn("event of host {} could not be converted, sent to the dead-letter topic", host, e);
            return new Routing.Rejected(DeadLetters.ofHost(topic, host, timestampMs,
                    "event record conversion failed: " + SourceEntrySerde.oneLine(e)));
        }
    }
}
