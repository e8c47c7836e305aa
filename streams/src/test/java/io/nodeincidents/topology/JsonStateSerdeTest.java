package io.nodeincidents.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.correlation.HostClock;
import io.nodeincidents.events.HostLogState;
import io.nodeincidents.events.NodeEvent;
import io.nodeincidents.events.NodeEventExtractor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nodeincidents.fleet.FleetCauseState;
import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LineRef;
import io.nodeincidents.runtime.FailureDeduplicator;
import io.nodeincidents.runtime.RuntimeComponent;
import io.nodeincidents.runtime.RuntimeFailure;
import io.nodeincidents.runtime.FailureKind;
import io.nodeincidents.schemas.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-host extraction state survives the store: every intermediate state of a real report round-trips. */
class JsonStateSerdeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonStateSerde<HostLogState> serde = JsonStateSerde.hostLogState();

    private HostLogState roundTrip(HostLogState state) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", state));
    }

    @Test
    void everyStateOfSeed000RoundTripsAndExtractionResumesFromTheStoredCopy() {
        NodeEventExtractor extractor = new NodeEventExtractor();
        List<JournalEntry> seed = new ArrayList<>(Scenario.seed000());
        seed.addAll(Scenario.read("runtime/seed-002-dc05.log", "dc05"));
        HostLogState direct = HostLogState.EMPTY;
        HostLogState stored = HostLogState.EMPTY;
        List<NodeEvent> fromDirect = new ArrayList<>();
        List<NodeEvent> fromStored = new ArrayList<>();
        boolean sawPendingReport = false;
        boolean sawOpenFailures = false;
        for (JournalEntry entry : seed) {
            var line = JournalEntries.toLogLine(entry);
            NodeEventExtractor.Step a = extractor.step(direct, line);
            NodeEventExtractor.Step b = extractor.step(stored, line);
            direct = a.state();
            stored = roundTrip(b.state());
            assertThat(stored).isEqualTo(direct);
            sawPendingReport |= direct.pendingReport() != null;
            sawOpenFailures |= !direct.openFailures().failures().isEmpty();
            fromDirect.addAll(a.events());
            fromStored.addAll(b.events());
        }
        fromDirect.addAll(extractor.flush(direct).events());
        fromStored.addAll(extractor.flush(stored).events());
        assertThat(sawPendingReport).isTrue();
        assertThat(sawOpenFailures).isTrue();
        assertThat(fromStored).isNotEmpty().isEqualTo(fromDirect);
    }

    @Test
    void aStormsOpenFailureStaysSmallInTheStoreAndAStateWrittenBeforeTheCountReadsWithIt() throws Exception {
        RuntimeFailure storm = null;
        for (long i = 1; i <= 5_000; i++) {
            RuntimeFailure line = new RuntimeFailure("h", 1_548_224_131_000_000L, FailureKind.SANDBOX_FAILURE,
                    RuntimeComponent.DOCKERD, true, null, null, null, null, "boom", List.of(LineRef.fileLine("f", i)));
            storm = storm == null ? line : storm.mergedWith(line);
        }
        HostLogState state = new HostLogState(null, new FailureDeduplicator.Open(List.of(storm)));
        byte[] bytes = serde.serializer().serialize("t", state);
        assertThat(bytes.length).as("16 references, not 5,000").isLessThan(4_000);
        assertThat(roundTrip(state)).isEqualTo(state);

        // what a version that kept every reference stored: no count, every reference
        ObjectNode old = (ObjectNode) JSON.readTree(bytes);
        ObjectNode failure = (ObjectNode) old.at("/openFailures/failures/0");
        failure.remove("lines");
        ArrayNode refs = failure.putArray("refs");
        for (long i = 1; i <= 40; i++) {
            refs.addObject().put("file", "f").put("line", i);
        }
        HostLogState read = serde.deserializer().deserialize("t", JSON.writeValueAsBytes(old));
        assertThat(read.openFailures().failures()).singleElement().satisfies(f -> {
            assertThat(f.lines()).isEqualTo(40);
            assertThat(f.refs()).hasSize(2 * RuntimeFailure.EDGE_REFS).extracting(LineRef::line)
                    .startsWith(1L).endsWith(40L);
        });
    }

    @Test
    void unreadableBytesReadAsNoState() {
        assertThat(serde.deserializer().deserialize("t", "{\"pendingReport\": 7".getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(serde.deserializer().deserialize("t", new byte[] {0, 1, 2})).isNull();
        assertThat(JsonStateSerde.fleetCauseState().deserializer().deserialize("t", "[]".getBytes(
                StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void theEmptyFleetStateRoundTrips() {
        JsonStateSerde<FleetCauseState> fleet = JsonStateSerde.fleetCauseState();
        assertThat(fleet.deserializer().deserialize("t", fleet.serializer().serialize("t", FleetCauseState.empty())))
                .isEqualTo(FleetCauseState.empty());
    }

    @Test
    void aHostClockRoundTripsAndGarbageReadsAsNoClock() {
        JsonStateSerde<HostClock> clocks = JsonStateSerde.hostClock();
        HostClock clock = HostClock.start(1_510_470_941_000L, 1_795_658_400_000L).observe(1_510_470_942_000L,
                1_795_658_401_000L);
        assertThat(clocks.deserializer().deserialize("t", clocks.serializer().serialize("t", clock)))
                .isEqualTo(clock);
        assertThat(clocks.deserializer().deserialize("t", "{\"eventTimeMs\": \"x\"}".getBytes(
                StandardCharsets.UTF_8))).isNull();
    }
}
