package io.nodeincidents.ingest.ship;

import static io.nodeincidents.ingest.testjournal.JournalFixture.kernel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import io.nodeincidents.ingest.testjournal.JournalFixture;
import io.nodeincidents.ingest.testjournal.RequiredTools;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry hangs when the shipper starts (it has no schema id yet): the entries wait in the journal behind
 * a bounded window, the shipper retries and stays up, and everything is delivered once the registry answers.
 */
class ShipperRegistryOutageTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    @TempDir
    Path dir;

    @Test
    void entriesWaitForAHungRegistryAndAllArriveWhenItAnswers() throws Exception {
        RequiredTools.journalFixture();
        int window = 20;
        // a hung registry answers nothing: give up on a request after 1 s, retry once
        Map<String, String> client = Map.of("http.read.timeout.ms", "1000", "http.connect.timeout.ms", "1000",
                "schema.registry.request.max.retries", "1");
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl", REGISTRY.confluentApiUrl(), client)) {
            Path journal = h.journalDir.resolve("host.journal");
            List<JournalFixture.Entry> entries = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                entries.add(kernel(i, "kernel " + i));
            }
            JournalFixture.write(journal, entries);
            REGISTRY.pause();
            try {
                h.start(JournalShipper.Options.defaults().withFirstStart(new StartPosition.Beginning())
                        .withInFlight(window, 1 << 20).withIdleBeforeCursorAdvance(Duration.ofMillis(300)), null);
                await().atMost(Duration.ofSeconds(30)).until(() -> h.metrics.failedCount() >= 2);
                assertThat(h.metrics.shippedCount()).isZero();
                assertThat(h.shipper.inFlight()).isBetween(0L, (long) window);
                assertThat(h.running).as("the shipper keeps running").isNotDone();
            } finally {
                REGISTRY.resume();
            }

            await().atMost(Duration.ofMinutes(2)).until(() -> h.metrics.shippedCount() >= 100);
            assertThat(h.running).isNotDone();
            h.stop();
            Set<String> inTopic = new HashSet<>();
            for (JournalEntry entry : h.consume(100, Duration.ofSeconds(60))) {
                inTopic.add(entry.getCursor());
            }
            assertThat(inTopic).containsAll(JournalShipperTest.journalCursors(h.journalDir, "_TRANSPORT=kernel"));
        }
    }
}
