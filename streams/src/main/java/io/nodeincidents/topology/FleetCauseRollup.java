package io.nodeincidents.topology;

import io.nodeincidents.correlation.FleetCauses;
import io.nodeincidents.fleet.FleetCauseState;
import io.nodeincidents.fleet.FleetRollup;
import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.Incident;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs {@link FleetCauses} over incidents re-keyed by cause, with one {@link FleetCauseState} per cause in a store,
 * and emits the alerts keyed by alertId.
 */
final class FleetCauseRollup implements Processor<String, Incident, String, FleetAlert> {

    static final String STORE = "fleet-cause-state";

    private final FleetRollup rollup;
    private ProcessorContext<String, FleetAlert> context;
    private FleetCauses causes;

    FleetCauseRollup(FleetRollup rollup) {
        this.rollup = rollup;
    }

    @Override
    public void init(ProcessorContext<String, FleetAlert> context) {
        this.context = context;
        KeyValueStore<String, FleetCauseState> states = context.getStateStore(STORE);
        this.causes = new FleetCauses(rollup, new StoreStateMap<>(states));
    }

    @Override
    public void process(Record<String, Incident> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        for (FleetAlert alert : causes.onIncident(record.key(), record.value())) {
            context.forward(new Record<>(alert.getAlertId(), alert, record.timestamp()));
        }
    }
}
