package io.nodeincidents.ingest.ship;

import static io.nodeincidents.ingest.testjournal.JournalFixture.kernel;
import static io.nodeincidents.ingest.testjournal.JournalFixture.kubelet;
import static io.nodeincidents.ingest.testjournal.JournalFixture.other;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.ingest.journal.JournalctlInvocation.StartPosition;
import io.nodeincidents.ingest.testjournal.JournalFixture;
import io.nodeincidents.ingest.testjournal.RequiredTools;
import io.nodeincidents.logs.JournalJsonEntry;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shipper in this JVM against a real broker and genuine journal files read by the real journalctl. */
class JournalShipperTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    private static final JournalShipper.Options FROM_BEGINNING = JournalShipper.Options.defaults()
            .withFirstStart(new StartPosition.Beginning()).withIdleBeforeCursorAdvance(Duration.ofMillis(300));

    @BeforeEach
    void needsJournalTools() {
        RequiredTools.journalFixture();
    }

    static List<String> cursors(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::getCursor).toList();
    }

    static List<String> journalCursors(Path journalDir, String... matches) throws Exception {
        List<String> cursors = new ArrayList<>();
        for (String line : JournalFixture.journalctl(journalDir, matches)) {
            cursors.add(JournalJsonEntry.parse(line).cursor());
        }
        return cursors;
    }

    static String cursorFile(ShipperHarness h) throws Exception {
        return Files.readString(h.cursorFile, StandardCharsets.UTF_8).strip();
    }

    @Test
    void defaultFilterShipsKernelAndRuntimesThenResumesAfterTheSavedCursor() throws Exception {
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            List<JournalFixture.Entry> entries = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                entries.add(kernel(i, "kernel line " + i));
                entries.add(other(i, "sshd line " + i));
                if (i % 3 == 0) {
                    entries.add(kubelet(i, "kubelet line " + i));
                }
            }
            // the journal ends with entries the filter skips: the cursor must still move past them
            entries.add(other(99, "sshd tail 1"));
            entries.add(other(100, "sshd tail 2"));
            JournalFixture.write(h.journalDir.resolve("host.journal"), entries);
            List<String> matching = journalCursors(h.journalDir, JournalFilter.defaults().matchArguments()
                    .toArray(String[]::new));
            assertThat(matching).hasSize(40);

            h.runToEnd(FROM_BEGINNING);

            List<JournalEntry> shipped = h.consume(40, Duration.ofSeconds(30));
            assertThat(cursors(shipped)).containsExactlyElementsOf(matching);
            assertThat(shipped).allSatisfy(e -> assertThat(e.getSyslogIdentifier()).isIn("kernel", "kubelet"));
            assertThat(h.metrics.readCount()).isEqualTo(40);
            assertThat(h.metrics.shippedCount()).isEqualTo(40);
            assertThat(h.metrics.filteredCount()).isEqualTo(32);
            List<String> all = journalCursors(h.journalDir);
            assertThat(cursorFile(h)).isEqualTo(all.get(all.size() - 1));

            JournalFixture.write(h.journalDir.resolve("host.journal"),
                    List.of(other(200, "sshd after"), kernel(201, "kernel after"), kubelet(202, "kubelet after")));
            h.runToEnd(FROM_BEGINNING);
            List<JournalEntry> again = h.consume(42, Duration.ofSeconds(30));
            assertThat(again).hasSize(42);
            assertThat(again.subList(40, 42)).extracting(JournalEntry::getMessage)
                    .containsExactly("kernel after", "kubelet after");
        }
    }

    @Test
    void allShipsEverythingWithBinaryAndRepeatedFields() throws Exception {
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            byte[] binary = "exit status 6\n\377\376".getBytes(StandardCharsets.ISO_8859_1);
            JournalFixture.write(h.journalDir.resolve("host.journal"), List.of(
                    other(1, "sshd"),
                    JournalFixture.entry(2, "node-a", "stdout", "dockerd", null).binary("MESSAGE", binary)
                            .text("TAG", "x").text("TAG", "y"),
                    kernel(3, "k")));
            h.runToEnd(FROM_BEGINNING.withFilter(JournalFilter.everything()));
            List<JournalEntry> shipped = h.consume(3, Duration.ofSeconds(30));
            assertThat(shipped).extracting(JournalEntry::getSyslogIdentifier)
                    .containsExactly("sshd", "dockerd", "kernel");
            JournalEntry docker = shipped.get(1);
            byte[] exact = new byte[docker.getMessageBytes().remaining()];
            docker.getMessageBytes().duplicate().get(exact);
            assertThat(exact).isEqualTo(binary);
            assertThat(docker.getFields()).containsEntry("TAG", "x\ny");
        }
    }

    @Test
    void followsAppendedEntriesAndMovesTheCursorOverFilteredOnesWhenIdle() throws Exception {
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            Path journal = h.journalDir.resolve("host.journal");
            JournalFixture.write(journal, List.of(kernel(1, "k1"), kernel(2, "k2")));
            h.start(FROM_BEGINNING, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.metrics.shippedCount() == 2);
            List<JournalFixture.Entry> filtered = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                filtered.add(other(10 + i, "noise " + i));
            }
            JournalFixture.write(journal, filtered);
            List<String> all = journalCursors(h.journalDir);
            String newest = all.get(all.size() - 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(h.cursorFile)
                    && cursorFile(h).equals(newest));
            assertThat(h.metrics.filteredCount()).isEqualTo(50);

            JournalFixture.write(journal, List.of(kubelet(100, "kubelet late"), kernel(101, "k late")));
            await().atMost(Duration.ofSeconds(30)).until(() -> h.metrics.shippedCount() == 4);
            h.stop();
            List<String> now = journalCursors(h.journalDir);
            assertThat(cursorFile(h)).isEqualTo(now.get(now.size() - 1));
            assertThat(h.consume(4, Duration.ofSeconds(30))).extracting(JournalEntry::getMessage)
                    .containsExactly("k1", "k2", "kubelet late", "k late");
        }
    }

    @Test
    void followingFromASavedCursorReadsEverythingBehindIt() throws Exception {
        // journalctl 252 --follow --cursor with matches prints ten entries and stalls unless given --lines=all
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            Path journal = h.journalDir.resolve("host.journal");
            JournalFixture.write(journal, List.of(kernel(0, "k0"), other(1, "o1")));
            h.runToEnd(FROM_BEGINNING);
            List<JournalFixture.Entry> more = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                more.add(i % 3 == 0 ? other(10 + i, "o") : kernel(10 + i, "k" + i));
            }
            JournalFixture.write(journal, more);
            h.start(FROM_BEGINNING, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> h.metrics.shippedCount() == 40);
            h.stop();
            assertThat(h.consume(41, Duration.ofSeconds(30))).hasSize(41);
        }
    }

    @Test
    void aVacuumedCursorResumesFromTheOldestEntryAndCountsIt() throws Exception {
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            Path first = h.journalDir.resolve("system@old.journal");
            JournalFixture.write(first, List.of(kernel(1, "old 1"), kernel(2, "old 2")));
            h.runToEnd(FROM_BEGINNING);
            assertThat(h.consume(2, Duration.ofSeconds(30))).hasSize(2);
            // rotation wrote a new file; vacuum deleted the old one, which held the saved cursor
            JournalFixture.write(h.journalDir.resolve("system.journal"),
                    List.of(kernel(3, "new 3"), kernel(4, "new 4"), kernel(5, "new 5")));
            Files.delete(first);

            h.runToEnd(FROM_BEGINNING);
            assertThat(h.metrics.cursorLostCount()).isEqualTo(1);
            // journalctl --after-cursor alone would have skipped "new 3"
            assertThat(h.consume(5, Duration.ofSeconds(30))).extracting(JournalEntry::getMessage)
                    .containsExactly("old 1", "old 2", "new 3", "new 4", "new 5");
        }
    }

    @Test
    void journalctlDyingIsRestartedWithoutLosingEntries() throws Exception {
        // a journalctl that is killed every 1.5 s, however far it got
        Path wrapper = dir.resolve("dying-journalctl");
        Files.writeString(wrapper, "#!/bin/sh\nexec timeout -s KILL 1.5 journalctl \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, wrapper.toString())) {
            Path journal = h.journalDir.resolve("host.journal");
            JournalFixture.write(journal, List.of(kernel(0, "k0")));
            JournalShipper.Options options = new JournalShipper.Options(new StartPosition.Beginning(),
                    JournalFilter.defaults(), true, 1024 * 1024, 1000, 1 << 24, Duration.ofMillis(300),
                    Duration.ofMillis(100), Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(400),
                    Duration.ofSeconds(10));
            h.start(options, null);
            for (int round = 1; round <= 5; round++) {
                List<JournalFixture.Entry> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    batch.add(kernel(round * 100 + i, "round " + round + " line " + i));
                    batch.add(other(round * 100 + i, "noise"));
                }
                JournalFixture.write(journal, batch);
                Thread.sleep(700);
            }
            List<String> expected = journalCursors(h.journalDir, "_TRANSPORT=kernel");
            assertThat(expected).hasSize(101);
            for (int wait = 0; wait < 300 && h.metrics.shippedCount() < 101; wait++) {
                Thread.sleep(100);
            }
            assertThat(h.metrics.restartCount()).isGreaterThanOrEqualTo(2);
            h.stop();
            assertThat(cursors(h.consume(101, Duration.ofSeconds(30)))).containsAll(expected);
        }
    }

    @Test
    void anUnreachableRegistryAtStartIsRetriedBeforeAnythingIsRead() throws Exception {
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            JournalFixture.write(h.journalDir.resolve("host.journal"), List.of(kernel(1, "k1")));
            Exception dead = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> io.nodeincidents.ingest.cli.ShipCommand.registryCheck(
                            io.nodeincidents.ingest.produce.EntryProducerConfig.producerProperties(java.util.Map.of(
                                    "schema.registry.url", "http://127.0.0.1:1")), "t").check());
            assertThat(dead.getMessage()).contains("http://127.0.0.1:1");

            AtomicInteger attempts = new AtomicInteger();
            h.start(FROM_BEGINNING, () -> {
                if (attempts.incrementAndGet() < 3) {
                    throw new Exception("registry down");
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> h.metrics.shippedCount() == 1);
            assertThat(attempts.get()).isEqualTo(3);
        }
    }

    @Test
    void metricsEndpointServesPrometheusTextAndTheSavedCursor() throws Exception {
        try (ShipperHarness h = new ShipperHarness(KAFKA, dir, "journalctl")) {
            JournalFixture.write(h.journalDir.resolve("host.journal"), List.of(kernel(1, "k1"), other(2, "o")));
            h.runToEnd(FROM_BEGINNING);
            try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, h.metrics)) {
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("nodeincidents_ship_entries_shipped_total 1.0")
                        .contains("nodeincidents_ship_entries_read_total 1.0")
                        .contains("nodeincidents_ship_entries_filtered_total 1.0")
                        .contains("nodeincidents_ship_lag_seconds");
                String cursor = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + endpoint.port() + "/cursor")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(cursor.strip()).isEqualTo(cursorFile(h));
            }
            assertThat(h.metrics.statusLine(0)).contains("shipped=1").contains("filtered=1");
        }
    }
}
