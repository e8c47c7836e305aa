package io.nodeincidents.ingest.ship;

import static io.nodeincidents.ingest.testjournal.JournalFixture.kernel;
import static io.nodeincidents.ingest.testjournal.JournalFixture.kubelet;
import static io.nodeincidents.ingest.testjournal.JournalFixture.other;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.journal.JournalFilter;
import io.nodeincidents.ingest.testjournal.JournalFixture;
import io.nodeincidents.ingest.testjournal.RequiredTools;
import io.nodeincidents.registry.SpecificAvroDeserializer;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.testkit.ApicurioRegistryExtension;
import io.nodeincidents.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipper as a separate process (a child JVM running {@code ShipCommand}), killed with SIGKILL mid-stream several
 * times while the journal grows, restarted each time; a consumer proves every matching entry of the journal reached
 * the topic (duplicates allowed, loss not). Ends with SIGTERM: exit status 0 and the cursor saved. Records go through
 * a real schema registry (Apicurio) both processes reach.
 */
class ShipperProcessKillTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    static final ApicurioRegistryExtension REGISTRY = new ApicurioRegistryExtension();

    @TempDir
    Path dir;

    private Process startShipper(Path journalDir, Path cursorFile, String topic, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                "io.nodeincidents.ingest.cli.ShipCommand",
                "--directory", journalDir.toString(), "--cursor-file", cursorFile.toString(), "--from-beginning",
                "--bootstrap-servers", KAFKA.bootstrapServers(), "--schema-registry-url", REGISTRY.confluentApiUrl(),
                "-X", "journal.entries.topic=" + topic, "-X", "ship.metrics.port=-1",
                "-X", "ship.inflight.max.entries=500", "-X", "ship.cursor.idle.advance.ms=300",
                "-X", "ship.status.interval.ms=1000", "-X", "linger.ms=5"));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    @Test
    void killedWithSigkillMidStreamSeveralTimesNothingIsLost() throws Exception {
        RequiredTools.journalFixture();
        String topic = KAFKA.createTopic(KAFKA.uniqueTopic("journal.entries"), 3);
        Path journal = dir.resolve("journal/host.journal");
        Path cursorFile = dir.resolve("state/ship.cursor");
        Path log = dir.resolve("shipper.log");
        int next = 0;
        JournalFixture.write(journal, batch(next, 20_000));
        next += 20_000;

        List<Long> savedSeqnums = new ArrayList<>();
        for (int kill = 1; kill <= 3; kill++) {
            Process shipper = startShipper(journal.getParent(), cursorFile, topic, log);
            // entries it has not shipped yet (the previous one may have shipped all there was before its kill), then
            // until it has shipped and saved a cursor past the previous one (a loaded machine starts a JVM slowly)
            long before = Files.exists(cursorFile) ? seqnum(Files.readString(cursorFile)) : -1;
            JournalFixture.write(journal, batch(next, 3000));
            next += 3000;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((Files.exists(cursorFile) ? seqnum(Files.readString(cursorFile)) : -1) <= before
                    && System.nanoTime() < deadline && shipper.isAlive()) {
                Thread.sleep(50);
            }
            // a round that saw no progress proves nothing about a kill mid-stream: it fails rather than goes on
            long progressed = Files.exists(cursorFile) ? seqnum(Files.readString(cursorFile)) : -1;
            assertThat(progressed).as("cursor saved past %d before kill %d; log:%n%s", before, kill, tail(log))
                    .isGreaterThan(before);
            // then a little longer and more entries, so that each kill lands at a different point of the stream
            Thread.sleep(kill * 300L);
            JournalFixture.write(journal, batch(next, 3000));
            next += 3000;
            Thread.sleep(300);
            assertThat(shipper.isAlive()).as("shipper alive before kill %d; log:%n%s", kill, tail(log)).isTrue();
            shipper.destroyForcibly(); // SIGKILL
            shipper.waitFor(30, TimeUnit.SECONDS);
            savedSeqnums.add(Files.exists(cursorFile) ? seqnum(Files.readString(cursorFile)) : -1);
        }
        // it made progress between kills (it was killed mid-stream, not before starting)
        assertThat(savedSeqnums.get(savedSeqnums.size() - 1)).as("log:%n%s", tail(log)).isGreaterThan(0);

        Process last = startShipper(journal.getParent(), cursorFile, topic, log);
        JournalFixture.write(journal, batch(next, 500));
        List<String> expected = JournalShipperTest.journalCursors(journal.getParent(),
                JournalFilter.defaults().matchArguments().toArray(String[]::new));
        Set<String> missing = new HashSet<>(expected);
        long records = consumeUntilSeen(topic, missing, Duration.ofMinutes(3));
        assertThat(missing).as("entries missing from the topic; log:%n%s", tail(log)).isEmpty();
        assertThat(records).isGreaterThanOrEqualTo(expected.size());

        Thread.sleep(1500);
        last.destroy(); // SIGTERM
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as("exit status after SIGTERM; log:%n%s", tail(log)).isZero();
        List<String> all = JournalShipperTest.journalCursors(journal.getParent());
        assertThat(Files.readString(cursorFile).strip()).isEqualTo(all.get(all.size() - 1));
        System.out.printf("kill -9 test: %d matching entries, %d records in the topic (%d repeated)%n",
                expected.size(), records, records - expected.size());
    }

    private long consumeUntilSeen(String topic, Set<String> missing, Duration timeout) {
        Properties props = KAFKA.consumerProperties("kill-check");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, SpecificAvroDeserializer.class.getName());
        props.put("schema.registry.url", REGISTRY.confluentApiUrl());
        props.put("specific.avro.value.type", JournalEntry.class.getName());
        long records = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, JournalEntry> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JournalEntry> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    missing.remove(record.value().getCursor());
                }
            }
        }
        return records;
    }

    private static List<JournalFixture.Entry> batch(int from, int n) {
        List<JournalFixture.Entry> entries = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            entries.add(switch (i % 4) {
                case 0, 1 -> kernel(i, "kernel " + i);
                case 2 -> other(i, "noise " + i);
                default -> kubelet(i, "kubelet " + i);
            });
        }
        return entries;
    }

    private static long seqnum(String cursor) {
        return io.nodeincidents.ingest.journal.JournalCursor.parse(cursor.strip()).seqnum();
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (Exception e) {
            return "(no log)";
        }
    }
}
