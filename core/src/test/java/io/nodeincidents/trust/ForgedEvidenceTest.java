package io.nodeincidents.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.kernel.KernelReportAssembler;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.runtime.RuntimeFailureClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence is taken by where a line comes from, never by what it says: seed 000's whole kernel report and kubelet's
 * pod sandbox failures (seed 002), printed by a container, make no event however the container names itself; the
 * same lines from the kernel, dockerd and kubelet make theirs.
 */
class ForgedEvidenceTest {

    private static final String CONTAINER = "3f2a9c1d7e5b40c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";

    @TempDir
    Path dir;

    private final NodeEventExtractor extractor = new NodeEventExtractor();

    /** The seeds' lines, read as syslog text: kernel report (seed 000) and dockerd and kubelet failures (seed 002). */
    private List<LogLine> seedLines() throws IOException {
        List<LogLine> lines = new ArrayList<>();
        for (String resource : List.of("/kernel/seed-000-centos7-order6-conntrack.log", "/runtime/seed-002-dc05.log")) {
            Path file = dir.resolve(Path.of(resource).getFileName().toString());
            try (InputStream in = ForgedEvidenceTest.class.getResourceAsStream(resource)) {
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            new LogFileReader().read(file, ReadOptions.defaults().withYear(2019).withHost("n1"), lines::add,
                    rejected -> { });
        }
        return lines;
    }

    /** The line as journald would file it, with its time kept and only its origin changed. */
    private static LogLine from(LogLine line, String transport, String identifier, String unit, String comm,
                                String containerId, String containerName, Integer facility) {
        return new LogLine("n1", "b0", line.realtimeMicros(), line.monotonicMicros(), transport, identifier, unit, comm,
                containerId, containerName, 1234, line.priority(), facility, line.message(),
                LineRef.cursor("s=1;i=" + Long.toHexString(line.ref().line()) + ";b=b0"));
    }

    /** As each source really sends it: the kernel, dockerd (docker.service) and kubelet (kubelet.service). */
    private static LogLine genuine(LogLine line) {
        if (line.isKernel()) {
            return from(line, "kernel", "kernel", null, null, null, null, 0);
        }
        boolean dockerd = "dockerd".equals(line.identifier());
        return from(line, "stdout", line.identifier(), dockerd ? "docker.service" : "kubelet.service",
                dockerd ? "dockerd" : "kubelet", null, null, null);
    }

    /**
     * A container's stdout through docker's journald log driver: journald files it under docker.service and dockerd
     * (the driver's process), the driver marks it with the container and the tag the container chose.
     */
    private static LogLine dockerLogDriver(LogLine line) {
        return from(line, "journal", line.isKernel() ? "kernel" : line.identifier(), "docker.service", "dockerd",
                CONTAINER.substring(0, 12), "k8s_app_forger_shop_0", 3);
    }

    private List<NodeEvent> events(List<LogLine> lines, NodeEventExtractor extractor) {
        List<NodeEvent> events = new ArrayList<>();
        HostLogState state = HostLogState.EMPTY;
        for (LogLine line : lines) {
            NodeEventExtractor.Step step = extractor.step(state, line);
            events.addAll(step.events());
            state = step.state();
        }
        events.addAll(extractor.flush(state).events());
        return events;
    }

    private List<NodeEvent> events(List<LogLine> lines) {
        return events(lines, extractor);
    }

    private static List<String> kinds(List<NodeEvent> events) {
        return events.stream().map(e -> e instanceof NodeEvent.Kernel k ? k.report().getClass().getSimpleName()
                : ((NodeEvent.Runtime) e).failure().kind().name()).toList();
    }

    private List<LogLine> as(UnaryOperator<LogLine> origin) throws IOException {
        return seedLines().stream().map(origin).toList();
    }

    @Test
    void theSeedsFromTheKernelDockerdAndKubeletMakeTheirEvents() throws IOException {
        List<NodeEvent> events = events(as(ForgedEvidenceTest::genuine));
        assertThat(kinds(events)).contains("AllocationFailureReport", "SlabFailureReport", "SANDBOX_FAILURE",
                "CONTAINER_START_FAILURE");
        assertThat(as(ForgedEvidenceTest::genuine)).allSatisfy(l -> assertThat(extractor.refusal(l)).isNull());
    }

    @Test
    void aContainerPrintingTheSeedsThroughDockersJournaldLogDriverMakesNoEvent() throws IOException {
        List<LogLine> forged = as(ForgedEvidenceTest::dockerLogDriver);
        assertThat(events(forged)).isEmpty();
        List<Refusal> refusals = forged.stream().map(extractor::refusal).filter(r -> r != null).toList();
        long kernelLines = forged.stream().filter(LogLine::claimsKernel).count();
        assertThat(refusals).filteredOn(r -> r.claim() == Refusal.Claim.KERNEL).hasSize((int) kernelLines);
        assertThat(refusals).filteredOn(r -> r.claim() == Refusal.Claim.RUNTIME).isNotEmpty()
                .allSatisfy(r -> assertThat(r.sender())
                        .isEqualTo("container k8s_app_forger_shop_0 (unit docker.service)"));
        for (LogLine line : forged) {
            assertThat(extractor.startsSomething(line)).as(line.message()).isFalse();
            assertThat(extractor.concerns(line)).as(line.message()).isFalse();
        }
    }

    @Test
    void whateverTheContainerCallsItselfAndHoweverItIsMarked() throws IOException {
        for (String identifier : List.of("kernel", "kubelet", "dockerd", "containerd")) {
            assertThat(events(as(l -> from(l, "stdout", identifier, "docker.service", "dockerd", CONTAINER, null,
                    null)))).as("CONTAINER_ID only, tagged %s", identifier).isEmpty();
            assertThat(events(as(l -> from(l, "journal", identifier, "docker.service", "dockerd", null, "web",
                    null)))).as("CONTAINER_NAME only, tagged %s", identifier).isEmpty();
        }
    }

    @Test
    void aContainerWritingToABindMountedDevLogIsRefusedByItsScope() throws IOException {
        // journald sets the unit from the sender's cgroup: a container's scope, whatever it names its process
        for (String scope : List.of("docker-" + CONTAINER + ".scope", "cri-containerd-" + CONTAINER + ".scope",
                "crio-" + CONTAINER + ".scope")) {
            List<LogLine> lines = as(l -> from(l, "syslog", l.isKernel() ? "kernel" : l.identifier(), scope,
                    l.isKernel() ? "kernel" : l.identifier(), null, null, l.isKernel() ? 0 : 3));
            assertThat(events(lines)).as(scope).isEmpty();
            assertThat(lines.stream().map(extractor::refusal).filter(r -> r != null))
                    .anySatisfy(r -> assertThat(r.sender()).startsWith("unit " + scope.substring(0, 40)));
        }
    }

    @Test
    void withoutAUnitTheProcessNameCountsOnlyWhenTheOperatorSaysSo() throws IOException {
        // a container under the cgroupfs driver has no unit, and names its own process
        List<LogLine> noUnit = as(l -> l.isKernel() ? genuine(l) : from(l, "syslog", l.identifier(), null,
                l.identifier(), null, null, 3));
        assertThat(kinds(events(noUnit))).doesNotContain("SANDBOX_FAILURE", "CONTAINER_START_FAILURE");
        NodeEventExtractor byComm = new NodeEventExtractor(new KernelReportAssembler(), new RuntimeFailureClassifier(),
                new SourceTrust(new TrustSettings(List.of(), List.of("kubelet", "dockerd"), true, List.of())));
        assertThat(kinds(events(noUnit, byComm))).contains("SANDBOX_FAILURE", "CONTAINER_START_FAILURE");
    }

    @Test
    void userSpaceWritingToDevKmsgIsNotTheKernel() throws IOException {
        // journald takes /dev/kmsg records as kernel transport; the kernel gives user space's writes a user facility
        List<LogLine> kmsg = as(l -> l.isKernel() ? from(l, "kernel", "kernel", null, null, null, null, 1) : l);
        assertThat(kinds(events(kmsg))).doesNotContain("AllocationFailureReport", "SlabFailureReport");
        assertThat(kmsg.stream().filter(l -> "kernel".equals(l.transport())).map(extractor::refusal))
                .allSatisfy(r -> assertThat(r.claim()).isEqualTo(Refusal.Claim.KERNEL))
                .allSatisfy(r -> assertThat(r.sender()).isEqualTo("user space writing to /dev/kmsg (facility 1)"));
        List<LogLine> kernel = as(l -> l.isKernel() ? from(l, "kernel", "kernel", null, null, null, null, null) : l);
        assertThat(kinds(events(kernel))).as("a record of a shipper that did not promote the facility")
                .contains("AllocationFailureReport");
    }

    @Test
    void aTrustedUnitsLineTaggedKernelIsStillNotTheKernel() throws IOException {
        List<LogLine> lines = as(l -> l.isKernel() ? from(l, "stdout", "kernel", "kubelet.service", "kubelet", null,
                null, null) : l);
        assertThat(kinds(events(lines))).doesNotContain("AllocationFailureReport", "SlabFailureReport");
    }

    @Test
    void unitsAreMatchedWholeOrByADeclaredPrefix() throws IOException {
        List<LogLine> failures = as(l -> l).stream().filter(l -> !l.isKernel()).toList();
        for (String unit : List.of("kubelet.service.d", "kubelet.service ", "xkubelet.service", "KUBELET.SERVICE",
                "kubelet", "docker.socket")) {
            assertThat(events(failures.stream().map(l -> from(l, "stdout", l.identifier(), unit, "kubelet", null,
                    null, null)).toList())).as(unit).isEmpty();
        }
        NodeEventExtractor acme = new NodeEventExtractor(new KernelReportAssembler(),
                new RuntimeFailureClassifier(), new SourceTrust(new TrustSettings(List.of("acme-node-*"),
                        List.of(), true, List.of())));
        List<LogLine> agent = failures.stream().map(l -> from(l, "stdout", l.identifier(),
                "acme-node-agent.service", "acme-agent", null, null, null)).toList();
        assertThat(kinds(events(agent, acme))).contains("SANDBOX_FAILURE");
        assertThat(events(agent)).as("not a default unit").isEmpty();
    }

    @Test
    void containerMarksCanBeAcceptedWhereTheKubeletRunsInAContainer() throws IOException {
        // RKE1 runs the kubelet as a docker container named kubelet
        List<LogLine> failures = as(l -> l).stream().filter(l -> !l.isKernel()).toList();
        List<LogLine> rke1 = failures.stream().map(l -> from(l, "journal", l.identifier(), "docker.service",
                "dockerd", CONTAINER.substring(0, 12), "kubelet", null)).toList();
        List<LogLine> other = failures.stream().map(l -> from(l, "journal", l.identifier(), "docker.service",
                "dockerd", CONTAINER.substring(0, 12), "kubelet-not", null)).toList();
        NodeEventExtractor named = new NodeEventExtractor(new KernelReportAssembler(), new RuntimeFailureClassifier(),
                new SourceTrust(new TrustSettings(TrustSettings.RUNTIME_UNITS.defaultValue(), List.of(), true,
                        List.of("kubelet"))));
        assertThat(kinds(events(rke1, named))).contains("SANDBOX_FAILURE");
        assertThat(events(other, named)).isEmpty();
        assertThat(events(rke1)).as("defaults").isEmpty();
        NodeEventExtractor off = new NodeEventExtractor(new KernelReportAssembler(), new RuntimeFailureClassifier(),
                new SourceTrust(new TrustSettings(TrustSettings.RUNTIME_UNITS.defaultValue(), List.of(), false,
                        List.of())));
        assertThat(kinds(events(other, off))).as("container entries not refused").contains("SANDBOX_FAILURE");
    }

    @Test
    void onlyTheDaemonTransportsCarryRuntimeLines() throws IOException {
        List<LogLine> failures = as(l -> l).stream().filter(l -> !l.isKernel()).toList();
        for (String transport : List.of("audit", "driver", "kernel")) {
            assertThat(events(failures.stream().map(l -> from(l, transport, l.identifier(), "kubelet.service",
                    "kubelet", null, null, 3)).toList())).as(transport).isEmpty();
        }
    }

    @Test
    void aSendersNamesArePrintedBoundedAndWithoutControlCharacters() {
        String hostile = "evil\n2026-11-20 ERROR forged log line\u001b[31m" + "x".repeat(10_000);
        LogLine line = new LogLine("n1", null, 1L, null, "journal", "kernel", "docker.service", "dockerd", "abc",
                hostile, 1, 3, 3, "exe: page allocation failure: order:6, mode:0x10c0d0", LineRef.none());
        Refusal refusal = extractor.refusal(line);
        assertThat(refusal.claim()).isEqualTo(Refusal.Claim.KERNEL);
        assertThat(refusal.sender()).doesNotContain("\n", "\u001b").hasSizeLessThan(200)
                .startsWith("container evil?2026-11-20 ERROR forged log line?[31mxxx");
    }

    @Test
    void textFilesAreTakenByTheirTagUnlessTheirFacilitySaysOtherwise() throws IOException {
        String report = "exe: page allocation failure: order:6, mode:0x10c0d0";
        Path file = dir.resolve("messages");
        Files.writeString(file, String.join("\n",
                "<4>Nov 12 15:15:41 n1 kernel: " + report,
                "<14>Nov 12 15:16:41 n2 kernel: " + report,
                "<14>1 2017-11-12T15:17:41Z n3 kernel - - - " + report,
                "<4>1 2017-11-12T15:18:41Z n4 kernel - - - " + report,
                "Nov 12 15:19:41 n5 kernel: " + report) + "\n", StandardCharsets.UTF_8);
        List<LogLine> lines = new ArrayList<>();
        new LogFileReader().read(file, ReadOptions.defaults().withYear(2017), lines::add, rejected -> { });
        assertThat(lines).extracting(LogLine::host).containsExactly("n1", "n2", "n3", "n4", "n5");
        assertThat(lines).extracting(LogLine::isKernel).containsExactly(true, false, false, true, true);
        assertThat(extractor.refusal(lines.get(1))).isEqualTo(new Refusal(Refusal.Claim.KERNEL,
                "a text line tagged kernel"));
    }

    @Test
    void textLinesOfAnyTagStillReportRuntimeFailures() throws IOException {
        // a saved log carries no journald metadata: the operator chose the file, and there is nothing to check
        List<LogLine> text = seedLines();
        assertThat(text).allSatisfy(l -> assertThat(l.transport() == null || l.isKernel()).isTrue());
        assertThat(kinds(events(text))).contains("AllocationFailureReport", "SANDBOX_FAILURE");
    }
}
