package io.nodeincidents.topology;

import io.nodeincidents.ingest.entries.JournalEntries;
import io.nodeincidents.logs.LogFileReader;
import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import io.nodeincidents.schemas.EntrySource;
import io.nodeincidents.schemas.JournalEntry;
import io.nodeincidents.schemas.SourceKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** Journal entries built from the seeds' real log lines, and ways to move them in time and onto other hosts. */
final class Scenario {

    /** 2017-11-12 15:15:41 +08:00: the second of seed 000's kernel report. */
    static final Instant T0 = Instant.parse("2017-11-12T07:15:41Z");
    static final String SLAVE_138 = "slave-138";

    private Scenario() {
    }

    /** Seed 000 on slave-138: dockerd setns failure, the order-6 report, the slab failure, kubelet sandbox lines. */
    static List<JournalEntry> seed000() {
        List<JournalEntry> entries = new ArrayList<>(read("kernel/seed-000-centos7-order6-conntrack.log", SLAVE_138));
        entries.addAll(read("topology/seed-000-kubelet.log", SLAVE_138));
        return entries;
    }

    /** Only the kernel lines of seed 000 (the report without any runtime failure). */
    static List<JournalEntry> seed000KernelOnly() {
        return seed000().stream().filter(e -> "kernel".equals(e.getSyslogIdentifier())).toList();
    }

    /** Only the runtime (dockerd, kubelet) lines of seed 000. */
    static List<JournalEntry> seed000RuntimeOnly() {
        return seed000().stream().filter(e -> !"kernel".equals(e.getSyslogIdentifier())).toList();
    }

    static List<JournalEntry> negatives() {
        return read("topology/negatives.log", "node-9");
    }

    /** Reads a fixture as syslog of 2017 in +08:00 (the seeds' zone), as replay would ship it. */
    static List<JournalEntry> read(String resource, String host) {
        List<JournalEntry> entries = new ArrayList<>();
        ReadOptions options = new ReadOptions(LogFormat.SYSLOG, host, 2017, ZoneId.of("Asia/Shanghai"));
        try {
            Path file = Path.of(Scenario.class.getResource("/" + resource).toURI());
            // the fixtures' "## ..." notes for people are read as bare lines without a time: not log lines here
            new LogFileReader().read(file, options, line -> {
                if (line.realtimeMicros() != null) {
                    entries.add(JournalEntries.fromLogLine(line, SourceKind.SYSLOG));
                }
            }, rejected -> { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (entries.isEmpty()) {
            throw new IllegalStateException("no lines read from " + resource);
        }
        return entries;
    }

    /** The same lines, {@code by} later, as if logged again then (another file name, so they are not duplicates). */
    static List<JournalEntry> shifted(List<JournalEntry> entries, Duration by) {
        long micros = by.toNanos() / 1000;
        return entries.stream().map(e -> {
            JournalEntry.Builder b = JournalEntry.newBuilder(e);
            if (e.getRealtimeMicros() != null) {
                b.setRealtimeMicros(e.getRealtimeMicros() + micros);
            }
            EntrySource source = e.getSource();
            b.setSource(EntrySource.newBuilder(source).setFile(source.getFile() + "@+" + by).build());
            return b.build();
        }).toList();
    }

    /** The same lines logged on {@code host}. */
    static List<JournalEntry> onHost(List<JournalEntry> entries, String host) {
        return entries.stream().map(e -> JournalEntry.newBuilder(e).setHost(host).build()).toList();
    }

    static long millis(JournalEntry entry) {
        return entry.getRealtimeMicros() / 1000;
    }
}
