package io.nodeincidents.forecast;

import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.OrderForecast;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Joins a host's memory forecast to its allocation-failure incidents: the latest sample before the failure, the fleet
 * median at the failed order, and how long before the failure a FRAGMENTATION_RISK warned. It also teaches the
 * forecast the orders that failed on the host, so it watches them from then on.
 */
public final class MemoryEvidence {

    private MemoryEvidence() {
    }

    /** Whether {@code incident} is about a failed allocation that the host's free lists explain. */
    public static boolean concerns(Incident incident) {
        IncidentCause cause = incident.getCause();
        return cause == IncidentCause.MEMORY_FRAGMENTATION || cause == IncidentCause.HIGH_ORDER_ALLOCATION_FAILURE;
    }

    /** The order of the first failed allocation of {@code incident}, or -1. */
    public static int failedOrder(Incident incident) {
        for (KernelMemoryEvent event : incident.getKernelEvents()) {
            if (event.getAllocation() != null) {
                return event.getAllocation().getOrder();
            }
        }
        return -1;
    }

    /** {@code state} with {@code order} among the orders that failed on the host (newest last, capped). */
    public static HostMemoryState withFailedOrder(HostMemoryState state, int order) {
        if (order < 0 || state.failedOrders().contains(order)) {
            return state;
        }
        List<Integer> orders = new ArrayList<>(state.failedOrders());
        orders.add(order);
        while (orders.size() > HostMemoryState.MAX_FAILED_ORDERS) {
            orders.remove(0);
        }
        return new HostMemoryState(state.bootId(), state.kernelVersion(), state.points(), orders, state.risk(),
                state.lastRiskOpenedMicros());
    }

    /**
     * The evidence for {@code incident}: {@code latest}, the host's latest forecast, with the failed order forecast
     * (from its zones, when the forecast did not watch that order), the fleet median at that order and the lead time
     * of a warning that opened before the failure.
     *
     * @param fleet the fleet's latest forecasts (this host's included)
     */
    public static MemoryForecast evidence(Incident incident, MemoryForecast latest, HostMemoryState state,
            Collection<MemoryForecast> fleet, ForecastSettings settings) {
        int order = failedOrder(incident);
        MemoryForecast.Builder b = MemoryForecast.newBuilder(latest);
        if (order >= 0) {
            boolean watched = latest.getOrders().stream().anyMatch(o -> o.getOrder() == order);
            if (!watched && !latest.getZones().isEmpty()) {
                List<OrderForecast> orders = new ArrayList<>(latest.getOrders());
                List<Long> blocks = SamplePoint.summedFreeBlocks(latest.getZones());
                long free = SamplePoint.blocksAtLeast(blocks, order);
                orders.add(OrderForecast.newBuilder().setOrder(order).setFreeBlocks(free)
                        .setUnusableIndex(SamplePoint.unusableIndex(blocks, order))
                        .setThresholdBlocks(settings.thresholdBlocks())
                        .setAtRisk(free < settings.thresholdBlocks()).build());
                orders.sort((x, y) -> Integer.compare(x.getOrder(), y.getOrder()));
                b.setOrders(orders);
            }
            b.setFleetMedianBlocks(fleetMedian(fleet, order, incident.getFirstSeenMicros(),
                    settings.trendWindow().toNanos() / 1000));
        }
        Long warned = state.risk() != null ? (Long) state.risk().openedMicros() : state.lastRiskOpenedMicros();
        long failedAt = firstFailedSandbox(incident);
        if (warned != null && warned <= failedAt && failedAt - warned <= settings.trendWindow().toNanos() / 1000) {
            b.setWarnedBeforeMillis((failedAt - warned) / 1000);
        } else {
            b.setWarnedBeforeMillis(null);
        }
        return b.build();
    }

    /** When the first pod sandbox failed, or the incident's first evidence when none did. */
    static long firstFailedSandbox(Incident incident) {
        long first = Long.MAX_VALUE;
        for (RuntimeFailureEvent failure : incident.getRuntimeFailures()) {
            if (failure.getKind() == RuntimeFailureKind.SANDBOX_FAILURE) {
                first = Math.min(first, failure.getTimeMicros());
            }
        }
        return first == Long.MAX_VALUE ? incident.getFirstSeenMicros() : first;
    }

    /** How far past the failure a host's forecast may be and still stand for the fleet at the failure. */
    static final long MEDIAN_SLACK_MICROS = 60_000_000L;

    /**
     * The median, over the hosts whose latest forecast was made at most {@code maxAgeMicros} before {@code atMicros}
     * (and not later than a minute after it: a replay may have moved other hosts on past the failure), of the free
     * blocks of {@code order}; null when no host qualifies.
     */
    public static Long fleetMedian(Collection<MemoryForecast> fleet, int order, long atMicros, long maxAgeMicros) {
        List<Long> blocks = new ArrayList<>();
        for (MemoryForecast f : fleet) {
            long sampled = f.getSampledAtMicros();
            if (sampled >= atMicros - maxAgeMicros && sampled <= atMicros + MEDIAN_SLACK_MICROS
                    && !f.getZones().isEmpty()) {
                blocks.add(SamplePoint.blocksAtLeast(SamplePoint.summedFreeBlocks(f.getZones()), order));
            }
        }
        if (blocks.isEmpty()) {
            return null;
        }
        blocks.sort(Long::compare);
        int n = blocks.size();
        return n % 2 == 1 ? blocks.get(n / 2) : (blocks.get(n / 2 - 1) + blocks.get(n / 2)) / 2;
    }
}
