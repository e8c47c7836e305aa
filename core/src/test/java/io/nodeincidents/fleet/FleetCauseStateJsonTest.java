package io.nodeincidents.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import org.junit.jupiter.api.Test;

/** The fleet state is plain records of strings and longs: Jackson is enough to store it. */
class FleetCauseStateJsonTest {

    @Test
    void theStateRoundTripsThroughJacksonAndKeepsItsAlerts() throws Exception {
        FleetRollup rollup = new FleetRollup(FleetSettings.defaults());
        FleetCauseState state = null;
        for (String host : new String[] {"a", "b", "c"}) {
            state = rollup.onIncident(state, Incident.newBuilder().setIncidentId("i-" + host).setHost(host)
                    .setKernelVersion(host.equals("b") ? null : "3.10.0-514.el7.x86_64")
                    .setStatus(IncidentStatus.OPEN).setCause(IncidentCause.MEMORY_FRAGMENTATION)
                    .setSeverity(Severity.CRITICAL).setFirstSeenMicros(1_000_000L).setLastSeenMicros(1_000_000L)
                    .setCounts(IncidentCounts.newBuilder().build()).setDiagnosis("d").build()).state();
        }
        ObjectMapper json = new ObjectMapper();

        FleetCauseState decoded = json.readValue(json.writeValueAsBytes(state), FleetCauseState.class);

        assertThat(decoded).isEqualTo(state);
        assertThat(decoded.alerts()).singleElement()
                .satisfies(a -> assertThat(a.hosts()).extracting(HostSighting::host).containsExactly("a", "b", "c"));
    }
}
