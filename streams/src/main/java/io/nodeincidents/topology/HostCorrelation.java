package io.nodeincidents.topology;

import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.correlation.HostEvent;
import io.nodeincidents.correlation.HostIncidents;
import io.nodeincidents.correlation.StoredIncidentStates;
import io.nodeincidents.incident.IncidentAggregator;
import io.nodeincidents.schemas.Incident;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link HostIncidents} (correlation per host at the host's time) over the hosts' incident states (bytes in a
 * store, {@link StoredIncidentStates}) and the {@link HostClock}s that {@link EventExtraction} keeps; the task's
 * stream-time punctuator is its tick. Emits each incident revision keyed by incidentId: an event's revisions at the
 * event's record time, a tick's at stream time.
 */
final class HostCorrelation implements Processor<String, Routing.Extracted, String, Incident> {

    static final String STORE = "host-incident-state";
    private static final Logger LOG = LoggerFactory.getLogger(HostCorrelation.class);

    private final IncidentAggregator aggregator;
    private final Duration punctuation;
    private ProcessorContext<String, Incident> context;
    private HostIncidents incidents;

    HostCorrelation(IncidentAggregator aggregator, Duration punctuation) {
        this.aggregator = aggregator;
        this.punctuation = punctuation;
    }

    @Override
    public void init(ProcessorContext<String, Incident> context) {
        this.context = context;
        KeyValueStore<String, byte[]> states = context.getStateStore(STORE);
        KeyValueStore<String, HostClock> clocks = context.getStateStore(EventExtraction.CLOCKS);
        StoredIncidentStates stored = new StoredIncidentStates(new StoreStateMap<>(states), (host, e) -> LOG.warn(
                "incident state of host {} is unreadable ({}); starting it afresh", host, e.getMessage()));
        this.incidents = new HostIncidents(aggregator, stored, new StoreStateMap<>(clocks));
        context.schedule(punctuation, PunctuationType.STREAM_TIME,
                now -> incidents.onStreamTime(now, incident -> emit(incident, now)));
    }

    @Override
    public void process(Record<String, Routing.Extracted> record) {
        HostEvent event;
        if (record.value() instanceof Routing.KernelEvent kernel) {
            event = new HostEvent.Kernel(kernel.event(), kernel.hostTimeMs());
        } else if (record.value() instanceof Routing.RuntimeEvent runtime) {
            event = new HostEvent.Runtime(runtime.event(), runtime.hostTimeMs());
        } else {
            return; // dead letters are split off before this step
        }
        List<Incident> emitted = incidents.onEvent(event);
        for (Incident incident : emitted) {
            emit(incident, record.timestamp());
        }
    }

    private void emit(Incident incident, long timestampMs) {
        context.forward(new Record<>(incident.getIncidentId(), incident, timestampMs));
    }
}
