package io.nodeincidents.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.OrderForecast;
import io.nodeincidents.schemas.Severity;
import io.nodeincidents.schemas.ZoneState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FragmentationForecastTest {

    /** Seed 000's failing node (Normal and DMA32) and its healthy peer (Normal), from /proc/buddyinfo. */
    static final long[] FAILING_NORMAL = {40153, 12774, 302, 17, 0, 0, 0, 0, 0, 0, 0};
    static final long[] FAILING_DMA32 = {8409, 8079, 1340, 74, 6, 0, 0, 0, 0, 0, 0};
    static final long[] HEALTHY_NORMAL = {108, 1708, 952, 1064, 957, 690, 285, 145, 12, 1, 0};
    static final long[] DMA = {1, 0, 0, 1, 2, 1, 1, 0, 1, 1, 3};
    static final String OLD_KERNEL = "3.10.0-327.el7.x86_64";
    static final long T0 = 1_700_000_000_000_000L;
    static final long INTERVAL = 30_000_000L;

    private final FragmentationForecast forecast = new FragmentationForecast(ForecastSettings.defaults());

    static NodeMemorySample sample(String host, long micros, long[] normal, long compactSuccess) {
        return sample(host, micros, normal, compactSuccess, "boot-1", OLD_KERNEL);
    }

    static NodeMemorySample sample(String host, long micros, long[] normal, long compactSuccess, String boot,
            String kernel) {
        return NodeMemorySample.newBuilder().setHost(host).setSampledAtMicros(micros).setBootId(boot)
                .setKernelVersion(kernel)
                .setZones(List.of(zone("DMA", DMA), zone("Normal", normal)))
                .setVmstat(Map.of("compact_success", compactSuccess, "compact_stall", 10L)).build();
    }

    static ZoneState zone(String name, long[] blocks) {
        List<Long> list = new ArrayList<>();
        for (long b : blocks) {
            list.add(b);
        }
        return ZoneState.newBuilder().setNode(0).setZone(name).setFreeBlocks(list).build();
    }

    /** The healthy table moved a fraction {@code f} (0..1) of the way to the failing one, per order. */
    static long[] decayed(double f) {
        long[] out = new long[HEALTHY_NORMAL.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.round(HEALTHY_NORMAL[i] + (FAILING_NORMAL[i] - HEALTHY_NORMAL[i]) * f);
        }
        return out;
    }

    record Run(HostMemoryState state, List<Incident> revisions, List<MemoryForecast> forecasts) {
    }

    Run run(HostMemoryState state, List<NodeMemorySample> samples) {
        List<Incident> revisions = new ArrayList<>();
        List<MemoryForecast> forecasts = new ArrayList<>();
        for (NodeMemorySample s : samples) {
            FragmentationForecast.Step step = forecast.step(state, s);
            state = step.state();
            forecasts.add(step.forecast());
            step.revision().ifPresent(revisions::add);
        }
        return new Run(state, revisions, forecasts);
    }

    /** An hour of steady decay from the healthy table to the failing one, then the failing table for 5 min. */
    static List<NodeMemorySample> decayingHour(String host) {
        List<NodeMemorySample> samples = new ArrayList<>();
        for (int i = 0; i <= 120; i++) {
            samples.add(sample(host, T0 + i * INTERVAL, decayed(i / 120.0), 100));
        }
        for (int i = 121; i <= 130; i++) {
            samples.add(sample(host, T0 + i * INTERVAL, FAILING_NORMAL, 100));
        }
        return samples;
    }

    @Test
    void warnsWellBeforeTheBlocksRunOutOnADecayingHost() {
        Run run = run(HostMemoryState.EMPTY, decayingHour("slave-138"));
        Incident open = run.revisions().get(0);
        assertEquals(IncidentStatus.OPEN, open.getStatus());
        assertEquals(IncidentCause.FRAGMENTATION_RISK, open.getCause());
        assertEquals(Severity.WARNING, open.getSeverity());
        assertEquals(6, open.getMemoryForecast().getRiskOrder());
        // order 6 falls below 16 blocks only near the end of the hour (about 58 min in): the warning comes long before
        long order6Exhausted = firstBelow(run.forecasts(), 6, 16);
        long leadMinutes = (order6Exhausted - open.getFirstSeenMicros()) / 60_000_000L;
        assertTrue(leadMinutes >= 15 && leadMinutes <= 50, "lead time " + leadMinutes + " min");
        assertTrue(open.getDiagnosis().contains("nf_conntrack"), open.getDiagnosis());
        assertTrue(open.getRemediation().get(0).contains("compact_memory"));
        // once below the threshold, one UPDATED says so; no churn of revisions every sample
        assertTrue(run.revisions().size() <= 3, run.revisions().toString());
        assertTrue(run.revisions().stream().allMatch(r -> r.getIncidentId().equals(open.getIncidentId())));
        assertTrue(run.revisions().stream().noneMatch(r -> r.getStatus() == IncidentStatus.RESOLVED));
    }

    private static long firstBelow(List<MemoryForecast> forecasts, int order, long blocks) {
        for (MemoryForecast f : forecasts) {
            for (OrderForecast o : f.getOrders()) {
                if (o.getOrder() == order && o.getFreeBlocks() < blocks) {
                    return f.getSampledAtMicros();
                }
            }
        }
        throw new AssertionError("order " + order + " never fell below " + blocks);
    }

    @Test
    void aNoisyDecayOpensOneRiskThatDoesNotFlap() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            List<NodeMemorySample> samples = new ArrayList<>();
            for (int i = 0; i <= 130; i++) {
                long[] noisy = decayed(Math.min(1, i / 120.0));
                for (int o = 0; o < noisy.length; o++) {
                    noisy[o] = Math.round(noisy[o] * (0.9 + 0.2 * random.nextDouble()));
                }
                samples.add(sample("slave-" + seed, T0 + i * INTERVAL, noisy, 100 + i));
            }
            Run run = run(HostMemoryState.EMPTY, samples);
            assertEquals(1, run.revisions().stream().map(Incident::getIncidentId).distinct().count(), "seed " + seed);
            assertTrue(run.revisions().stream().noneMatch(r -> r.getStatus() == IncidentStatus.RESOLVED),
                    "seed " + seed);
        }
    }

    @Test
    void aHealthyOrNoisyButLevelHostIsNeverWarned() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            List<NodeMemorySample> samples = new ArrayList<>();
            for (int i = 0; i < 360; i++) {
                long[] noisy = HEALTHY_NORMAL.clone();
                for (int o = 0; o < noisy.length; o++) {
                    noisy[o] = Math.max(0, Math.round(noisy[o] * (0.6 + 0.8 * random.nextDouble())));
                }
                samples.add(sample("healthy-" + seed, T0 + i * INTERVAL, noisy, 100));
            }
            Run run = run(HostMemoryState.EMPTY, samples);
            assertEquals(List.of(), run.revisions(), "seed " + seed);
            MemoryForecast last = run.forecasts().get(run.forecasts().size() - 1);
            assertNull(last.getRiskOrder());
            assertEquals(List.of(4, 6), last.getOrders().stream().map(OrderForecast::getOrder).toList());
        }
    }

    @Test
    void compactionThatRefillsTheFreeListsResolvesTheRiskAndSaysItWorked() {
        List<NodeMemorySample> samples = new ArrayList<>(decayingHour("slave-138").subList(0, 110));
        long t = T0 + 110 * INTERVAL;
        samples.add(sample("slave-138", t, HEALTHY_NORMAL, 180));
        Run run = run(HostMemoryState.EMPTY, samples);
        Incident resolved = run.revisions().get(run.revisions().size() - 1);
        assertEquals(IncidentStatus.RESOLVED, resolved.getStatus());
        assertEquals(run.revisions().get(0).getIncidentId(), resolved.getIncidentId());
        assertEquals(Boolean.TRUE, resolved.getMemoryForecast().getCompactionEffective());
        assertTrue(resolved.getDiagnosis().contains("Compaction was effective"), resolved.getDiagnosis());
        assertNull(run.state().risk());
        assertNull(run.forecasts().get(run.forecasts().size() - 1).getRiskIncidentId());
    }

    @Test
    void aHostAlreadyShortOfBlocksIsWarnedAtItsFirstSample() {
        Run run = run(HostMemoryState.EMPTY, List.of(sample("slave-1", T0, FAILING_NORMAL, 0)));
        assertEquals(1, run.revisions().size());
        Incident open = run.revisions().get(0);
        assertTrue(open.getDiagnosis().contains("below the threshold"), open.getDiagnosis());
        assertEquals(6, open.getMemoryForecast().getRiskOrder());
    }

    @Test
    void theOrdersWatchedFollowTheKernelAndTheFailuresSeen() {
        assertEquals(List.of(4, 6), forecast.ordersFor(OLD_KERNEL, List.of()));
        assertEquals(List.of(4), forecast.ordersFor("5.15.0-91-generic", List.of()));
        assertEquals(List.of(3, 4), forecast.ordersFor("5.15.0-91-generic", List.of(3)));
        assertEquals(List.of(4), forecast.ordersFor(null, List.of()));
        // an order that failed on another host of the same kernel is watched here too
        NodeMemorySample modern = sample("new", T0, decayed(0.5), 0, "b", "6.1.0");
        assertEquals(List.of(4), forecast.step(HostMemoryState.EMPTY, modern).forecast().getOrders().stream()
                .map(OrderForecast::getOrder).toList());
        assertEquals(List.of(4, 7), forecast.step(HostMemoryState.EMPTY, modern, java.util.Set.of(7)).forecast()
                .getOrders().stream().map(OrderForecast::getOrder).toList());
        // a new kernel host with fragmented free lists but order 4 still plentiful is not at risk for order 6
        Run run = run(HostMemoryState.EMPTY, List.of(sample("new", T0, decayed(0.5), 0, "b", "6.1.0")));
        assertEquals(List.of(), run.revisions());
    }

    @Test
    void aRebootResolvesAnOpenRiskAndStartsTheTrendAgain() {
        Run run = run(HostMemoryState.EMPTY, List.of(sample("slave-1", T0, FAILING_NORMAL, 0)));
        FragmentationForecast.Step step = forecast.step(run.state(),
                sample("slave-1", T0 + INTERVAL, FAILING_NORMAL, 0, "boot-2", OLD_KERNEL));
        Incident resolved = step.revision().orElseThrow();
        assertEquals(IncidentStatus.RESOLVED, resolved.getStatus());
        assertTrue(resolved.getDiagnosis().contains("rebooted"));
        assertEquals(1, step.state().points().size());
        assertEquals("boot-2", step.state().bootId());
    }

    @Test
    void aHostThatFallsSilentHasItsRiskResolvedAfterTheTrendWindowAndIsForgottenAfterADay() {
        Run run = run(HostMemoryState.EMPTY, List.of(sample("slave-1", T0, FAILING_NORMAL, 0)));
        assertNull(forecast.onSilence("slave-1", run.state(), T0 + 30 * 60_000_000L));
        FragmentationForecast.Silence silence = forecast.onSilence("slave-1", run.state(), T0 + 61 * 60_000_000L);
        Incident resolved = silence.revision().orElseThrow();
        assertEquals(IncidentStatus.RESOLVED, resolved.getStatus());
        assertEquals(run.revisions().get(0).getIncidentId(), resolved.getIncidentId());
        assertTrue(resolved.getDiagnosis().contains("no memory sample for 61 min"), resolved.getDiagnosis());
        assertNull(silence.state().risk());
        assertNull(forecast.onSilence("slave-1", silence.state(), T0 + 2 * 3_600_000_000L));
        FragmentationForecast.Silence forgotten = forecast.onSilence("slave-1", silence.state(),
                T0 + 25 * 3_600_000_000L);
        assertNull(forgotten.state());
        assertFalse(forgotten.revision().isPresent());
    }

    @Test
    void aReplayGivesTheSameIncidentIdsAndARepeatedSampleChangesNothing() {
        Run first = run(HostMemoryState.EMPTY, decayingHour("slave-138"));
        Run second = run(HostMemoryState.EMPTY, decayingHour("slave-138"));
        assertEquals(first.revisions(), second.revisions());
        NodeMemorySample last = decayingHour("slave-138").get(130);
        FragmentationForecast.Step repeat = forecast.step(first.state(), last);
        assertEquals(first.state(), repeat.state());
        assertFalse(repeat.revision().isPresent());
    }

    @Test
    void blocksCountLargerFreeBlocksSplitAndTheUnusableIndexFollowsGorman() {
        SamplePoint point = SamplePoint.of(sample("h", T0, HEALTHY_NORMAL, 0));
        assertEquals(285 + 145 * 2 + 12 * 4 + 1 * 8, point.blocksAtLeast(6));
        SamplePoint failing = SamplePoint.of(sample("h", T0, FAILING_NORMAL, 0));
        assertEquals(0, failing.blocksAtLeast(4));
        assertEquals(1.0, failing.unusableIndex(4), 1e-9);
        long total = 40153 + 12774 * 2 + 302 * 4 + 17 * 8;
        assertEquals((double) (40153 + 12774 * 2) / total, failing.unusableIndex(2), 1e-9);
        assertNotNull(point.freeBlocks());
    }
}
