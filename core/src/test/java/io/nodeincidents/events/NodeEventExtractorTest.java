package io.nodeincidents.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.kernel.PendingReport;
import io.nodeincidents.kernel.ReportKind;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import io.nodeincidents.runtime.FailureDeduplicator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The step function never throws: what a decoder cannot read is set aside and the host's lines go on. */
class NodeEventExtractorTest {

    private final NodeEventExtractor extractor = new NodeEventExtractor();

    /**
     * A pending OOM report no assembler writes (no lines, negative counters): what a corrupt or foreign stored state
     * restores to. The assembler throws on it.
     */
    private static HostLogState foreignState() {
        PendingReport broken = new PendingReport(ReportKind.OOM_KILL, true, "n1", null, 1_000_000L, null, 1_000_000L,
                null, LineRef.fileLine("messages", 7), LineRef.fileLine("messages", 7), List.of(), -1, -1);
        return new HostLogState(broken, FailureDeduplicator.Open.EMPTY);
    }

    private static LogLine kernel(long micros, String message, long line) {
        return new LogLine("n1", null, micros, null, "kernel", "kernel", null, null, 4, message,
                LineRef.fileLine("messages", line));
    }

    @Test
    void aReportThatCannotBeDecodedIsSetAsideAndTheLineStillRead() {
        NodeEventExtractor.Step step = extractor.step(foreignState(),
                kernel(1_000_500L, "exe: page allocation failure: order:6, mode:0x10c0d0", 8));
        assertThat(step.setAside()).singleElement().satisfies(s -> {
            assertThat(s.ref()).isEqualTo(LineRef.fileLine("messages", 7));
            assertThat(s.reason()).startsWith("kernel report could not be decoded");
        });
        assertThat(step.state().pendingReport()).as("the line starts a report of its own").isNotNull();
        NodeEventExtractor.Step end = extractor.flush(step.state());
        assertThat(end.events()).singleElement()
                .satisfies(e -> assertThat(EventJson.fields(e).get("order")).isEqualTo(6));
        assertThat(end.setAside()).isEmpty();
    }

    @Test
    void startsSomethingNeverMissesALineThatChangesSomethingOnEveryLineOfTheCorpus() throws Exception {
        // the streaming app skips the state and the dedup memory for lines that start nothing: that shortcut must
        // never skip a line the step itself would act on, on real lines including those of unknown origin (pastes);
        // for kernel lines it is exact
        int lines = 0;
        int starting = 0;
        for (java.nio.file.Path file : CorpusTest.excerpts()) {
            List<LogLine> read = new java.util.ArrayList<>();
            new io.nodeincidents.logs.LogFileReader().read(file, io.nodeincidents.logs.ReadOptions.defaults(),
                    read::add, rejected -> { });
            for (LogLine line : read) {
                NodeEventExtractor.Step step = extractor.step(HostLogState.EMPTY, line);
                boolean changes = !step.state().isEmpty() || !step.events().isEmpty() || !step.setAside().isEmpty();
                boolean starts = extractor.startsSomething(line);
                if (changes || line.isKernel()) {
                    assertThat(starts).as("%s: %s", file.getFileName(), line.message()).isEqualTo(changes);
                }
                if (starts) {
                    starting++;
                    assertThat(extractor.concerns(line)).as("%s: %s", file.getFileName(), line.message()).isTrue();
                }
                lines++;
            }
        }
        assertThat(lines).isGreaterThan(2_000);
        assertThat(starting).isGreaterThan(100).isLessThan(lines / 2);
    }

    @Test
    void aKernelLineThatCanOnlyContinueAReportConcernsButStartsNothing() {
        LogLine continuation = kernel(1_000_000L, "CPU: 3 PID: 1234 Comm: exe Not tainted 3.10.0-957.el7.x86_64 #1",
                9);
        assertThat(extractor.concerns(continuation)).isTrue();
        assertThat(extractor.startsSomething(continuation)).isFalse();
        assertThat(extractor.startsSomething(kernel(1_000_000L, "exe: page allocation failure: order:6, mode:0x10c0d0",
                10))).isTrue();
        assertThat(extractor.startsSomething(new LogLine("n1", null, 1_000_000L, null, "stdout", "nginx",
                "nginx.service", 80, 6, "GET / 200", LineRef.fileLine("access", 1)))).isFalse();
    }

    @Test
    void theOfflineReaderReportsWhatWasSetAsideAsARejectedLine() {
        SetAside s = new SetAside(LineRef.fileLine("messages", 7), "kernel report could not be decoded (X)");
        assertThat(OfflineAnalysis.rejected(s).toString()).startsWith("messages:7: kernel report could not be decoded");
    }
}
