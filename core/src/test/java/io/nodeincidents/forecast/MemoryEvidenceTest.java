package io.nodeincidents.forecast;

import static io.nodeincidents.forecast.FragmentationForecastTest.FAILING_NORMAL;
import static io.nodeincidents.forecast.FragmentationForecastTest.HEALTHY_NORMAL;
import static io.nodeincidents.forecast.FragmentationForecastTest.INTERVAL;
import static io.nodeincidents.forecast.FragmentationForecastTest.T0;
import static io.nodeincidents.forecast.FragmentationForecastTest.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nodeincidents.schemas.AllocationFailure;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.KernelEventKind;
import io.nodeincidents.schemas.KernelMemoryEvent;
import io.nodeincidents.schemas.MemoryForecast;
import io.nodeincidents.schemas.OrderForecast;
import io.nodeincidents.schemas.RuntimeFailureEvent;
import io.nodeincidents.schemas.RuntimeFailureKind;
import io.nodeincidents.schemas.Severity;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEvidenceTest {

    private final ForecastSettings settings = ForecastSettings.defaults();
    private final FragmentationForecast forecast = new FragmentationForecast(settings);

    static Incident failure(String host, long kernelMicros, Long sandboxMicros, int order) {
        KernelMemoryEvent kernel = KernelMemoryEvent.newBuilder().setEventId("k1").setHost(host)
                .setTimeMicros(kernelMicros).setKind(KernelEventKind.ALLOC_FAILURE)
                .setAllocation(AllocationFailure.newBuilder().setOrder(order).build()).build();
        List<RuntimeFailureEvent> runtime = new ArrayList<>();
        if (sandboxMicros != null) {
            runtime.add(RuntimeFailureEvent.newBuilder().setEventId("r1").setHost(host).setTimeMicros(sandboxMicros)
                    .setKind(RuntimeFailureKind.SANDBOX_FAILURE).setComponent("kubelet")
                    .setErrorText("RunPodSandbox from runtime service failed").build());
        }
        return Incident.newBuilder().setIncidentId("i1").setHost(host).setStatus(IncidentStatus.OPEN)
                .setCause(IncidentCause.MEMORY_FRAGMENTATION).setSeverity(Severity.CRITICAL)
                .setFirstSeenMicros(kernelMicros).setLastSeenMicros(kernelMicros)
                .setCounts(IncidentCounts.newBuilder().build()).setDiagnosis("d").setKernelEvents(List.of(kernel))
                .setRuntimeFailures(runtime).build();
    }

    @Test
    void anAllocationFailureCarriesTheLatestSampleTheFleetMedianAndTheWarningsLeadTime() {
        HostMemoryState state = HostMemoryState.EMPTY;
        MemoryForecast latest = null;
        for (NodeMemorySampleRow row : decay()) {
            FragmentationForecast.Step step = forecast.step(state, row.sample());
            state = step.state();
            latest = step.forecast();
        }
        long opened = state.risk().openedMicros();
        long sandboxAt = opened + 23 * 60_000_000L;
        Incident incident = failure("slave-138", sandboxAt - 1_000_000L, sandboxAt, 6);
        MemoryForecast healthyPeer = forecast.step(HostMemoryState.EMPTY,
                sample("slave-7", latest.getSampledAtMicros(), HEALTHY_NORMAL, 0)).forecast();
        MemoryForecast otherPeer = forecast.step(HostMemoryState.EMPTY,
                sample("slave-8", latest.getSampledAtMicros(), HEALTHY_NORMAL, 0)).forecast();
        MemoryForecast evidence = MemoryEvidence.evidence(incident, latest, state,
                List.of(latest, healthyPeer, otherPeer), settings);
        assertEquals(23 * 60_000L, evidence.getWarnedBeforeMillis());
        assertEquals(285 + 145 * 2 + 12 * 4 + 8, evidence.getFleetMedianBlocks());
        assertEquals(latest.getSampledAtMicros(), evidence.getSampledAtMicros());
        assertTrue(MemoryEvidence.concerns(incident));
        // a host whose forecast is from after the failure (a replay ran ahead) does not stand for the fleet then
        MemoryForecast later = forecast.step(HostMemoryState.EMPTY, sample("slave-9",
                incident.getFirstSeenMicros() + 10 * 60_000_000L, FAILING_NORMAL, 0)).forecast();
        assertEquals(evidence.getFleetMedianBlocks(), MemoryEvidence.evidence(incident, latest, state,
                List.of(latest, healthyPeer, otherPeer, later), settings).getFleetMedianBlocks());
    }

    @Test
    void aFailedOrderTheForecastDidNotWatchIsComputedFromTheZonesAndWatchedFromThenOn() {
        MemoryForecast latest = forecast.step(HostMemoryState.EMPTY,
                sample("h", T0, FAILING_NORMAL, 0, "b", "5.15.0")).forecast();
        Incident incident = failure("h", T0 + INTERVAL, null, 3);
        MemoryForecast evidence = MemoryEvidence.evidence(incident, latest, HostMemoryState.EMPTY, List.of(latest),
                settings);
        OrderForecast order3 = evidence.getOrders().stream().filter(o -> o.getOrder() == 3).findFirst().orElseThrow();
        assertEquals(17, order3.getFreeBlocks());
        assertNull(evidence.getWarnedBeforeMillis());
        HostMemoryState taught = MemoryEvidence.withFailedOrder(HostMemoryState.EMPTY, 3);
        assertEquals(List.of(3, 4), forecast.ordersFor("5.15.0", taught.failedOrders()));
        assertEquals(taught, MemoryEvidence.withFailedOrder(taught, 3));
    }

    @Test
    void aWarningThatOpenedAfterTheFailureOrLongBeforeIsNoLeadTime() {
        HostMemoryState warnedLate = new HostMemoryState("b", null, List.of(), List.of(),
                new OpenRisk("r", 1, T0 + 10 * 60_000_000L, 6, false, null), T0 + 10 * 60_000_000L);
        MemoryForecast latest = forecast.step(HostMemoryState.EMPTY, sample("h", T0, FAILING_NORMAL, 0)).forecast();
        assertNull(MemoryEvidence.evidence(failure("h", T0, null, 6), latest, warnedLate, List.of(), settings)
                .getWarnedBeforeMillis());
        HostMemoryState warnedLongAgo = new HostMemoryState("b", null, List.of(), List.of(), null,
                T0 - 3 * 3_600_000_000L);
        assertNull(MemoryEvidence.evidence(failure("h", T0, null, 6), latest, warnedLongAgo, List.of(), settings)
                .getWarnedBeforeMillis());
    }

    record NodeMemorySampleRow(io.nodeincidents.schemas.NodeMemorySample sample) {
    }

    private static List<NodeMemorySampleRow> decay() {
        List<NodeMemorySampleRow> rows = new ArrayList<>();
        for (int i = 0; i <= 100; i++) {
            rows.add(new NodeMemorySampleRow(sample("slave-138", T0 + i * INTERVAL,
                    FragmentationForecastTest.decayed(i / 120.0), 100)));
        }
        return rows;
    }
}
