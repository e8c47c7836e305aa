package io.nodeincidents.ingest.ship;

import static io.nodeincidents.ingest.testjournal.JournalFixture.kernel;
import static io.nodeincidents.ingest.testjournal.JournalFixture.other;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import io.nodeincidents.ingest.testjournal.JournalFixture;
import io.nodeincidents.ingest.testjournal.RequiredTools;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The broker goes away mid-stream: the shipper holds a bounded window, then delivers everything when it is back. */
class ShipperBrokerOutageTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    @Test
    void nothingIsLostWhileTheBrokerIsDownAndMemoryStaysBounded() throws Exception {
        RequiredTools.journalFixture();
        int window = 50;
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            Path journal = h.journalDir.resolve("host.journal");
            JournalFixture.write(journal, batch(0, 100));
            h.start(JournalShipper.Options.defaults().withFirstStart(new StartPosition.Beginning())
                    .withInFlight(window, 1 << 20).withIdleBeforeCursorAdvance(Duration.ofMillis(300)), null);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.metrics.shippedCount() == 100);

            KAFKA.stop();
            long maxInFlight = 0;
            for (int round = 1; round <= 3; round++) {
                JournalFixture.write(journal, batch(round * 1000, 100));
                for (int i = 0; i < 20; i++) {
                    maxInFlight = Math.max(maxInFlight, h.shipper.inFlight());
                    Thread.sleep(100);
                }
            }
            String savedDuringOutage = h.metrics.savedCursor();
            long shippedDuringOutage = h.metrics.shippedCount();
            assertThat(maxInFlight).isBetween(1L, (long) window);
            assertThat(h.metrics.readCount()).isLessThan(400);
            KAFKA.start();

            await().atMost(Duration.ofMinutes(3)).until(() -> h.metrics.shippedCount() >= 400);
            assertThat(shippedDuringOutage).isEqualTo(100);
            h.stop();
            List<String> expected = JournalShipperTest.journalCursors(h.journalDir, "_TRANSPORT=kernel");
            assertThat(expected).hasSize(400);
            // the cursor saved while Kafka was away is at most the last entry Kafka had acknowledged (the 100th kernel
            // entry, the first batch's last): a restart then would resume at or before the unacknowledged ones
            assertThat(savedDuringOutage).isNotNull();
            io.nodeincidents.ingest.journal.JournalCursor saved =
                    io.nodeincidents.ingest.journal.JournalCursor.parse(savedDuringOutage);
            io.nodeincidents.ingest.journal.JournalCursor lastAcknowledged =
                    io.nodeincidents.ingest.journal.JournalCursor.parse(expected.get(99));
            assertThat(saved.seqnumId()).isEqualTo(lastAcknowledged.seqnumId());
            assertThat(saved.seqnum()).as("saved %s, last acknowledged %s", savedDuringOutage, expected.get(99))
                    .isLessThanOrEqualTo(lastAcknowledged.seqnum());
            Set<String> inTopic = new HashSet<>();
            for (JournalEntry entry : h.consume(400, Duration.ofSeconds(60))) {
                inTopic.add(entry.getCursor());
            }
            assertThat(inTopic).containsAll(expected);
        }
    }

    private static List<JournalFixture.Entry> batch(int from, int kernelLines) {
        List<JournalFixture.Entry> entries = new ArrayList<>();
        for (int i = 0; i < kernelLines; i++) {
            entries.add(kernel(from + i, "kernel " + (from + i)));
            if (i % 10 == 0) {
                entries.add(other(from + i, "noise"));
            }
        }
        return entries;
    }
}
