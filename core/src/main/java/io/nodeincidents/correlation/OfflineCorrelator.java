package io.nodeincidents.correlation;

import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.SetAside;
import io.nodeincidents.fleet.FleetCauseState;
import io.nodeincidents.fleet.FleetRollup;
import io.nodeincidents.incident.IncidentAggregator;
import io.nodeincidents.incident.IncidentSettings;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.trust.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The streaming correlator's per-host steps run over entries in this JVM, with their state in memory: the same
 * {@link HostExtraction}, {@link HostIncidents} and {@link FleetCauses} the Kafka Streams processors run, ticked as
 * Kafka Streams ticks them, so offline analysis gives the same incidents as the streaming app. Entries go in one at a
 * time as they are read, and each incident revision and fleet alert goes out as it is made: memory does not grow with
 * the input.
 *
 * <p>Each entry is processed at its record time (its own event time, or for an entry without one the time of the
 * timed entry before it), as the streaming app places it; stream time is the latest of them. Repeats of an entry
 * (same identity within the dedup retention) are dropped, as the app drops them. The caller gives the
 * entries in the order the hosts logged them (entries of several hosts one host after the other are fine: each host
 * has its own clock). At the end ({@link #finish}) stream time is moved past every open window, so pending reports
 * complete and open incidents resolve: the output holds every revision up to RESOLVED. Stream time moves in steps of
 * the shorter tick interval, there and wherever the log skips ahead, as it would on a live system: in one step,
 * incidents of every host would resolve at once.
 *
 * <p>Not thread-safe.
 */
public final class OfflineCorrelator {

    /**
     * One entry to process.
     *
     * @param line     the entry as a log line, or null when it could not be read as one (it still moves stream time)
     * @param ownTime  whether the entry has a time of its own (else {@code timeMs} is that of the entry before it)
     * @param timeMs   the record time to process it at
     * @param startsSomething whether the line changes anything for a host with nothing under way
     *                        ({@link NodeEventExtractor#startsSomething})
     * @param refused  why the line is refused as evidence ({@link NodeEventExtractor#refusal}), or null
     */
    public record Entry(LogLine line, boolean ownTime, long timeMs, boolean startsSomething, Refusal refused) {

        /** An entry that is not refused. */
        public Entry(LogLine line, boolean ownTime, long timeMs, boolean startsSomething) {
            this(line, ownTime, timeMs, startsSomething, null);
        }
    }

    /** Where the outputs go, in the order they are made. */
    public interface Sink {
        void incident(Incident incident);

        void alert(FleetAlert alert);

        /** What the streaming app sends to its dead-letter topic: a report, event or line set aside. */
        void setAside(String host, String reason);

        /** An entry refused as evidence, as the streaming app counts it. */
        default void refused(String host, Refusal refusal) {
        }
    }

    private final Sink sink;
    private final HostExtraction extraction;
    private final HostIncidents incidents;
    private final FleetCauses fleet;
    private final StreamTimeTicks ticks = new StreamTimeTicks();
    private final HostExtraction.Sink extracted;
    private final MemoryStateMap<HostLogState> logStates = new MemoryStateMap<>();
    private final MemoryStateMap<HostClock> clocks = new MemoryStateMap<>();
    /** As bytes, decoded for the hosts recently at work: a fleet of hosts with open incidents fits in a small heap. */
    private final MemoryStateMap<byte[]> incidentStates = new MemoryStateMap<>();
    private final MemoryStateMap<FleetCauseState> causeStates = new MemoryStateMap<>();
    private final long step;
    private final long settleMs;
    /** Quiet stream time after which nothing of a host is pending or open any more. */
    private final long quietMs;
    private long streamTimeMs = -1;
    private long latestMs = -1;
    private boolean finished;

    public OfflineCorrelator(DriverSettings settings, NodeEventExtractor extractor, Sink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.extraction = new HostExtraction(extractor, settings.clockRetention(), logStates, clocks,
                new SeenEntries(settings.dedupRetention()));
        this.incidents = new HostIncidents(new IncidentAggregator(settings.incident()),
                new StoredIncidentStates(incidentStates, (host, e) -> {
                    throw new IllegalStateException("incident state of host " + host + " written here is unreadable",
                            e);
                }), clocks);
        this.fleet = new FleetCauses(new FleetRollup(settings.fleet()), causeStates);
        this.extracted = new HostExtraction.Sink() {
            @Override
            public void event(String host, HostEvent event, long timestampMs) {
                incidents.onEvent(event).forEach(OfflineCorrelator.this::emit);
            }

            @Override
            public void setAside(String host, SetAside setAside, long timestampMs) {
                sink.setAside(host, setAside.reason() + " at " + setAside.ref());
            }

            @Override
            public void unconvertible(String host, RuntimeException failure, long timestampMs) {
                sink.setAside(host, "event record conversion failed: " + failure);
            }

            @Override
            public void refused(String host, Refusal refusal, long timestampMs) {
                sink.refused(host, refusal);
            }
        };
        // in the order the streaming app's task schedules them: extraction's tick, then correlation's
        ticks.every(settings.extractionTick(), now -> extraction.onStreamTime(now, extracted));
        ticks.every(settings.correlationTick(), now -> incidents.onStreamTime(now, this::emit));
        step = Math.min(settings.correlationTick().toMillis(), settings.extractionTick().toMillis());
        Duration settle = Duration.ofMinutes(1).plus(settings.extractionTick());
        settleMs = settle.toMillis();
        IncidentSettings incident = settings.incident();
        quietMs = incident.gap().plus(incident.grace()).plus(incident.updateInterval())
                .plus(settings.correlationTick()).plus(settle).toMillis();
    }

    /** Processes one entry at its record time. */
    public void add(Entry entry) {
        if (finished) {
            throw new IllegalStateException("the input is finished");
        }
        stepTo(entry.timeMs());
        process(entry, entry.timeMs());
    }

    /** Ends the input: what is pending completes and every open incident resolves. */
    public void finish() {
        if (finished) {
            return;
        }
        long end = Math.max(latestMs, 0) + settleMs + quietMs;
        stepTo(end);
        process(null, end);
        // a host whose lines carry no time of their own (a dmesg paste) completes its report only when time runs out
        // above; its incident resolves one quiet period later
        process(null, end + quietMs);
        finished = true;
    }

    /**
     * Moves stream time towards {@code timeMs} in steps, as far as anything can still be pending or open; the rest of
     * a longer leap changes nothing that a single jump would not.
     */
    private void stepTo(long timeMs) {
        if (latestMs < 0) {
            return;
        }
        long until = Math.min(timeMs, latestMs + quietMs);
        for (long t = latestMs + step; t < until; t += step) {
            process(null, t);
        }
    }

    /** One record at {@code timeMs}: the entry, or (null) nothing but the passing of time. */
    private void process(Entry entry, long timeMs) {
        latestMs = Math.max(latestMs, timeMs);
        streamTimeMs = Math.max(streamTimeMs, timeMs);
        if (entry != null) {
            intake(entry, timeMs);
        } else {
            extraction.beforeEntry(streamTimeMs, 0, extracted);
        }
        ticks.advance(streamTimeMs);
    }

    private void intake(Entry entry, long timeMs) {
        if (entry.line() == null) {
            return; // the streaming app sets it aside before extraction; it moved stream time all the same
        }
        extraction.beforeEntry(streamTimeMs, 0, extracted);
        List<HostEvent> completed = new ArrayList<>();
        HostExtraction.Sink byEntry = new HostExtraction.Sink() {
            @Override
            public void event(String host, HostEvent event, long timestampMs) {
                completed.add(event);
            }

            @Override
            public void setAside(String host, SetAside setAside, long timestampMs) {
                extracted.setAside(host, setAside, timestampMs);
            }

            @Override
            public void unconvertible(String host, RuntimeException failure, long timestampMs) {
                completed.add(null);
                extracted.unconvertible(host, failure, timestampMs);
            }

            @Override
            public void refused(String host, Refusal refusal, long timestampMs) {
                extracted.refused(host, refusal, timestampMs);
            }
        };
        try {
            extraction.onEntry(new HostExtraction.Entry(entry.line(), entry.ownTime(), timeMs, entry.startsSomething(),
                    entry.refused()), streamTimeMs, byEntry);
        } catch (RuntimeException e) {
            // a line no decoder expected must not stop the host's (or anyone's) processing
            sink.setAside(entry.line().host(), "journal entry could not be processed: " + e);
            return;
        }
        for (HostEvent event : completed) {
            if (event != null) {
                incidents.onEvent(event).forEach(this::emit);
            }
        }
    }

    private void emit(Incident incident) {
        sink.incident(incident);
        for (FleetAlert alert : fleet.onIncident(FleetCauses.causeOf(incident), incident)) {
            sink.alert(alert);
        }
    }
}
