package io.nodeincidents.topology;

import io.nodeincidents.forecast.FragmentationForecast;
import io.nodeincidents.forecast.HostMemoryState;
import io.nodeincidents.query.QueryStores;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Runs {@link FragmentationForecast} over node.memory: each host's {@link HostMemoryState} in a store, each sample
 * stepped into the host's forecast and, when the risk opens, changes or passes, a FRAGMENTATION_RISK revision. Values
 * are decoded here, so a sample that is not one is dead-lettered instead of stopping the application; a registry that
 * cannot be reached still propagates. The orders watched on the fleet's hosts of each kernel come from the global
 * store of forecasts, gathered at most once a minute of sample time (a scan of every host's forecast).
 */
final class MemoryForecasting implements Processor<String, byte[], String, Routing.Forecasted> {

    static final String STORE = QueryStores.HOST_MEMORY;

    private final String topic;
    private final FragmentationForecast forecast;
    private final Deserializer<NodeMemorySample> samples;
    private final int maxDeadLetterBytes;
    /** How often, in sample time, the orders watched per kernel are gathered again from the fleet's forecasts. */
    static final long FLEET_ORDERS_REFRESH_MS = 60_000;

    private ProcessorContext<String, Routing.Forecasted> context;
    private KeyValueStore<String, HostMemoryState> states;
    private TimestampedKeyValueStore<String, MemoryForecast> fleet;
    private Map<String, Set<Integer>> ordersByKernel = Map.of();
    private long ordersGatheredAt = Long.MIN_VALUE;

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
        this.fleet = context.getStateStore(QueryStores.MEMORY_FORECASTS);
        context.schedule(SILENCE_CHECK, PunctuationType.STREAM_TIME, this::checkSilentHosts);
    }

    /** How often, in stream time, hosts whose samples stopped are looked for. */
    static final Duration SILENCE_CHECK = Duration.ofMinutes(5);

    /** Resolves the risk of hosts silent for the trend window, and forgets hosts silent for a day. */
    private void checkSilentHosts(long nowMs) {
        List<KeyValue<String, HostMemoryState>> all = new ArrayList<>();
        try (KeyValueIterator<String, HostMemoryState> it = states.all()) {
            it.forEachRemaining(all::add);
        }
        for (KeyValue<String, HostMemoryState> host : all) {
            if (host.value == null) {
                continue;
            }
            FragmentationForecast.Silence silence = forecast.onSilence(host.key, host.value, nowMs * 1000);
            if (silence == null) {
                continue;
            }
            if (silence.state() == null) {
                states.delete(host.key);
            } else {
                states.put(host.key, silence.state());
            }
            silence.revision().ifPresent(incident -> context.forward(
                    new Record<>(incident.getIncidentId(), new Routing.RiskRevision(incident), nowMs)));
        }
    }

    /** The orders the fleet's forecasts of {@code kernel} watch, gathered again when a minute has passed. */
    private Set<Integer> fleetOrders(String kernel, long nowMs) {
        if (kernel == null) {
            return Set.of();
        }
        if (ordersGatheredAt == Long.MIN_VALUE || nowMs - ordersGatheredAt >= FLEET_ORDERS_REFRESH_MS
                || nowMs < ordersGatheredAt) {
            Map<String, Set<Integer>> gathered = new HashMap<>();
            try (KeyValueIterator<String, ValueAndTimestamp<MemoryForecast>> all = fleet.all()) {
                all.forEachRemaining(kv -> {
                    MemoryForecast f = kv.value == null ? null : kv.value.value();
                    if (f != null && f.getKernelVersion() != null) {
                        Set<Integer> orders = gathered.computeIfAbsent(f.getKernelVersion(), k -> new TreeSet<>());
                        f.getOrders().forEach(o -> orders.add(o.getOrder()));
                    }
                });
            }
            ordersByKernel = gathered;
            ordersGatheredAt = nowMs;
        }
        return ordersByKernel.getOrDefault(kernel, Set.of());
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
        FragmentationForecast.Step step = forecast.step(state == null ? HostMemoryState.EMPTY : state, sample,
                fleetOrders(sample.getKernelVersion(), sample.getSampledAtMicros() / 1000));
        if (!step.state().equals(state)) {
            states.put(record.key(), step.state());
        }
        long time = sample.getSampledAtMicros() / 1000;
        step.revision().ifPresent(incident -> context.forward(
                new Record<>(incident.getIncidentId(), new Routing.RiskRevision(incident), time)));
        context.forward(new Record<>(record.key(), new Routing.HostForecast(step.forecast()), time));
    }
}
