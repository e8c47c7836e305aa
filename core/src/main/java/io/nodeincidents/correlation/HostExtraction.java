package io.nodeincidents.correlation;

import io.nodeincidents.events.EventRecords;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.SetAside;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.trust.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event extraction per host at the host's own time: runs {@link NodeEventExtractor} with each host's
 * {@link HostLogState} in one {@link StateMap}, and keeps each host's {@link HostClock} in a second one (shared with
 * {@link HostIncidents}): whatever is idle on a host is judged by the host's time, not stream time, so a host whose
 * entries run far behind the others' (an old log replayed into a live system) is not cut short by them. Each completed
 * event carries its host's time for the correlation.
 *
 * <p>Inputs are explicit: the entries of the hosts with the stream time they are processed at
 * ({@link #beforeEntry} then {@link #onEntry}), stream-time ticks ({@link #onStreamTime}) and wall-clock ticks
 * ({@link #onWallClock}) that complete what went idle when no line of the host comes to do it; the wall-clock tick
 * extrapolates each host's time by the wall-clock time since stream time last advanced, so a kernel report completes
 * after its idle gap even when the host and everything around it go quiet, while a fast replay of an old log (stream
 * time racing ahead) is never cut by the wall clock. Outputs go to an {@link Sink}.
 *
 * <p>Not thread-safe; one instance per set of state maps (a Kafka Streams task).
 */
public final class HostExtraction {

    /**
     * One entry of a host, as {@link #onEntry} takes it.
     *
     * @param startsSomething whether the line changes anything for a host with nothing under way
     *                        ({@link NodeEventExtractor#startsSomething})
     * @param refused         why the line is refused as evidence ({@link NodeEventExtractor#refusal}), or null
     */
    public record Entry(LogLine line, boolean ownTime, long recordTimeMs, boolean startsSomething, Refusal refused) {

        /** An entry that is not refused. */
        public Entry(LogLine line, boolean ownTime, long recordTimeMs, boolean startsSomething) {
            this(line, ownTime, recordTimeMs, startsSomething, null);
        }
    }

    /** Where the outputs go. */
    public interface Sink {
        /** A completed event of {@code host}, to be sent on with record time {@code timestampMs}. */
        void event(String host, HostEvent event, long timestampMs);

        /** A report or line the decoders could not read; the host's processing goes on without it. */
        void setAside(String host, SetAside setAside, long timestampMs);

        /** A completed event that could not be turned into its record. */
        void unconvertible(String host, RuntimeException failure, long timestampMs);

        /** An entry refused as evidence; nothing else happened with it. */
        default void refused(String host, Refusal refusal, long timestampMs) {
        }
    }

    private final NodeEventExtractor extractor;
    private final long clockRetentionMs;
    /** How old the stored "last logged" time of a host may get before an entry of the host refreshes it. */
    private final long clockRefreshMs;
    private final StateMap<HostLogState> states;
    private final StateMap<HostClock> clocks;
    private final Sightings sightings;
    private long observedStreamTime = -1;
    private long wallClockAtObserved;
    private long lastClockPruning = -1;
    /**
     * The hosts the state map holds (those with pending state) and their states as stored, kept in step by
     * {@link #store} and rebuilt by every full walk: when stream time moves with nearly every entry, a walk of a store
     * per entry (a RocksDB iterator over all the tombstones of hosts gone quiet) would cost more than all the
     * decoding, and so would reading (a JSON decode) every pending host's state from a store on each jump.
     */
    private final Map<String, HostLogState> pendingHosts = new TreeMap<>(MemoryStateMap.UTF8_ORDER);
    private boolean scanned;
    /** The hosts' clocks as stored: read from the map once per host, not once per entry. */
    private final Map<String, HostClock> clockMirror = new HashMap<>();

    /**
     * @param clockRetention how long, in stream time, the clock of a host that logs nothing is kept; after that the
     *                       host starts its clock afresh from its next entry
     * @param sightings      the entries seen before: an entry that goes to the decoders is dropped when it is a repeat
     */
    public HostExtraction(NodeEventExtractor extractor, Duration clockRetention, StateMap<HostLogState> states,
                          StateMap<HostClock> clocks, Sightings sightings) {
        this.extractor = extractor;
        this.sightings = sightings;
        this.clockRetentionMs = clockRetention.toMillis();
        this.clockRefreshMs = Math.max(1, clockRetentionMs / 24);
        this.states = states;
        this.clocks = clocks;
    }

    /**
     * Stream time is {@code streamTimeMs} with the next entry (at wall-clock time {@code wallClockMs}). When it jumped,
     * whatever the jump completes on hosts with pending state is sent on first, at the stream time before the jump:
     * the correlation then still joins it to incidents that the jump is about to resolve, instead of finding them
     * resolved and the evidence too late.
     */
    public void beforeEntry(long streamTimeMs, long wallClockMs, Sink sink) {
        if (observedStreamTime >= 0 && streamTimeMs > observedStreamTime) {
            expirePending(streamTimeMs, 0, observedStreamTime, sink);
        }
        observe(streamTimeMs, wallClockMs);
    }

    /**
     * One entry of a host at stream time {@code streamTimeMs} (after {@link #beforeEntry}): a repeat of an entry that
     * went to the decoders is dropped; the completed events go to the sink at the entry's record time; a failure of
     * the decoders is thrown, with the host's clock moved on and its state as before the entry.
     */
    public void onEntry(Entry entry, long streamTimeMs, Sink sink) {
        String host = entry.line().host();
        if (entry.refused() != null) {
            // its time is journald's, not the sender's: it moves the host's clock like any entry
            tick(host, entry, streamTimeMs);
            sink.refused(host, entry.refused(), entry.recordTimeMs());
            return;
        }
        boolean pending = hasPendingState(host);
        if (!pending && !entry.startsSomething()) {
            // the ~99% of lines that can start nothing, on a host with nothing under way: the step would return the
            // empty state and no events, and a repeat of the line would change nothing either
            tick(host, entry, streamTimeMs);
            return;
        }
        if (pending && !entry.startsSomething() && predatesPendingReport(stateOf(host), entry.line())) {
            // a shipper that restarted re-sends the entries after its last saved cursor; one that started nothing the
            // first time was not remembered, and must not land in the report that a later line started
            return;
        }
        // only the entries that go to the decoders are remembered: a few in a hundred, not a store write per entry
        EntryIdentity identity = EntryIdentity.of(entry.line());
        if (identity != null && !sightings.firstSighting(identity, streamTimeMs)) {
            return;
        }
        long hostTime = tick(host, entry, streamTimeMs);
        HostLogState before = pending ? stateOf(host) : HostLogState.EMPTY;
        NodeEventExtractor.Step step = extractor.step(before, entry.line());
        if (!step.state().equals(before)) {
            // most lines leave an empty state empty: no write, so no tombstone per line in a store and its changelog
            store(host, step.state());
        }
        for (SetAside s : step.setAside()) {
            sink.setAside(host, s, entry.recordTimeMs());
        }
        for (NodeEvent event : step.events()) {
            send(host, event, entry.recordTimeMs(), hostTime, sink);
        }
    }

    /** The stream-time tick: completes what went idle on every host with pending state, and forgets quiet clocks. */
    public void onStreamTime(long streamTimeMs, Sink sink) {
        expireAll(streamTimeMs, 0, streamTimeMs, sink);
        pruneClocks(streamTimeMs);
    }

    /**
     * The wall-clock tick at {@code wallClockMs}: when stream time ({@code streamTimeMs}, negative before any entry)
     * has not moved since the last tick or entry, completes what went idle by the hosts' times extrapolated by the
     * wall-clock time since; when it has, notes it as moved at wall-clock time {@code systemTimeMs} (the caller's
     * current reading, which may differ from the tick's by the time it took to come to it).
     */
    public void onWallClock(long wallClockMs, long streamTimeMs, long systemTimeMs, Sink sink) {
        if (streamTimeMs < 0) {
            return;
        }
        if (streamTimeMs != observedStreamTime) {
            observe(streamTimeMs, systemTimeMs);
            return;
        }
        long idle = wallClockMs - wallClockAtObserved;
        if (idle > 0) {
            // completed at the extrapolated time, but sent on at the host's time: the correlation's clock must never
            // run ahead of stream time
            expireAll(streamTimeMs, idle, streamTimeMs, sink);
        }
    }

    /**
     * Moves the host's clock with one of its entries and returns the host's time. Only an entry with a time of its own
     * moves it: an entry without one is placed at its time of producing, which for a replayed old log is today, and
     * would make the host's whole replay late.
     *
     * <p>The map is written only when the host's time changes against stream time (its lag behind it), or when the
     * stored "last logged" stream time is older than {@link #clockRefreshMs}: a clock's reading at a later stream time
     * does not depend on which of its entries last wrote it, while a write per entry would be a changelog record per
     * host and commit, as many records as the input itself with a thousand hosts on a partition.
     */
    private long tick(String host, Entry entry, long streamTime) {
        HostClock clock = clockOf(host);
        HostClock next;
        if (clock == null) {
            next = HostClock.start(Math.min(entry.recordTimeMs(), streamTime), streamTime);
        } else if (entry.ownTime()) {
            next = clock.observe(Math.min(entry.recordTimeMs(), streamTime), streamTime);
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

    /** The host's stored clock, from the mirror when it was read or written before. */
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
        for (Map.Entry<String, HostClock> host : clocks.entries()) {
            // a stored clock may be up to the refresh interval behind the host's last entry
            HostClock clock = host.getValue();
            if (clock == null || streamTime - clock.streamTimeMs() > clockRetentionMs + clockRefreshMs) {
                quiet.add(host.getKey());
            }
        }
        for (String host : quiet) {
            if (states.get(host) == null) {
                clocks.delete(host);
                clockMirror.remove(host);
            }
        }
    }

    private void observe(long streamTime, long wallClockMs) {
        if (streamTime != observedStreamTime) {
            observedStreamTime = streamTime;
            wallClockAtObserved = wallClockMs;
        }
    }

    /**
     * Completes, on every host with pending state, what has been idle for longer than its gap at the host's time at
     * stream time {@code streamTimeMs} plus {@code extraMs} (wall-clock extrapolation), and sends the events on with
     * record time {@code sentAtMs} and the host's time at stream time {@code sentAtMs}.
     */
    private void expireAll(long streamTimeMs, long extraMs, long sentAtMs, Sink sink) {
        List<Map.Entry<String, HostLogState>> pending = states.entries();
        pendingHosts.clear();
        for (Map.Entry<String, HostLogState> host : pending) {
            if (host.getValue() != null) {
                pendingHosts.put(host.getKey(), host.getValue());
            }
        }
        scanned = true;
        expire(pending, streamTimeMs, extraMs, sentAtMs, sink);
    }

    /** The same as {@link #expireAll} for the hosts known to have pending state, without walking the map. */
    private void expirePending(long streamTimeMs, long extraMs, long sentAtMs, Sink sink) {
        if (!scanned) {
            expireAll(streamTimeMs, extraMs, sentAtMs, sink);
            return;
        }
        expire(new ArrayList<>(pendingHosts.entrySet()), streamTimeMs, extraMs, sentAtMs, sink);
    }

    private void expire(List<Map.Entry<String, HostLogState>> pending, long streamTimeMs, long extraMs, long sentAtMs,
                        Sink sink) {
        for (Map.Entry<String, HostLogState> host : pending) {
            String name = host.getKey();
            HostLogState state = host.getValue();
            if (state == null) {
                states.delete(name);
                pendingHosts.remove(name);
                continue;
            }
            HostClock clock = clockOf(name);
            long nowMs = HostClock.now(clock, streamTimeMs) + extraMs;
            NodeEventExtractor.Step step = extractor.expire(state, Math.multiplyExact(nowMs, 1000L));
            for (SetAside s : step.setAside()) {
                sink.setAside(name, s, sentAtMs);
            }
            if (!step.events().isEmpty() || !step.state().equals(state)) {
                store(name, step.state());
                long hostTime = HostClock.now(clock, sentAtMs);
                for (NodeEvent event : step.events()) {
                    send(name, event, sentAtMs, hostTime, sink);
                }
            }
        }
    }

    /**
     * Whether the host has pending state, without a lookup in the map: most entries come from hosts with nothing
     * pending, and a lookup that misses a store's cache is a RocksDB read per entry.
     */
    private boolean hasPendingState(String host) {
        if (!scanned) {
            // after a (re)start the map may hold restored state: learn which hosts have some, once
            for (Map.Entry<String, HostLogState> kv : states.entries()) {
                if (kv.getValue() != null) {
                    pendingHosts.put(kv.getKey(), kv.getValue());
                }
            }
            scanned = true;
        }
        return pendingHosts.containsKey(host);
    }

    /**
     * Whether {@code line} is a kernel line that comes before, in its own journal (same sequence) or file, the first
     * line of the report being assembled on its host: it cannot belong to that report.
     */
    static boolean predatesPendingReport(HostLogState state, LogLine line) {
        if (state.pendingReport() == null || !line.isKernel()) {
            return false;
        }
        LineRef first = state.pendingReport().firstLine();
        LineRef ref = line.ref();
        if (first == null || ref == null) {
            return false;
        }
        if (first.cursor() != null && ref.cursor() != null) {
            SeenEntries.JournalSequence start = SeenEntries.JournalSequence.of(first.cursor());
            SeenEntries.JournalSequence at = SeenEntries.JournalSequence.of(ref.cursor());
            return start != null && at != null && start.id().equals(at.id()) && at.number() < start.number();
        }
        return first.file() != null && first.file().equals(ref.file()) && first.line() != null && ref.line() != null
                && ref.line() < first.line();
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

    private static void send(String host, NodeEvent event, long timestampMs, long hostTimeMs, Sink sink) {
        HostEvent record;
        try {
            record = event instanceof NodeEvent.Kernel kernel
                    ? new HostEvent.Kernel(EventRecords.kernelEvent(kernel.report()), hostTimeMs)
                    : new HostEvent.Runtime(EventRecords.runtimeEvent(((NodeEvent.Runtime) event).failure()),
                    hostTimeMs);
        } catch (RuntimeException e) {
            sink.unconvertible(host, e, timestampMs);
            return;
        }
        sink.event(host, record, timestampMs);
    }
}
