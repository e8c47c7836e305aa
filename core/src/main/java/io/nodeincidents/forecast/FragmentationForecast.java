package io.nodeincidents.forecast;

import io.nodeincidents.incident.KernelRelease;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.OrderForecast;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Forecasts, per host, whether the free blocks of the orders pod sandboxes need are running out, from the host's
 * memory samples: {@code step(state, sample)} gives the host's {@link MemoryForecast} and, when the risk opens, changes
 * materially or passes, a FRAGMENTATION_RISK incident revision (OPEN, UPDATED, RESOLVED) with a stable id.
 *
 * <p>An order is at risk when its free blocks (over every zone but DMA) are below the threshold, or when a least-squares
 * trend over the trend window falls significantly (t below -3, so a noisy but level series never projects; and only once
 * a quarter of the window is filled, since a few noisy samples fit a steep line) and reaches the threshold within the
 * horizon. The risk resolves when no order is at risk and the order that was has at least
 * twice the threshold again: the margin keeps a series hovering at the threshold from opening and resolving in turn.
 */
public final class FragmentationForecast {

    /** t-statistic of the slope below which a fall is taken as real rather than noise. */
    static final double SIGNIFICANT_T = -3.0;

    private final ForecastSettings settings;

    public FragmentationForecast(ForecastSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** What one sample gives: the host's next state, its forecast and the incident revision to emit, if any. */
    public record Step(HostMemoryState state, MemoryForecast forecast, Optional<Incident> revision) {
    }

    /** The incident id of the FRAGMENTATION_RISK opened on {@code host} by the sample at {@code openedMicros}. */
    public static String incidentId(String host, long openedMicros) {
        return UUID.nameUUIDFromBytes(("nodeincidents/fragmentation-risk\n" + host + "\n" + openedMicros)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    public Step step(HostMemoryState state, NodeMemorySample sample) {
        return step(state, sample, Set.of());
    }

    /**
     * {@link #step(HostMemoryState, NodeMemorySample)}, also watching {@code fleetOrders}: the orders watched on the
     * fleet's hosts with this host's kernel (those of the failures seen there), so a failure on one host puts its
     * order under watch on its whole kernel generation.
     */
    public Step step(HostMemoryState state, NodeMemorySample sample, Set<Integer> fleetOrders) {
        String host = sample.getHost();
        String bootId = sample.getBootId();
        String kernel = sample.getKernelVersion() != null ? sample.getKernelVersion() : state.kernelVersion();
        SamplePoint point = SamplePoint.of(sample);
        List<SamplePoint> points = new ArrayList<>();
        Incident rebooted = null;
        OpenRisk risk = state.risk();
        SamplePoint previous = state.latest();
        boolean newBoot = bootId != null && state.bootId() != null && !bootId.equals(state.bootId());
        if (previous != null && point.timeMicros() <= previous.timeMicros() && !newBoot) {
            // a repeated or late sample (a shipper restart resends, partitions interleave): the trend is by time
            return new Step(state, forecast(state, host, kernel, sample, previous, state.points(), fleetOrders),
                    Optional.empty());
        }
        if (newBoot) {
            if (risk != null) {
                rebooted = RiskIncidents.resolvedByReboot(state, risk, host, kernel, point);
                risk = null;
            }
        } else {
            long oldest = point.timeMicros() - settings.trendWindow().toNanos() / 1000;
            for (SamplePoint p : state.points()) {
                if (p.timeMicros() >= oldest) {
                    points.add(p);
                }
            }
        }
        points.add(point);
        while (points.size() > settings.maxPoints()) {
            points.remove(0);
        }
        HostMemoryState next = new HostMemoryState(bootId != null ? bootId : state.bootId(), kernel, points,
                state.failedOrders(), risk, state.lastRiskOpenedMicros());
        MemoryForecast forecast = forecast(next, host, kernel, sample, previous, points, fleetOrders);
        if (rebooted != null) {
            return new Step(next, forecast, Optional.of(rebooted));
        }
        return transition(next, forecast, point);
    }

    /** What a silent host comes to: its state (null to forget the host) and the revision that closes its risk. */
    public record Silence(HostMemoryState state, Optional<Incident> revision) {
    }

    /**
     * What {@code nowMicros}, with no sample of {@code host} since its latest, does to it: an open risk resolves once
     * the host has been silent for the trend window (the shipper stopped or the node left: a warning nobody can
     * confirm must not stay open for ever), and a host silent for a day is forgotten. Null when nothing changes.
     */
    public Silence onSilence(String host, HostMemoryState state, long nowMicros) {
        SamplePoint latest = state.latest();
        if (latest == null) {
            return new Silence(null, Optional.empty());
        }
        long silent = nowMicros - latest.timeMicros();
        if (state.risk() != null && silent >= settings.trendWindow().toNanos() / 1000) {
            Incident resolved = RiskIncidents.resolvedBySilence(state, state.risk(), host, latest, nowMicros);
            return new Silence(new HostMemoryState(state.bootId(), state.kernelVersion(), state.points(),
                    state.failedOrders(), null, state.lastRiskOpenedMicros()), Optional.of(resolved));
        }
        if (silent >= FORGET_AFTER_MICROS) {
            return new Silence(null, Optional.empty());
        }
        return null;
    }

    /** A host without a sample for this long is forgotten (its failed orders with it). */
    static final long FORGET_AFTER_MICROS = 24L * 3_600_000_000L;

    private Step transition(HostMemoryState state, MemoryForecast forecast, SamplePoint point) {
        OpenRisk risk = state.risk();
        OrderForecast worst = worstAtRisk(forecast);
        if (risk == null) {
            if (worst == null) {
                return new Step(state, forecast, Optional.empty());
            }
            OpenRisk opened = new OpenRisk(incidentId(forecast.getHost(), point.timeMicros()), 1,
                    point.timeMicros(), worst.getOrder(), below(worst), point.compactSuccess());
            HostMemoryState next = withRisk(state, opened, point.timeMicros());
            MemoryForecast marked = marked(forecast, opened);
            return new Step(next, marked, Optional.of(RiskIncidents.revision(opened, IncidentStatus.OPEN, marked,
                    state, point)));
        }
        OrderForecast watched = orderOf(forecast, risk.order());
        if (worst == null && recovered(watched, risk, state.points())) {
            OpenRisk last = risk.next(risk.order(), risk.belowThreshold());
            HostMemoryState next = withRisk(state, null, state.lastRiskOpenedMicros());
            // compaction worked when it ran and the blocks came back well above where the warning found them
            boolean compacted = risk.compactSuccess() != null && point.compactSuccess() != null
                    && point.compactSuccess() > risk.compactSuccess() && watched != null
                    && refilled(watched, state.points());
            MemoryForecast resolvedForecast = MemoryForecast.newBuilder(marked(forecast, last))
                    .setCompactionEffective(compacted).build();
            MemoryForecast cleared = MemoryForecast.newBuilder(forecast).setRiskOrder(null).setRiskSinceMicros(null)
                    .setRiskIncidentId(null).build();
            return new Step(next, cleared, Optional.of(RiskIncidents.revision(last, IncidentStatus.RESOLVED,
                    resolvedForecast, state, point)));
        }
        MemoryForecast marked = marked(forecast, risk);
        if (worst != null && (worst.getOrder() != risk.order() || below(worst) && !risk.belowThreshold())) {
            // material: the order at risk changed, or a projection became a shortage
            OpenRisk updated = risk.next(worst.getOrder(), risk.belowThreshold() || below(worst));
            marked = marked(forecast, updated);
            return new Step(withRisk(state, updated, state.lastRiskOpenedMicros()), marked,
                    Optional.of(RiskIncidents.revision(updated, IncidentStatus.UPDATED, marked, state, point)));
        }
        return new Step(state, marked, Optional.empty());
    }

    /**
     * Whether the order that was at risk is safe again: its free lists refilled (compaction, freed memory: the hour's
     * trend still remembers the fall, so it is not asked), or twice the threshold and not projected to reach it within
     * twice the horizon. The margins keep a series hovering near the edge from resolving and opening again in turn.
     */
    private boolean recovered(OrderForecast order, OpenRisk risk, List<SamplePoint> points) {
        if (order == null) {
            return true;
        }
        if (refilled(order, points)) {
            return true;
        }
        Long exhausted = order.getExhaustedAtMicros();
        long now = points.get(points.size() - 1).timeMicros();
        return order.getFreeBlocks() >= 2 * settings.thresholdBlocks()
                && (exhausted == null || exhausted - now > 2 * settings.horizon().toNanos() / 1000);
    }

    /** Samples a refill is measured against: a jump above all of them is no noise. */
    private static final int REFILL_LOOKBACK = 10;

    /** The order's free blocks jumped: half again above every one of the last samples before this one. */
    private boolean refilled(OrderForecast order, List<SamplePoint> points) {
        long recentMax = 0;
        for (int i = Math.max(0, points.size() - 1 - REFILL_LOOKBACK); i < points.size() - 1; i++) {
            recentMax = Math.max(recentMax, points.get(i).blocksAtLeast(order.getOrder()));
        }
        return points.size() > 1 && order.getFreeBlocks() >= Math.max(recentMax * 3 / 2,
                4 * settings.thresholdBlocks());
    }

    private static HostMemoryState withRisk(HostMemoryState state, OpenRisk risk, Long lastOpened) {
        return new HostMemoryState(state.bootId(), state.kernelVersion(), state.points(), state.failedOrders(), risk,
                lastOpened);
    }

    private static MemoryForecast marked(MemoryForecast forecast, OpenRisk risk) {
        return MemoryForecast.newBuilder(forecast).setRiskOrder(risk.order()).setRiskSinceMicros(risk.openedMicros())
                .setRiskIncidentId(risk.incidentId()).build();
    }

    private boolean below(OrderForecast order) {
        return order.getFreeBlocks() < order.getThresholdBlocks();
    }

    /** The highest order at risk, or null. */
    private static OrderForecast worstAtRisk(MemoryForecast forecast) {
        OrderForecast worst = null;
        for (OrderForecast o : forecast.getOrders()) {
            if (o.getAtRisk() && (worst == null || o.getOrder() > worst.getOrder())) {
                worst = o;
            }
        }
        return worst;
    }

    private static OrderForecast orderOf(MemoryForecast forecast, int order) {
        for (OrderForecast o : forecast.getOrders()) {
            if (o.getOrder() == order) {
                return o;
            }
        }
        return null;
    }

    /** The orders that matter on a host of {@code kernel} that has seen failures of {@code failedOrders}. */
    public List<Integer> ordersFor(String kernel, Collection<Integer> failedOrders) {
        TreeSet<Integer> orders = new TreeSet<>(settings.orders());
        KernelRelease release = KernelRelease.parse(kernel);
        if (release.olderThan(4, 6)) {
            orders.addAll(settings.legacyOrders());
        }
        orders.addAll(failedOrders);
        return List.copyOf(orders);
    }

    private MemoryForecast forecast(HostMemoryState state, String host, String kernel, NodeMemorySample sample,
            SamplePoint previous, List<SamplePoint> points, Set<Integer> fleetOrders) {
        SamplePoint now = points.get(points.size() - 1);
        List<OrderForecast> orders = new ArrayList<>();
        Set<Integer> taught = new TreeSet<>(state.failedOrders());
        taught.addAll(fleetOrders);
        for (int order : ordersFor(kernel, taught)) {
            orders.add(orderForecast(order, points));
        }
        Long stalls = null;
        if (previous != null && now.compactStall() != null && previous.compactStall() != null
                && now.compactStall() >= previous.compactStall() && now != previous) {
            stalls = now.compactStall() - previous.compactStall();
        }
        MemoryForecast.Builder b = MemoryForecast.newBuilder().setHost(host).setKernelVersion(kernel)
                .setSampledAtMicros(now.timeMicros()).setOrders(orders).setZones(sample.getZones())
                .setCompactStalls(stalls);
        if (state.risk() != null) {
            b.setRiskOrder(state.risk().order()).setRiskSinceMicros(state.risk().openedMicros())
                    .setRiskIncidentId(state.risk().incidentId());
        }
        return b.build();
    }

    /** One order's blocks now, trend and projection over {@code points} (oldest first, the last is now). */
    OrderForecast orderForecast(int order, List<SamplePoint> points) {
        SamplePoint now = points.get(points.size() - 1);
        long blocks = now.blocksAtLeast(order);
        long threshold = settings.thresholdBlocks();
        Trend trend = Trend.fit(points, order, now.timeMicros());
        Double perHour = null;
        Long exhaustedAt = null;
        if (trend != null && points.size() >= settings.minSamples()
                && now.timeMicros() - points.get(0).timeMicros() >= settings.trendWindow().toNanos() / 4000) {
            perHour = trend.slopePerHour();
            if (trend.fallingSignificantly(SIGNIFICANT_T)) {
                double hours = Math.max(0, (blocks - threshold) / -trend.slopePerHour());
                exhaustedAt = now.timeMicros() + (long) Math.min(hours * 3_600_000_000.0, 1e17);
            }
        }
        boolean atRisk = blocks < threshold || exhaustedAt != null
                && exhaustedAt - now.timeMicros() <= settings.horizon().toNanos() / 1000;
        return OrderForecast.newBuilder().setOrder(order).setFreeBlocks(blocks)
                .setUnusableIndex(now.unusableIndex(order)).setThresholdBlocks(threshold)
                .setBlocksPerHour(perHour).setExhaustedAtMicros(exhaustedAt).setAtRisk(atRisk).build();
    }

    /** Least squares of free blocks against time in hours before now. */
    record Trend(double slopePerHour, double slopeStandardError) {

        static Trend fit(List<SamplePoint> points, int order, long nowMicros) {
            int n = points.size();
            if (n < 3) {
                return null;
            }
            double sx = 0;
            double sy = 0;
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (points.get(i).timeMicros() - nowMicros) / 3_600_000_000.0;
                y[i] = points.get(i).blocksAtLeast(order);
                sx += x[i];
                sy += y[i];
            }
            double mx = sx / n;
            double my = sy / n;
            double sxx = 0;
            double sxy = 0;
            for (int i = 0; i < n; i++) {
                sxx += (x[i] - mx) * (x[i] - mx);
                sxy += (x[i] - mx) * (y[i] - my);
            }
            if (sxx <= 0) {
                return null;
            }
            double slope = sxy / sxx;
            double intercept = my - slope * mx;
            double residual = 0;
            for (int i = 0; i < n; i++) {
                double e = y[i] - intercept - slope * x[i];
                residual += e * e;
            }
            double se = Math.sqrt(residual / (n - 2) / sxx);
            return new Trend(slope, se);
        }

        boolean fallingSignificantly(double t) {
            return slopePerHour < 0 && (slopeStandardError == 0 || slopePerHour / slopeStandardError < t);
        }
    }
}
