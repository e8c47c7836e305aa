package io.nodeincidents.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.OfflineAnalysis;
import io.nodeincidents.kernel.AllocationFailureReport;
import io.nodeincidents.kernel.OomKillReport;
import io.nodeincidents.kernel.SlabFailureReport;
import io.nodeincidents.kernel.memory.Verdict;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.logs.RejectedLine;
import io.nodeincidents.runtime.RuntimeFailure;
import io.nodeincidents.runtime.FailureKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's sample fleet says what the demo claims it says, read by the same decoders. */
class SampleFleetTest {

    @TempDir
    static Path dir;

    static List<Path> files;
    static Map<String, List<NodeEvent>> byHost;
    static final List<RejectedLine> rejected = new ArrayList<>();

    @BeforeAll
    static void writeAndAnalyze() throws IOException {
        files = SampleFleet.write(dir);
        List<NodeEvent> events = new OfflineAnalysis().events(files,
                ReadOptions.defaults().withFormat(LogFormat.AUTO), rejected::add);
        byHost = events.stream().collect(Collectors.groupingBy(NodeEvent::host));
    }

    @Test
    void everyHostHasAJournalOfRealJournalctlJsonThatReadsCleanly() throws IOException {
        assertThat(files).hasSize(SampleFleet.HOSTS.size());
        for (Path file : files) {
            assertThat(Files.readAllLines(file)).hasSizeGreaterThan(1000)
                    .allSatisfy(line -> assertThat(line).startsWith("{\"__CURSOR\":\"s="));
        }
        assertThat(rejected).isEmpty();
    }

    @Test
    void theThreeCentosHostsShowFragmentationInNfConntrackAndFailedSandboxes() {
        for (String host : List.of("slave-138", "slave-139", "slave-141")) {
            List<NodeEvent> events = byHost.get(host);
            assertThat(kernel(events, AllocationFailureReport.class)).as(host).singleElement().satisfies(alloc -> {
                assertThat(alloc.order()).isEqualTo(6);
                assertThat(alloc.verdict()).isEqualTo(Verdict.FRAGMENTATION);
                assertThat(alloc.context().kernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
                assertThat(alloc.context().host()).isEqualTo(host);
            });
            assertThat(kernel(events, SlabFailureReport.class)).as(host).hasSize(1);
            List<RuntimeFailure> sandboxes = runtime(events).stream()
                    .filter(f -> f.kind() == FailureKind.SANDBOX_FAILURE).toList();
            assertThat(sandboxes).as(host).isNotEmpty().allSatisfy(f -> {
                assertThat(f.memoryRelated()).isTrue();
                assertThat(f.namespace()).isEqualTo("prod");
            });
        }
        assertThat(runtime(byHost.get("slave-138"))).extracting(RuntimeFailure::pod)
                .contains("matchdataserver-1255064836-t4b2w", "nginx-ingress-7d4b9-x2k8p", "redis-0");
    }

    @Test
    void theUbuntuHostShowsTheMemcgOomOfTheJvm() {
        assertThat(kernel(byHost.get("ip-10-1-2-125"), OomKillReport.class)).singleElement().satisfies(oom -> {
            assertThat(oom.victim().pid()).isEqualTo(26675);
            assertThat(oom.victim().rssKb()).isEqualTo(258_308L);
        });
    }

    @Test
    void quietAndLookAlikeHostsShowNothingMemoryRelated() {
        for (String host : List.of("node-quiet-07", "node-lookalike-12")) {
            List<NodeEvent> events = byHost.getOrDefault(host, List.of());
            assertThat(events).as(host).noneMatch(e -> e instanceof NodeEvent.Kernel);
            assertThat(runtime(events)).as(host).noneMatch(RuntimeFailure::memoryRelated);
        }
    }

    @Test
    void theSamplesAreTheSameEveryTime(@TempDir Path other) throws IOException {
        List<Path> again = SampleFleet.write(other);
        for (int i = 0; i < files.size(); i++) {
            assertThat(Files.readString(again.get(i))).isEqualTo(Files.readString(files.get(i)));
        }
    }

    private static <T> List<T> kernel(List<NodeEvent> events, Class<T> type) {
        return events.stream().filter(e -> e instanceof NodeEvent.Kernel).map(e -> ((NodeEvent.Kernel) e).report())
                .filter(type::isInstance).map(type::cast).toList();
    }

    private static List<RuntimeFailure> runtime(List<NodeEvent> events) {
        return events.stream().filter(e -> e instanceof NodeEvent.Runtime)
                .map(e -> ((NodeEvent.Runtime) e).failure()).toList();
    }
}
