package io.nodeincidents.correlation;

import io.nodeincidents.incident.HostIncidentState;
import io.nodeincidents.incident.IncidentAggregator;
import io.nodeincidents.schemas.Incident;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Correlation per host at the host's time: runs {@link IncidentAggregator} with each host's state in a
 * {@link StateMap}, every call with the host's event time (never the wall clock, or a replayed log would resolve at
 * once), {@code onTime} for every host with state from a stream-time tick, idle hosts deleted.
 *
 * <p>"Now" is the host's own {@link HostClock}, not stream time: a host whose entries run far behind the others' (an
 * old log replayed into a live system) must not see its runtime failures dropped as late nor its incidents resolved
 * at once. For an event it is the host's time at which extraction completed it ({@link HostEvent#hostTimeMs}, never
 * ahead of stream time). A host without a clock is judged by stream time.
 *
 * <p>A state map that cannot read a host's stored state gives {@link HostIncidentState#empty()} for it: the host starts
 * afresh and its state is rewritten (or deleted) at the next tick.
 */
public final class HostIncidents {

    private final IncidentAggregator aggregator;
    private final StateMap<HostIncidentState> states;
    private final StateMap<HostClock> clocks;
    /**
     * Per host with state, the host times at which a tick changes nothing, as last stored or judged here: a tick skips
     * those hosts without reading their state (most hosts, most ticks). Empty after a restart: each host is read once.
     */
    private final Map<String, IncidentAggregator.Quiet> quiet = new HashMap<>();

    public HostIncidents(IncidentAggregator aggregator, StateMap<HostIncidentState> states,
                         StateMap<HostClock> clocks) {
        this.aggregator = aggregator;
        this.states = states;
        this.clocks = clocks;
    }

    /** A completed event of a host: the incident revisions it makes, in order. */
    public List<Incident> onEvent(HostEvent event) {
        long now = Math.multiplyExact(Math.max(0, event.hostTimeMs()), 1000L);
        String host = event.host();
        HostIncidentState before = stateOf(host);
        IncidentAggregator.Step step = event instanceof HostEvent.Kernel kernel
                ? aggregator.onKernelEvent(before, kernel.event(), now)
                : aggregator.onRuntimeFailure(before, ((HostEvent.Runtime) event).event(), now);
        store(host, step.state());
        return step.emitted();
    }

    /**
     * The stream-time tick: every host with state is judged at its own time at stream time {@code streamTimeMs}; the
     * revisions (due updates, resolutions) go to {@code emitted}, host by host in key order.
     */
    public void onStreamTime(long streamTimeMs, Consumer<Incident> emitted) {
        for (Map.Entry<String, HostIncidentState> host : states.entries()) {
            long now = Math.multiplyExact(Math.max(0, HostClock.now(clocks.get(host.getKey()), streamTimeMs)), 1000L);
            IncidentAggregator.Quiet known = quiet.get(host.getKey());
            if (known != null && known.includes(now)) {
                continue;
            }
            HostIncidentState before = host.getValue();
            IncidentAggregator.Step step = aggregator.onTime(before, now);
            // most ticks change nothing on most hosts: no write, so no changelog record per host and tick (an idle
            // state read back is an unreadable one, to be deleted)
            if (before.isIdle() || !step.state().equals(before)) {
                store(host.getKey(), step.state());
            } else {
                quiet.put(host.getKey(), aggregator.quietSpan(before));
            }
            step.emitted().forEach(emitted);
        }
    }

    private HostIncidentState stateOf(String host) {
        HostIncidentState state = states.get(host);
        return state == null ? HostIncidentState.empty() : state;
    }

    private void store(String host, HostIncidentState state) {
        if (state.isIdle()) {
            states.delete(host);
            quiet.remove(host);
        } else {
            states.put(host, state);
            quiet.put(host, aggregator.quietSpan(state));
        }
    }
}
