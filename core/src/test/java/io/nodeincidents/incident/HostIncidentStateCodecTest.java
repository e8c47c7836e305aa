package io.nodeincidents.incident;

import static io.nodeincidents.incident.Seeds.MINUTE;
import static io.nodeincidents.incident.Seeds.SECOND;
import static io.nodeincidents.incident.Seeds.T0;
import static io.nodeincidents.incident.Seeds.sandboxFailure;
import static io.nodeincidents.incident.Seeds.seed000Allocation;
import static io.nodeincidents.incident.Seeds.seed000Slab;
import static io.nodeincidents.incident.Seeds.seed004MemcgOom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodeincidents.schemas.Incident;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HostIncidentStateCodecTest {

    private final IncidentAggregator aggregator = new IncidentAggregator(IncidentSettings.defaults());

    private HostIncidentState busyState() {
        String host = "slave-138";
        HostIncidentState state = aggregator.onRuntimeFailure(null,
                sandboxFailure(host, T0 - 10 * SECOND, "basic", "pod-" + "\u00e9".repeat(40_000)).build(),
                T0 - 10 * SECOND).state();
        state = aggregator.onKernelEvent(state, seed000Allocation(host, T0).build(), T0).state();
        state = aggregator.onKernelEvent(state, seed000Slab(host, T0).build(), T0).state();
        state = aggregator.onKernelEvent(state, seed004MemcgOom(host, T0 + SECOND).build(), T0 + SECOND).state();
        state = aggregator.onRuntimeFailure(state, sandboxFailure(host, T0 + 5 * MINUTE, "x", "unjoined").build(),
                T0 + 5 * MINUTE).state();
        return state;
    }

    @Test
    void aStateSurvivesTheRoundTripAndBehavesTheSameAfterwards() {
        HostIncidentState state = busyState();
        assertThat(state.openIncidents()).hasSize(1);
        assertThat(state.pendingFailures()).hasSize(1);

        HostIncidentState decoded = HostIncidentStateCodec.decode(HostIncidentStateCodec.encode(state));

        assertThat(decoded).isEqualTo(state);
        List<Incident> fromOriginal = aggregator.onTime(state, T0 + 30 * MINUTE).emitted();
        List<Incident> fromDecoded = aggregator.onTime(decoded, T0 + 30 * MINUTE).emitted();
        assertThat(fromDecoded).isNotEmpty().isEqualTo(fromOriginal);
    }

    @Test
    void aStormsCappedStateKeepsItsCountsOfWhatWasLeftOut() {
        IncidentAggregator small = new IncidentAggregator(IncidentSettings.defaults().withListCaps(4));
        HostIncidentState state = small.onKernelEvent(null, seed000Allocation("h", T0).build(), T0).state();
        for (int i = 1; i <= 20; i++) {
            long t = T0 + i * SECOND;
            state = small.onKernelEvent(state, seed000Allocation("h", t).build(), t).state();
            state = small.onRuntimeFailure(state, sandboxFailure("h", t, "basic", "pod-" + i)
                    .setEvidenceOmitted(99).build(), t).state();
        }
        OpenIncident open = state.openIncidents().get(0);
        assertThat(open.kernelEventsOmitted()).isEqualTo(17);
        assertThat(open.runtimeFailuresOmitted()).isEqualTo(16);
        assertThat(open.evidenceOmitted()).isPositive();
        assertThat(open.tally().runtimeFailureLines()).isEqualTo(20 * 100);

        assertThat(HostIncidentStateCodec.decode(HostIncidentStateCodec.encode(state))).isEqualTo(state);
    }

    @Test
    void theEmptyStateAndNullRoundTrip() {
        assertThat(HostIncidentStateCodec.decode(HostIncidentStateCodec.encode(HostIncidentState.empty())))
                .isEqualTo(HostIncidentState.empty());
        assertThat(HostIncidentStateCodec.decode(null)).isNull();
    }

    @Test
    void truncatedCorruptOrForeignBytesAreRefusedWithAClearError() {
        byte[] good = HostIncidentStateCodec.encode(busyState());

        assertThatThrownBy(() -> HostIncidentStateCodec.decode(Arrays.copyOf(good, good.length / 2)))
                .isInstanceOf(StateFormatException.class);
        byte[] otherSchemas = good.clone();
        otherSchemas[3] ^= 0x55;
        assertThatThrownBy(() -> HostIncidentStateCodec.decode(otherSchemas))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("other contract schemas");
        assertThatThrownBy(() -> HostIncidentStateCodec.decode(new byte[] {9, 1, 2}))
                .isInstanceOf(StateFormatException.class).hasMessageContaining("format 9");

        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] junk = good.clone();
            for (int k = 0; k < 4; k++) {
                int at = 9 + random.nextInt(junk.length - 9); // keep the header: damage the body
                junk[at] = (byte) random.nextInt(256);
            }
            try {
                HostIncidentStateCodec.decode(junk);
            } catch (StateFormatException expected) {
                // fine: refused clearly; anything else (OutOfMemoryError, other exceptions) fails the test
            }
        }
    }
}
