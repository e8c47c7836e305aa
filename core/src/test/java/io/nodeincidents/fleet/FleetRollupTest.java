package io.nodeincidents.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.FleetAlert;
import io.nodeincidents.schemas.FleetHost;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.IncidentCounts;
import io.nodeincidents.schemas.IncidentStatus;
import io.nodeincidents.schemas.Severity;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetRollupTest {

    private static final long T0 = 1_510_470_941_000_000L; // 2017-11-12T07:15:41Z
    private static final long MINUTE = 60_000_000L;
    private static final String RHEL7 = "3.10.0-514.el7.x86_64";

    private final FleetRollup rollup = new FleetRollup(FleetSettings.defaults());

    /** Feeds incidents like the topology would: one state per cause. */
    private final class Fleet {
        final Map<IncidentCause, FleetCauseState> states = new EnumMap<>(IncidentCause.class);
        final List<FleetAlert> alerts = new ArrayList<>();

        List<FleetAlert> add(Incident incident) {
            FleetRollup.Step step = rollup.onIncident(states.get(incident.getCause()), incident);
            states.put(incident.getCause(), step.state());
            alerts.addAll(step.emitted());
            return step.emitted();
        }
    }

    private static Incident incident(String host, String kernel, IncidentCause cause, long firstSeen) {
        return Incident.newBuilder()
                .setIncidentId("inc-" + host + "-" + firstSeen)
                .setHost(host)
                .setKernelVersion(kernel)
                .setStatus(IncidentStatus.OPEN)
                .setCause(cause)
                .setSeverity(Severity.CRITICAL)
                .setFirstSeenMicros(firstSeen)
                .setLastSeenMicros(firstSeen)
                .setCounts(IncidentCounts.newBuilder().setAllocationFailures(1).build())
                .setDiagnosis("d")
                .build();
    }

    private static Incident fragmentation(String host, long firstSeen) {
        return incident(host, RHEL7, IncidentCause.MEMORY_FRAGMENTATION, firstSeen);
    }

    @Test
    void threeHostsWithinTheWindowRaiseOneAlertAndTwoDoNot() {
        Fleet fleet = new Fleet();
        assertThat(fleet.add(fragmentation("node-a", T0))).isEmpty();
        assertThat(fleet.add(fragmentation("node-b", T0 + 4 * MINUTE))).isEmpty();

        List<FleetAlert> out = fleet.add(incident("node-c", "3.10.0-693.el7.x86_64",
                IncidentCause.MEMORY_FRAGMENTATION, T0 + 9 * MINUTE));

        assertThat(out).singleElement().satisfies(alert -> {
            assertThat(alert.getAlertId()).isEqualTo("MEMORY_FRAGMENTATION@2017-11-12T07:15:41Z");
            assertThat(alert.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
            assertThat(alert.getHostCount()).isEqualTo(3);
            assertThat(alert.getWindowStartMicros()).isEqualTo(T0);
            assertThat(alert.getWindowEndMicros()).isEqualTo(T0 + 10 * MINUTE);
            assertThat(alert.getHosts()).extracting(FleetHost::getHost)
                    .containsExactly("node-a", "node-b", "node-c");
            assertThat(alert.getHosts()).extracting(FleetHost::getIncidentId)
                    .containsExactly("inc-node-a-" + T0, "inc-node-b-" + (T0 + 4 * MINUTE),
                            "inc-node-c-" + (T0 + 9 * MINUTE));
            assertThat(alert.getSummary()).isEqualTo("MEMORY_FRAGMENTATION on 3 hosts within 10 min: "
                    + RHEL7 + " (2 hosts), 3.10.0-693.el7.x86_64 (1 host)");
        });
    }

    @Test
    void twoIncidentsOfOneHostCountAsOneHost() {
        Fleet fleet = new Fleet();
        fleet.add(fragmentation("node-a", T0));
        fleet.add(fragmentation("node-a", T0 + MINUTE));
        fleet.add(fragmentation("node-b", T0 + 2 * MINUTE));

        assertThat(fleet.alerts).isEmpty();
        assertThat(fleet.add(fragmentation("node-c", T0 + 3 * MINUTE))).singleElement()
                .satisfies(alert -> assertThat(alert.getHostCount()).isEqualTo(3));
    }

    @Test
    void hostsFurtherApartThanTheWindowDoNotMakeAnAlert() {
        Fleet fleet = new Fleet();
        fleet.add(fragmentation("node-a", T0));
        fleet.add(fragmentation("node-b", T0 + 6 * MINUTE));
        fleet.add(fragmentation("node-c", T0 + 11 * MINUTE));
        assertThat(fleet.alerts).isEmpty();

        // b, c and d lie within 10 minutes of each other: the window starts at b
        assertThat(fleet.add(fragmentation("node-d", T0 + 12 * MINUTE))).singleElement().satisfies(alert -> {
            assertThat(alert.getWindowStartMicros()).isEqualTo(T0 + 6 * MINUTE);
            assertThat(alert.getHosts()).extracting(FleetHost::getHost).containsExactly("node-b", "node-c", "node-d");
        });
    }

    @Test
    void laterRevisionsDoNotReAlertButANewHostGrowsTheSameAlert() {
        Fleet fleet = new Fleet();
        List<Incident> first = List.of(fragmentation("node-a", T0), fragmentation("node-b", T0 + MINUTE),
                fragmentation("node-c", T0 + 2 * MINUTE));
        first.forEach(fleet::add);
        String alertId = fleet.alerts.get(0).getAlertId();

        for (Incident i : first) {
            Incident resolved = Incident.newBuilder(i).setStatus(IncidentStatus.RESOLVED).setRevision(2)
                    .setLastSeenMicros(i.getFirstSeenMicros() + 5 * MINUTE).build();
            assertThat(fleet.add(resolved)).isEmpty();
        }
        assertThat(fleet.add(fragmentation("node-a", T0 + 3 * MINUTE))).as("known host, new incident").isEmpty();

        assertThat(fleet.add(fragmentation("node-d", T0 + 8 * MINUTE))).singleElement().satisfies(alert -> {
            assertThat(alert.getAlertId()).isEqualTo(alertId);
            assertThat(alert.getHostCount()).isEqualTo(4);
        });
        assertThat(fleet.alerts).hasSize(2);
    }

    @Test
    void aNewClusterAfterTheWindowIsANewAlert() {
        Fleet fleet = new Fleet();
        for (String h : List.of("a", "b", "c")) {
            fleet.add(fragmentation(h, T0));
        }
        for (String h : List.of("d", "e", "f")) {
            fleet.add(fragmentation(h, T0 + 30 * MINUTE));
        }

        assertThat(fleet.alerts).extracting(FleetAlert::getAlertId).containsExactly(
                "MEMORY_FRAGMENTATION@2017-11-12T07:15:41Z", "MEMORY_FRAGMENTATION@2017-11-12T07:45:41Z");
        assertThat(fleet.states.get(IncidentCause.MEMORY_FRAGMENTATION).sightings())
                .as("old sightings pruned").extracting(HostSighting::host).containsExactly("d", "e", "f");
    }

    @Test
    void causesAreRolledUpSeparatelyAndUnknownIsIgnored() {
        Fleet fleet = new Fleet();
        fleet.add(fragmentation("a", T0));
        fleet.add(fragmentation("b", T0));
        fleet.add(incident("c", RHEL7, IncidentCause.CGROUP_OOM, T0));
        fleet.add(incident("d", RHEL7, IncidentCause.UNKNOWN, T0));
        fleet.add(incident("e", RHEL7, IncidentCause.UNKNOWN, T0));
        fleet.add(incident("f", RHEL7, IncidentCause.UNKNOWN, T0));

        assertThat(fleet.alerts).isEmpty();
    }

    @Test
    void aReplayRaisesTheSameAlerts() {
        Fleet first = new Fleet();
        Fleet second = new Fleet();
        for (Fleet fleet : List.of(first, second)) {
            for (int i = 0; i < 7; i++) {
                fleet.add(fragmentation("node-" + i, T0 + i * 3 * MINUTE));
            }
        }

        assertThat(first.alerts).isNotEmpty().isEqualTo(second.alerts);
    }

    @Test
    void theHostListIsCappedAndTheCountIsNot() {
        FleetRollup small = new FleetRollup(new FleetSettings(3, java.time.Duration.ofMinutes(10), 2));
        FleetCauseState state = null;
        List<FleetAlert> alerts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            FleetRollup.Step step = small.onIncident(state, fragmentation("n" + i, T0 + i));
            state = step.state();
            alerts.addAll(step.emitted());
        }

        FleetAlert last = alerts.get(alerts.size() - 1);
        assertThat(last.getHostCount()).isEqualTo(5);
        assertThat(last.getHosts()).hasSize(2);
    }
}
