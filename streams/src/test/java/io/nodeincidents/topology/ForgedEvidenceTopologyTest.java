package io.nodeincidents.topology;

import static io.nodeincidents.topology.Scenario.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.metrics.CorrelatorMetrics;
import io.nodeincidents.schemas.Incident;
import io.nodeincidents.schemas.IncidentCause;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import io.nodeincidents.trust.Refusal;
import io.nodeincidents.trust.TrustSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology takes evidence by where an entry comes from: seed 000 (kernel report, dockerd and kubelet failures)
 * as journald files it from the kernel, dockerd and kubelet makes its incident; the same lines printed by a container
 * on another host make none, and each is counted as refused.
 */
class ForgedEvidenceTopologyTest {

    private static final String FORGED = "node-forged";
    private static final String CONTAINER = "3f2a9c1d7e5b40c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";

    @TempDir
    Path stateDir;

    /** Seed 000's lines as journal entries of {@code host}, each given its origin by {@code origin}. */
    private static List<JournalEntry> journal(String host, BiFunction<JournalEntry, JournalEntry.Builder,
            JournalEntry.Builder> origin) {
        List<JournalEntry> entries = new ArrayList<>();
        long n = 1;
        for (JournalEntry line : Scenario.seed000()) {
            JournalEntry.Builder b = JournalEntry.newBuilder(line).setHost(host)
                    .setBootId("0123456789abcdef0123456789abcdef")
                    .setCursor("s=5eed;i=" + Long.toHexString(n++) + ";b=0123456789abcdef0123456789abcdef");
            b.getSourceBuilder().setKind(SourceKind.JOURNALD).setFile(null).setLine(null);
            entries.add(origin.apply(line, b).build());
        }
        return entries;
    }

    private static boolean kernel(JournalEntry line) {
        return "kernel".equals(line.getSyslogIdentifier());
    }

    /** From the kernel, dockerd (docker.service) and kubelet (kubelet.service). */
    private static JournalEntry.Builder genuine(JournalEntry line, JournalEntry.Builder b) {
        if (kernel(line)) {
            return b.setTransport("kernel").setSyslogFacility(0);
        }
        boolean dockerd = "dockerd".equals(line.getSyslogIdentifier());
        return b.setTransport("stdout").setSystemdUnit(dockerd ? "docker.service" : "kubelet.service")
                .setComm(dockerd ? "dockerd" : "kubelet");
    }

    /** A container's stdout through docker's journald log driver, tagged as the original line was. */
    private static JournalEntry.Builder container(JournalEntry line, JournalEntry.Builder b) {
        return b.setTransport("journal").setSystemdUnit("docker.service").setComm("dockerd")
                .setContainerId(CONTAINER.substring(0, 12)).setContainerName("k8s_app_forger_shop_0");
    }

    /** A container process writing to a bind-mounted /dev/log: journald names its scope and its process. */
    private static JournalEntry.Builder devLog(JournalEntry line, JournalEntry.Builder b) {
        return b.setTransport("syslog").setSystemdUnit("docker-" + CONTAINER + ".scope")
                .setComm(kernel(line) ? "kernel" : line.getSyslogIdentifier());
    }

    private static List<Incident> of(List<Incident> incidents, String host) {
        return incidents.stream().filter(i -> i.getHost().equals(host)).toList();
    }

    @Test
    void aContainerPrintingTheSeedMakesNoIncidentAndIsCountedWhileTheGenuineLinesMakeTheirs() {
        CorrelatorMetrics metrics = new CorrelatorMetrics();
        try (TopologyHarness app = new TopologyHarness(stateDir, Map.of(), metrics)) {
            List<JournalEntry> forged = journal(FORGED, ForgedEvidenceTopologyTest::container);
            for (JournalEntry entry : forged) {
                app.pipe(entry, Scenario.millis(entry));
            }
            for (JournalEntry entry : journal("node-devlog", ForgedEvidenceTopologyTest::devLog)) {
                app.pipe(entry, Scenario.millis(entry));
            }
            for (JournalEntry entry : journal(Scenario.SLAVE_138, ForgedEvidenceTopologyTest::genuine)) {
                app.pipe(entry, Scenario.millis(entry));
            }
            app.settle(T0).advanceStreamTime(T0.plus(Duration.ofHours(1)));

            assertThat(of(app.incidents(), FORGED)).isEmpty();
            assertThat(of(app.incidents(), "node-devlog")).isEmpty();
            assertThat(of(app.incidents(), Scenario.SLAVE_138)).isNotEmpty().last().satisfies(i -> {
                assertThat(i.getCause()).isEqualTo(IncidentCause.MEMORY_FRAGMENTATION);
                assertThat(i.getCounts().getAllocationFailures()).isEqualTo(1);
                assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1);
            });
            long kernelLines = forged.stream().filter(ForgedEvidenceTopologyTest::kernel).count();
            // both hosts' kernel-tagged lines; the failures each host's runtime lines report
            assertThat(metrics.refused(Refusal.Claim.KERNEL)).isEqualTo(2 * kernelLines);
            assertThat(metrics.refused(Refusal.Claim.RUNTIME)).isGreaterThanOrEqualTo(4);
            assertThat(metrics.scrape()).contains("nodeincidents_entries_refused_total{claim=\"KERNEL\"} "
                    + (2 * kernelLines));
            assertThat(app.deadLetters()).isEmpty();
        }
    }

    @Test
    void theTrustedUnitsAreASetting() {
        Map<String, Object> ownUnits = Map.of(TrustSettings.RUNTIME_UNITS.name(),
                "acme-docker.service,acme-kubelet.service");
        try (TopologyHarness app = new TopologyHarness(stateDir, ownUnits)) {
            BiFunction<JournalEntry, JournalEntry.Builder, JournalEntry.Builder> acme = (line, b) -> {
                JournalEntry.Builder g = genuine(line, b);
                return g.getSystemdUnit() == null ? g : g.setSystemdUnit("acme-" + g.getSystemdUnit());
            };
            app.pipe(journal(Scenario.SLAVE_138, acme));
            app.pipe(journal("node-default-units", ForgedEvidenceTopologyTest::genuine));
            app.settle(T0);
            assertThat(of(app.incidents(), Scenario.SLAVE_138)).last()
                    .satisfies(i -> assertThat(i.getCounts().getSandboxFailures()).isEqualTo(1));
            assertThat(of(app.incidents(), "node-default-units")).last().as("docker.service is not listed")
                    .satisfies(i -> assertThat(i.getCounts().getSandboxFailures()).isZero());
        }
    }
}
