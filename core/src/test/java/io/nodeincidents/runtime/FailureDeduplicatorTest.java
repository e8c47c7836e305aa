package io.nodeincidents.runtime;

import io.nodeincidents.logs.LineRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.nodeincidents.runtime.FailureKind.CONTAINER_START_FAILURE;
import static io.nodeincidents.runtime.FailureKind.SANDBOX_FAILURE;
import static org.assertj.core.api.Assertions.assertThat;

class FailureDeduplicatorTest {

    static final long T0 = 1_548_224_131_352_386L;
    int line;

    RuntimeFailure sandbox(String host, long time, String pod, String ns, String uid) {
        return new RuntimeFailure(host, time, SANDBOX_FAILURE, RuntimeComponent.KUBELET, false, pod, ns, uid, null,
                "boom", List.of(LineRef.fileLine("f", ++line)));
    }

    @Test
    void linesWithinTheWindowFoldAndTheMergedFailureIsCompletedOnceLaterEventsArrive() {
        FailureDeduplicator.Step s1 = FailureDeduplicator.fold(FailureDeduplicator.Open.EMPTY,
                sandbox("h", T0, "web-0", null, null));
        FailureDeduplicator.Step s2 = FailureDeduplicator.fold(s1.open(), sandbox("h", T0 + 100, "web-0", "shop", "u1"));
        assertThat(s1.completed()).isEmpty();
        assertThat(s2.completed()).isEmpty();
        assertThat(s2.open().failures()).singleElement().satisfies(f -> {
            assertThat(f.namespace()).isEqualTo("shop");
            assertThat(f.refs()).hasSize(2);
            assertThat(f.timeMicros()).isEqualTo(T0);
        });

        // the kubelet retries ten seconds later: a new failure, and the first one is complete
        FailureDeduplicator.Step s3 = FailureDeduplicator.fold(s2.open(),
                sandbox("h", T0 + 10_000_000, "web-0", "shop", "u1"));
        assertThat(s3.completed()).singleElement().satisfies(f -> assertThat(f.refs()).hasSize(2));
        assertThat(s3.open().failures()).hasSize(1);
    }

    @Test
    void aStormOfOneRepeatedLineKeepsItsFirstAndLastReferencesAndCountsEveryLine() {
        FailureDeduplicator.Open open = FailureDeduplicator.Open.EMPTY;
        for (int i = 0; i < 20_000; i++) {
            // the same error line again and again, in the same second: one failure
            FailureDeduplicator.Step step = FailureDeduplicator.fold(open, sandbox("h", T0, "web-0", "shop", "u1"));
            assertThat(step.completed()).isEmpty();
            open = step.open();
        }
        assertThat(open.failures()).singleElement().satisfies(f -> {
            assertThat(f.lines()).isEqualTo(20_000);
            assertThat(f.refs()).hasSize(2 * RuntimeFailure.EDGE_REFS);
            assertThat(f.omittedRefs()).isEqualTo(20_000 - 2 * RuntimeFailure.EDGE_REFS);
            assertThat(f.refs()).extracting(LineRef::line).startsWith(1L, 2L, 3L).endsWith(19_999L, 20_000L);
            assertThat(f.refs().subList(0, RuntimeFailure.EDGE_REFS)).extracting(LineRef::line)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        });
        // and completed, it still says so
        assertThat(FailureDeduplicator.flush(open)).singleElement()
                .satisfies(f -> assertThat(f.lines()).isEqualTo(20_000));
    }

    @Test
    void foldedFailuresAddTheirCountsAndAFailureBuiltWithManyReferencesKeepsItsEnds() {
        List<LineRef> many = new java.util.ArrayList<>();
        for (long l = 1; l <= 100; l++) {
            many.add(LineRef.fileLine("f", l));
        }
        RuntimeFailure big = new RuntimeFailure("h", T0, SANDBOX_FAILURE, RuntimeComponent.KUBELET, false, "web-0",
                null, null, null, "boom", many);
        assertThat(big.lines()).isEqualTo(100);
        assertThat(big.refs()).hasSize(2 * RuntimeFailure.EDGE_REFS).extracting(LineRef::line)
                .startsWith(1L).endsWith(100L);

        RuntimeFailure merged = big.mergedWith(big.mergedWith(sandbox("h", T0, "web-0", null, null)));
        assertThat(merged.lines()).isEqualTo(201);
        assertThat(merged.refs()).hasSize(2 * RuntimeFailure.EDGE_REFS);
        // a reference already kept is not listed twice
        assertThat(merged.refs()).doesNotHaveDuplicates();
    }

