package io.nodeincidents.topology;

import io.nodeincidents.incident.HostIncidentState;
import io.nodeincidents.incident.HostIncidentStateCodec;
import io.nodeincidents.incident.IncidentAggregator;
import io.nodeincidents.incident.StateFormatException;
import io.nodeincidents.schemas.Incident;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * Runs {@link IncidentAggregator} per host, as its package documentation asks: state per host in a store (bytes of
 * {@link HostIncidentStateCodec}), every call with the host's event time (never the wall clock, or a replayed log
 * would resolve at once), {@code onTime} for every stored host from a stream-time punctuator, idle hosts deleted, and
 * unreadable state (corrupt, or written by another version) logged and started afresh. Emits each incident revision
 * keyed by incidentId.
 *
 * <p>"Now" is the host's own {@link HostClock}, not the task's stream time: a host whose entries run far behind the
 * others' on its partition (an old log replayed into a live system) must not see its runtime failures dropped as late
 * nor its incidents resolved at once. For an event it is the host's time at which extraction completed it (never
 * ahead of stream time): when one record makes stream time jump, the events that jump completes on other hosts are
 * correlated at their time before it, so they still join the incidents the jump resolves. A host without a clock
 * (state written by an older version) is judged by stream time.
 */
final class HostCorrelation implements Processor<String, Routing.Extracted, String, Incident> {

    static final String STORE = "host-incident-state";
    private static final Logger LOG = LoggerFactory.getLogger(HostCorrelation.class);

    private final IncidentAggregator aggregator;
    private final Duration punctuation;
    private ProcessorContext<String, Incident> context;
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<String, HostClock> clocks;
    /**
     * States this task has read or written, as stored, the most recently used first to stay: each stream-time tick
     * visits every host with an open incident, and decoding them all from their bytes each time cost more than the
     * events themselves. Bounded by the size of their bytes ({@link #MIRROR_BYTES}), so a fleet's worth of hosts with
     * open incidents does not have to fit in the heap; the store holds them all.
     */
    private final LinkedHashMap<String, Mirrored> decoded = new LinkedHashMap<>(64, 0.75f, true);
    private long mirroredBytes;

    /**
     * Bytes of stored state mirrored decoded: a 32nd of the heap, at most 64 MiB (a decoded state takes a few times
     * its bytes in the heap); 8 MiB in analyze's 256 MB heap, enough for hundreds of hosts with open incidents.
     */
    static final long MIRROR_BYTES = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 32);

    private record Mirrored(HostIncidentState state, int bytes) {
    }

    HostCorrelation(IncidentAggregator aggregator, Duration punctuation) {
        this.aggregator = aggregator;
        this.punctuation = punctuation;
    }

    @Override
    public void init(ProcessorContext<String, Incident> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
        this.clocks = context.getStateStore(EventExtraction.CLOCKS);
        this.decoded.clear();
        this.mirroredBytes = 0;
        context.schedule(punctuation, PunctuationType.STREAM_TIME, this::onTime);
    }

    @Override
    public void process(Record<String, Routing.Extracted> record) {
        if (!(record.value() instanceof Routing.HostEvent event)) {
            return; // dead letters are split off before this step
        }
        long now = Math.multiplyExact(Math.max(0, event.hostTimeMs()), 1000L);
        IncidentAggregator.Step step;
        String host;
        if (record.value() instanceof Routing.KernelEvent kernel) {
            host = kernel.event().getHost();
            step = aggregator.onKernelEvent(stateOf(host), kernel.event(), now);
        } else {
            Routing.RuntimeEvent runtime = (Routing.RuntimeEvent) event;
            host = runtime.event().getHost();
            step = aggregator.onRuntimeFailure(stateOf(host), runtime.event(), now);
        }
        store(host, step.state());
        emit(step.emitted(), record.timestamp());
    }

    private void onTime(long streamTimeMs) {
        List<KeyValue<String, byte[]>> hosts = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = states.all()) {
            all.forEachRemaining(hosts::add);
        }
        for (KeyValue<String, byte[]> host : hosts) {
            long now = Math.multiplyExact(Math.max(0, HostClock.now(clocks.get(host.key), streamTimeMs)), 1000L);
            HostIncidentState before = mirrored(host.key);
            if (before == null) {
                before = decode(host.key, host.value);
            }
            IncidentAggregator.Step step = aggregator.onTime(before, now);
            // most ticks change nothing on most hosts: no write, so no changelog record per host and tick (an idle
            // state read back is an unreadable one, deleted by the store)
            if (before.isIdle() || !step.state().equals(before)) {
                store(host.key, step.state());
            }
            emit(step.emitted(), streamTimeMs);
        }
    }

    private HostIncidentState stateOf(String host) {
        HostIncidentState state = mirrored(host);
        return state != null ? state : decode(host, states.get(host));
    }

    private HostIncidentState mirrored(String host) {
        Mirrored m = decoded.get(host);
        return m == null ? null : m.state();
    }

    private HostIncidentState decode(String host, byte[] bytes) {
        if (bytes == null) {
            return HostIncidentState.empty();
        }
        try {
            HostIncidentState state = HostIncidentStateCodec.decode(bytes);
            mirror(host, state, bytes.length);
            return state;
        } catch (StateFormatException e) {
            LOG.warn("incident state of host {} is unreadable ({}); starting it afresh", host, e.getMessage());
            return HostIncidentState.empty();
        }
    }

    private void store(String host, HostIncidentState state) {
        if (state.isIdle()) {
            states.delete(host);
            forget(host);
        } else {
            byte[] bytes = HostIncidentStateCodec.encode(state);
            states.put(host, bytes);
            mirror(host, state, bytes.length);
        }
    }

    private void mirror(String host, HostIncidentState state, int bytes) {
        forget(host);
        decoded.put(host, new Mirrored(state, bytes));
        mirroredBytes += bytes;
        for (var it = decoded.entrySet().iterator(); mirroredBytes > MIRROR_BYTES && decoded.size() > 1; ) {
            mirroredBytes -= it.next().getValue().bytes();
            it.remove(); // the least recently used
        }
    }

    private void forget(String host) {
        Mirrored gone = decoded.remove(host);
        if (gone != null) {
            mirroredBytes -= gone.bytes();
        }
    }

    private void emit(List<Incident> incidents, long timestampMs) {
        for (Incident incident : incidents) {
            context.forward(new Record<>(incident.getIncidentId(), incident, timestampMs));
        }
    }
}
