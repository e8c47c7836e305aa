package io.nodeincidents.topology;

import io.nodeincidents.forecast.FragmentationForecast;
import io.nodeincidents.forecast.HostMemoryState;
import io.nodeincidents.query.QueryStores;
import io.nodeincidents.schemas.NodeMemorySample;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs {@link FragmentationForecast} over node.memory: each host's {@link HostMemoryState} in a store, each sample
 * stepped into the host's forecast and, when the risk opens, changes or passes, a FRAGMENTATION_RISK revision. Values
 * are decoded here, so a sample that is not one is dead-lettered instead of stopping the application; a registry that
 * cannot be reached still propagates.
 */
final class MemoryForecasting implements Processor<String, byte[], String, Routing.Forecasted> {

    static final String STORE = QueryStores.HOST_MEMORY;

    private final String topic;
    private final FragmentationForecast forecast;
    private final Deserializer<NodeMemorySample> samples;
    private final int maxDeadLetterBytes;
    private ProcessorContext<String, Routing.Forecasted> context;
    private KeyValueStore<String, HostMemoryState> states;

    MemoryForecasting(String topic, FragmentationForecast forecast, Deserializer<NodeMemorySample> samples,
            int maxDeadLetterBytes) {
        this.topic = topic;
        this.forecast = forecast;
        this.samples = samples;
        this.maxDeadLetterBytes = maxDeadLetterBytes;
    }

    @Override
    public void init(ProcessorContext<String, Routing.Forecasted> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        NodeMemorySample sample;
        String problem;
        try {
            sample = record.value() == null ? null : samples.deserialize(topic, record.value());
            problem = sample == null ? "null value: node.memory carries no deletes" : null;
        } catch (SerializationException e) {
            sample = null;
            problem = SourceEntrySerde.oneLine(e);
        }
        if (sample == null || record.key() == null || !record.key().equals(sample.getHost())) {
            String reason = problem != null ? problem
                    : "sample of host " + sample.getHost() + " keyed " + record.key() + ": node.memory is keyed by host";
            context.forward(record.withValue(new Routing.Rejected(DeadLetters.undecodable(topic,
                    context.recordMetadata(), record.key(), record.timestamp(),
                    new SourceEntry.Undecodable(record.value(), reason), maxDeadLetterBytes))));
            return;
        }
        HostMemoryState state = states.get(record.key());
        FragmentationForecast.Step step = forecast.step(state == null ? HostMemoryState.EMPTY : state, sample);
        if (!step.state().equals(state)) {
            states.put(record.key(), step.state());
        }
        long time = sample.getSampledAtMicros() / 1000;
        step.revision().ifPresent(incident -> context.forward(
                new Record<>(incident.getIncidentId(), new Routing.RiskRevision(incident), time)));
        context.forward(new Record<>(record.key(), new Routing.HostForecast(step.forecast()), time));
    }
}
