package io.nodeincidents.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEventExtractor;
import io.nodeincidents.events.SetAside;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Repeats a restarted shipper re-sends: what was remembered is dropped, and nothing lands in a later report. */
class HostExtractionTest {

    private static final long T = 1_700_000_000_000L;
    private static final String HEADER = "exe: page allocation failure: order:6, mode:0x10c0d0";
    private static final String BEFORE = "IPVS: rr: TCP 10.96.0.10:53 - no destination available";
    private static final String CPU = "CPU: 3 PID: 1234 Comm: exe Not tainted 3.10.0-957.el7.x86_64 #1";
    private static final String TRACE = "Call Trace:";

    private final MemoryStateMap<HostLogState> states = new MemoryStateMap<>();
    private final HostExtraction extraction = new HostExtraction(new NodeEventExtractor(), Duration.ofHours(1), states,
            new MemoryStateMap<>(), new SeenEntries(Duration.ofHours(1)));
    private final NodeEventExtractor extractor = new NodeEventExtractor();
    private final List<HostEvent> events = new ArrayList<>();
    private final HostExtraction.Sink sink = new HostExtraction.Sink() {
        @Override
        public void event(String host, HostEvent event, long timestampMs) {
            events.add(event);
        }

        @Override
        public void setAside(String host, SetAside setAside, long timestampMs) {
        }

        @Override
        public void unconvertible(String host, RuntimeException failure, long timestampMs) {
        }
    };

    private void feed(String message, LineRef ref, long ms) {
        LogLine line = new LogLine("n1", "b1", ms * 1000, null, "kernel", "kernel", null, null, 4, message, ref);
        extraction.beforeEntry(ms, ms, sink);
        extraction.onEntry(new HostExtraction.Entry(line, true, ms, extractor.startsSomething(line)), ms, sink);
    }

    private List<String> reportLines() {
        HostLogState state = states.get("n1");
        return state == null || state.pendingReport() == null ? List.of() : state.pendingReport().lines();
    }

    private static LineRef cursor(int i) {
        return LineRef.cursor("s=8bdb7e59;i=" + Integer.toHexString(i) + ";b=4f1c;m=1;t=1;x=1");
    }

    @Test
    void aRepeatedJournalLineFromBeforeAReportDoesNotLandInIt() {
        feed(BEFORE, cursor(5), T);
        feed(HEADER, cursor(10), T + 1);
        feed(CPU, cursor(11), T + 2);
        // the shipper restarts from a cursor saved before all of them: everything comes again
        feed(BEFORE, cursor(5), T + 3);
        feed(HEADER, cursor(10), T + 4);
        feed(CPU, cursor(11), T + 5);
        feed(TRACE, cursor(12), T + 6);

        assertThat(reportLines()).hasSize(3).noneMatch(l -> l.contains("IPVS"));
        assertThat(reportLines().get(2)).isEqualTo(TRACE);
    }

    @Test
    void aReplayedFilesRepeatedLinesAreDroppedTheSameWay() {
        feed(BEFORE, LineRef.fileLine("messages", 1), T);
        feed(HEADER, LineRef.fileLine("messages", 2), T + 1);
        feed(BEFORE, LineRef.fileLine("messages", 1), T + 2);
        feed(CPU, LineRef.fileLine("messages", 3), T + 3);
        feed(CPU, LineRef.fileLine("messages", 3), T + 4);

        assertThat(reportLines()).hasSize(2).noneMatch(l -> l.contains("IPVS"));
    }

    @Test
    void aLineOfAnotherJournalOrLaterInTheSameOneStillContinuesTheReport() {
        feed(HEADER, cursor(10), T);
        feed(CPU, LineRef.cursor("s=0ther;i=1;b=4f1c;m=1;t=1;x=1"), T + 1);
        feed(TRACE, cursor(11), T + 2);

        assertThat(reportLines()).hasSize(3);
    }
}