    @Test
    void aScheduledEventGivesItsNamespaceToAFailureNamingThePodWithoutOne() {
        FailureDeduplicator.Open described = FailureDeduplicator.observe(FailureDeduplicator.Open.EMPTY,
                "Normal   Scheduled  27m  default-scheduler  Successfully assigned timeseries/cron-1-kx4wt to node-3",
                T0);
        FailureDeduplicator.Step same = FailureDeduplicator.fold(described, sandbox("h", T0, "cron-1-kx4wt", null, null));
        assertThat(same.open().failures()).singleElement()
                .satisfies(f -> assertThat(f.namespace()).isEqualTo("timeseries"));
        // another pod keeps its own name and gets no namespace from the described one
        FailureDeduplicator.Step other = FailureDeduplicator.fold(described, sandbox("h", T0, "web-0", null, null));
        assertThat(other.open().failures()).singleElement().satisfies(f -> {
            assertThat(f.pod()).isEqualTo("web-0");
            assertThat(f.namespace()).isNull();
        });
    }

    @Test
    void windowIsTwoSecondsOfEventTime() {
        List<RuntimeFailure> within = FailureDeduplicator.deduplicate(List.of(
                sandbox("h", T0, "web-0", null, null), sandbox("h", T0 + 2_000_000, "web-0", null, null)));
        List<RuntimeFailure> beyond = FailureDeduplicator.deduplicate(List.of(
                sandbox("h", T0, "web-0", null, null), sandbox("h", T0 + 2_000_001, "web-0", null, null)));
        assertThat(within).hasSize(1);
        assertThat(beyond).hasSize(2);
    }

    @Test
    void differentPodsHostsKindsOrUidsStayApart() {
        RuntimeFailure base = sandbox("h", T0, "web-0", "shop", "u1");
        assertThat(FailureDeduplicator.deduplicate(List.of(base, sandbox("h", T0, "web-1", "shop", "u1")))).hasSize(2);
        assertThat(FailureDeduplicator.deduplicate(List.of(base, sandbox("h2", T0, "web-0", "shop", "u1")))).hasSize(2);
        assertThat(FailureDeduplicator.deduplicate(List.of(base, sandbox("h", T0, "web-0", "shop", "u2")))).hasSize(2);
        assertThat(FailureDeduplicator.deduplicate(List.of(base, sandbox("h", T0, "web-0", "other", null)))).hasSize(2);
        RuntimeFailure start = new RuntimeFailure("h", T0, CONTAINER_START_FAILURE, RuntimeComponent.KUBELET, false,
                "web-0", "shop", "u1", null, "boom", List.of(LineRef.fileLine("f", 99)));
        assertThat(FailureDeduplicator.deduplicate(List.of(base, start))).hasSize(2);
    }

    @Test
    void memoryEvidenceFromAnyLineIsKept() {
        RuntimeFailure plain = sandbox("h", T0, "web-0", null, null);
        RuntimeFailure memory = new RuntimeFailure("h", T0 + 5, SANDBOX_FAILURE, RuntimeComponent.CONTAINERD, true,
                "web-0", "shop", null, null, "cannot allocate memory", List.of(LineRef.cursor("s=1")));
        assertThat(FailureDeduplicator.deduplicate(List.of(plain, memory))).singleElement().satisfies(f -> {
            assertThat(f.memoryRelated()).isTrue();
            assertThat(f.component()).isEqualTo(RuntimeComponent.KUBELET);
        });
    }

    @Test
    void expireCompletesOnlyFailuresWhoseWindowHasPassed() {
        FailureDeduplicator.Open open = new FailureDeduplicator.Open(List.of(
                sandbox("h", T0, "a", null, null), sandbox("h", T0 + 1_500_000, "b", null, null)));
        FailureDeduplicator.Step step = FailureDeduplicator.expire(open, T0 + 2_500_000);
        assertThat(step.completed()).extracting(RuntimeFailure::pod).containsExactly("a");
        assertThat(step.open().failures()).extracting(RuntimeFailure::pod).containsExactly("b");
        assertThat(FailureDeduplicator.flush(step.open())).hasSize(1);
    }

    @Test
    void openFailuresAreBounded() {
        FailureDeduplicator.Open open = FailureDeduplicator.Open.EMPTY;
        int completed = 0;
        for (int i = 0; i < FailureDeduplicator.MAX_OPEN + 10; i++) {
            FailureDeduplicator.Step step = FailureDeduplicator.fold(open, sandbox("h", T0, "pod-" + i, null, null));
            open = step.open();
            completed += step.completed().size();
        }
        assertThat(open.failures()).hasSize(FailureDeduplicator.MAX_OPEN);
        assertThat(completed).isEqualTo(10);
    }
}
