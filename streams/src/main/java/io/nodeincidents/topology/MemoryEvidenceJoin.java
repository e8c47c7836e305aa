package io.nodeincidents.topology;

import io.nodeincidents.forecast.ForecastSettings;
import io.nodeincidents.forecast.HostMemoryState;
import io.nodeincidents.forecast.MemoryEvidence;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.MemoryForecast;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Joins the memory forecast to allocation-failure incidents as they leave the host's correlation ({@link
 * MemoryEvidence}): the host's latest forecast and the fleet's come from the global store of node.memory.forecast;
 * the lead time of a warning from the host's {@link HostMemoryState}, which the failed order is added to. The evidence
 * found for an incident's first revision is kept and carried by its later ones, so every revision shows the sample
 * from before the failure, not a later one.
 */
final class MemoryEvidenceJoin implements Processor<String, Incident, String, Incident> {

    static final String EVIDENCE_STORE = "incident-memory-evidence";

    private final ForecastSettings settings;
    private ProcessorContext<String, Incident> context;
    private KeyValueStore<String, HostMemoryState> states;
    private KeyValueStore<String, MemoryForecast> kept;
    private TimestampedKeyValueStore<String, MemoryForecast> fleet;

    MemoryEvidenceJoin(ForecastSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Incident> context) {
        this.context = context;
        this.states = context.getStateStore(MemoryForecasting.STORE);
        this.kept = context.getStateStore(EVIDENCE_STORE);
        this.fleet = context.getStateStore(IncidentTopology.MEMORY_FORECASTS_STORE);
    }

    @Override
    public void process(Record<String, Incident> record) {
        Incident incident = record.value();
        if (!MemoryEvidence.concerns(incident)) {
            context.forward(record);
            return;
        }
        String host = incident.getHost();
        MemoryForecast evidence = kept.get(incident.getIncidentId());
        if (evidence == null) {
            HostMemoryState state = states.get(host);
            ValueAndTimestamp<MemoryForecast> latest = fleet.get(host);
            int order = MemoryEvidence.failedOrder(incident);
            if (order >= 0) {
                HostMemoryState taught = MemoryEvidence.withFailedOrder(
                        state == null ? HostMemoryState.EMPTY : state, order);
                if (!taught.equals(state)) {
                    states.put(host, taught);
                }
            }
            if (latest != null && latest.value() != null) {
                evidence = MemoryEvidence.evidence(incident, latest.value(),
                        state == null ? HostMemoryState.EMPTY : state, fleetForecasts(), settings);
            }
        }
        if (evidence != null) {
            if (incident.getStatus() == IncidentStatus.RESOLVED) {
                kept.delete(incident.getIncidentId());
            } else {
                kept.put(incident.getIncidentId(), evidence);
            }
            incident = Incident.newBuilder(incident).setMemoryForecast(evidence).build();
        }
        context.forward(record.withValue(incident));
    }

    private List<MemoryForecast> fleetForecasts() {
        List<MemoryForecast> all = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<MemoryForecast>> it = fleet.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && kv.value.value() != null) {
                    all.add(kv.value.value());
                }
            });
        }
        return all;
    }
}
