package io.nodeincidents.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFileReaderTest {

    /** Reading "now" is pinned so year inference is testable. */
    static final Clock NOW = Clock.fixed(Instant.parse("2026-06-15T12:00:00Z"), ZoneOffset.UTC);
    static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path dir;

    final List<LogLine> lines = new ArrayList<>();
    final List<RejectedLine> rejects = new ArrayList<>();

    ReadResult read(Path file, ReadOptions options) throws IOException {
        return new LogFileReader(NOW).read(file, options, lines::add, rejects::add);
    }

    ReadResult read(Path file) throws IOException {
        return read(file, ReadOptions.defaults());
    }

    Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(LogFileReaderTest.class.getResource("/logs/" + name).toURI());
    }

    static long micros(String isoInstant) {
        return Prefixes.micros(Instant.parse(isoInstant));
    }

    // ---- syslog -------------------------------------------------------------------------------------------------

    @Test
    void seed000SyslogWithWrappedLinesHostlessKernelAndRsyslogNewlines() throws Exception {
        ReadResult r = read(resource("syslog-000-slave-138.log"), ReadOptions.defaults().withYear(2017)
                .withZone(SHANGHAI));

        assertThat(r.format()).isEqualTo(LogFormat.SYSLOG);
        assertThat(rejects).isEmpty();
        assertThat(lines).allSatisfy(l -> assertThat(l.host()).as("only host named in the file").isEqualTo("slave-138"));
        assertThat(lines).allSatisfy(l -> assertThat(l.realtimeMicros()).isEqualTo(micros("2017-11-12T07:15:41Z")));

        LogLine first = lines.get(0);
        assertThat(first.identifier()).isEqualTo("dockerd");
        assertThat(first.isKernel()).isFalse();
        assertThat(first.ref()).isEqualTo(LineRef.fileLine(r.file(), 1));
        assertThat(first.message()).as("three wrapped lines joined with one space").isEqualTo(
                "time=\"2017-11-12T15:15:41.523932697+08:00\" level=error msg=\"containerd: start container\""
                        + " error=\"oci runtime error: container_linux.go:247: starting container process caused"
                        + " \\\"process_linux.go:245: running exec setns process for init caused"
                        + " \\\\\\\"exit status 6\\\\\\\"\\\"\\n\""
                        + " id=64bec16ba46d3973a0475cdc55a196381195d69bc73d2248e81a56bce1e12f0d");
        assertThat(lines.get(1).ref().line()).isEqualTo(4);

        List<LogLine> kernel = lines.stream().filter(LogLine::isKernel).toList();
        assertThat(kernel).hasSize(lines.size() - 2);
        assertThat(kernel.get(0).message()).isEqualTo("exe: page allocation failure: order:6, mode:0x10c0d0");
        LogLine memInfo = kernel.stream().filter(l -> l.message().startsWith("active_anon:")).findFirst().orElseThrow();
        assertThat(memInfo.message()).startsWith("active_anon:44762 inactive_anon:52333 isolated_anon:26\n"
                + " active_file:13358 inactive_file:10581 isolated_file:0\n unevictable:103032 dirty:2");
        assertThat(kernel.get(kernel.size() - 1).message()).isEqualTo("Unable to create nf_conn slab cache");
    }

    @Test
    void seed002IndentedSyslogWithHostAndZone() throws Exception {
        read(resource("syslog-002-dc05.log"), ReadOptions.defaults().withYear(2019).withZone(SHANGHAI));

        assertThat(rejects).isEmpty();
        assertThat(lines).hasSize(9);
        assertThat(lines).allSatisfy(l -> assertThat(l.host()).isEqualTo("dc05"));
        assertThat(lines.get(2).identifier()).isEqualTo("kubelet");
        assertThat(lines.get(2).realtimeMicros()).isEqualTo(micros("2019-01-23T06:15:31Z"));
        assertThat(lines.get(2).message()).startsWith("E0123 14:15:31.352386   26037 remote_runtime.go:91]");
        assertThat(lines.get(5).message()).contains("CreatePodSandboxError: \"CreatePodSandbox for pod");
    }

    @Test
    void pidInTagPriorityAndSpacePaddedDay() throws Exception {
        Path f = write("messages", """
                Nov  2 03:04:05 node-1 dockerd[977]: level=error msg="x"
                <30>Nov 12 15:15:41 node-1 containerd[12]: started
                """);
        read(f);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).identifier()).isEqualTo("dockerd");
        assertThat(lines.get(0).pid()).isEqualTo(977);
        assertThat(lines.get(0).realtimeMicros()).isEqualTo(micros("2025-11-02T03:04:05Z"));
        assertThat(lines.get(0).message()).isEqualTo("level=error msg=\"x\"");
        assertThat(lines.get(1).priority()).isEqualTo(6);
        assertThat(lines.get(1).identifier()).isEqualTo("containerd");
    }

    @Test
    void rfc5424AndRfc3339StampedLines() throws Exception {
        Path f = write("mixed", """
                <34>1 2003-10-11T22:14:15.003Z mymachine su 123 ID47 - 'su root' failed on /dev/pts/8
                <165>1 2003-10-11T22:14:15.003000-07:00 mymachine evntslog - ID47 [exampleSDID@32473 iut="3" x="a\\]b"] \uFEFFAn application event
                2024-01-23T14:15:31.352386+08:00 dc05 kernel: runc:[1:CHILD]: page allocation failure: order:6
                2024-01-23T14:15:32.5 dc05 kubelet[26037]: I0123 ok
                """);
        read(f, ReadOptions.defaults().withZone(SHANGHAI));

        assertThat(rejects).isEmpty();
        assertThat(lines).extracting(LogLine::host).containsOnly("mymachine", "dc05");
        LogLine su = lines.get(0);
        assertThat(su.priority()).isEqualTo(2);
        assertThat(su.identifier()).isEqualTo("su");
        assertThat(su.pid()).isEqualTo(123);
        assertThat(su.realtimeMicros()).isEqualTo(micros("2003-10-11T22:14:15.003Z"));
        assertThat(su.message()).isEqualTo("'su root' failed on /dev/pts/8");
        assertThat(lines.get(1).message()).isEqualTo("An application event");
        assertThat(lines.get(1).realtimeMicros()).isEqualTo(micros("2003-10-12T05:14:15.003Z"));
        assertThat(lines.get(2).isKernel()).isTrue();
        assertThat(lines.get(2).realtimeMicros()).isEqualTo(micros("2024-01-23T06:15:31.352386Z"));
        assertThat(lines.get(2).message()).isEqualTo("runc:[1:CHILD]: page allocation failure: order:6");
        assertThat(lines.get(3).realtimeMicros()).as("no offset: --zone").isEqualTo(micros("2024-01-23T06:15:32.5Z"));
        assertThat(lines.get(3).pid()).isEqualTo(26037);
    }

    @Test
    void syslogKernelLineWithItsOwnKernelStamp() throws Exception {
        read(write("k", "Nov 12 15:15:41 h kernel: [ 1234.567890] Out of memory: Kill process 1\n"));
        assertThat(lines.get(0).monotonicMicros()).isEqualTo(1_234_567_890L);
        assertThat(lines.get(0).message()).isEqualTo("Out of memory: Kill process 1");
    }

    @Test
    void yearIsCurrentUnlessThatIsMoreThanADayAhead() throws Exception {
        // now is 2026-06-15T12:00Z
        read(write("y", """
                Jun 16 11:00:00 h a: within a day ahead: this year
                """));
        read(write("y2", """
                Jun 16 13:00:00 h a: more than a day ahead: last year
                """));
        assertThat(lines.get(0).realtimeMicros()).isEqualTo(micros("2026-06-16T11:00:00Z"));
        assertThat(lines.get(1).realtimeMicros()).isEqualTo(micros("2025-06-16T13:00:00Z"));
    }

    @Test
    void yearRollsOverAtNewYearWithinAFile() throws Exception {
        read(write("rollover", """
                Dec 31 23:59:59 h a: old year
                Jan  1 00:00:01 h a: new year
                """), ReadOptions.defaults().withYear(2017));
        assertThat(lines).extracting(LogLine::realtimeMicros)
                .containsExactly(micros("2017-12-31T23:59:59Z"), micros("2018-01-01T00:00:01Z"));
    }

    @Test
    void timezoneOptionAppliesToZonelessStamps() throws Exception {
        Path f = write("tz", "Nov 12 15:15:41 h a: x\n");
        read(f, ReadOptions.defaults().withYear(2017));
        read(f, ReadOptions.defaults().withYear(2017).withZone(SHANGHAI));
        assertThat(lines.get(0).realtimeMicros() - lines.get(1).realtimeMicros()).isEqualTo(8 * 3600_000_000L);
    }

    @Test
    void invalidDateIsRejectedNotThrown() throws Exception {
        read(write("bad", "Feb 30 10:00:00 h a: no such day\nFeb 28 10:00:00 h a: fine\n"));
        assertThat(lines).hasSize(1);
        assertThat(rejects).singleElement().satisfies(r -> {
            assertThat(r.line()).isEqualTo(1);
            assertThat(r.reason()).contains("invalid date");
        });
    }

    // ---- host resolution ----------------------------------------------------------------------------------------

    @Test
    void hostOptionFillsLinesWithoutHostAndLinesWithOneKeepTheirs() throws Exception {
        read(resource("syslog-000-slave-138.log"), ReadOptions.defaults().withHost("other"));
        assertThat(lines.get(0).host()).isEqualTo("slave-138");
        assertThat(lines.get(lines.size() - 1).host()).isEqualTo("other");
    }

    @Test
    void hostlessFileIsReadAsUnknownHostAndSaysSo() throws Exception {
        Path f = resource("syslog-000-kernel.log");
        ReadResult unnamed = read(f);
        assertThat(unnamed.assumedHost()).isEqualTo(ReadResult.UNKNOWN_HOST);
        assertThat(unnamed.hostNote()).contains(f.toString()).contains("'unknown'").contains("--host");
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l.host()).isEqualTo("unknown"));
        lines.clear();

        ReadResult r = read(f, ReadOptions.defaults().withHost("slave-138"));
        assertThat(r.assumedHost()).isNull();
        assertThat(r.hostNote()).isNull();
        long stamped = Files.readAllLines(f).stream().filter(l -> l.startsWith("Nov 12 ")).count();
        assertThat(r.lines()).isEqualTo(86);
        assertThat(stamped).isEqualTo(75);
        assertThat(lines).hasSize((int) stamped).allSatisfy(l -> assertThat(l.host()).isEqualTo("slave-138"));
    }

    @Test
    void severalHostsAndHostlessLinesAreSplitPerHost() throws Exception {
        Path f = write("two", """
                Nov 12 15:15:41 node-a dockerd: x
                Nov 12 15:15:41 node-b dockerd: y
                Nov 12 15:15:41 kernel: z
                """);
        ReadResult r = read(f);
        assertThat(lines).extracting(LogLine::host).containsExactly("node-a", "node-b", "unknown");
        assertThat(r.hostNote()).contains("'unknown'");
    }

    @Test
    void theOnlyHostNamedInAFileIsGivenToItsHostlessLinesWithoutANote() throws Exception {
        ReadResult r = read(write("one", "Nov 12 15:15:41 node-a dockerd: x\nNov 12 15:15:42 kernel: z\n"));
        assertThat(lines).extracting(LogLine::host).containsExactly("node-a", "node-a");
        assertThat(r.hostNote()).isNull();
    }

    @Test
    void severalHostsAreFineWhenEveryLineNamesOne() throws Exception {
        read(write("two", "Nov 12 15:15:41 node-a dockerd: x\nNov 12 15:15:41 node-b dockerd: y\n"));
        assertThat(lines).extracting(LogLine::host).containsExactly("node-a", "node-b");
    }

    // ---- journal JSON --------------------------------------------------------------------------------------------

    @Test
    void journalJsonFileKeepsCursorAndFileLineAndRejectsOmittedMessages() throws Exception {
        ReadResult r = read(resource("journal-dc05.json"));

        assertThat(r.format()).isEqualTo(LogFormat.JOURNAL_JSON);
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0).isKernel()).isTrue();
        assertThat(lines.get(0).ref().cursor()).contains(";i=1;");
        assertThat(lines.get(0).ref().line()).isEqualTo(1);
        assertThat(lines.get(4).message()).isEqualTo("bad bytes \uFFFD\uFFFD here");
        assertThat(rejects).singleElement().satisfies(rej -> {
            assertThat(rej.line()).isEqualTo(7);
            assertThat(rej.reason()).contains("--all");
        });
        assertThat(r.rejected()).isEqualTo(1);
    }

    @Test
    void journalJsonWithAllHasEveryEntry() throws Exception {
        read(resource("journal-dc05-all.json"));
        assertThat(rejects).isEmpty();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(6).message()).hasSize(5000);
    }

    @Test
    void brokenJsonLineIsRejectedAndTheRestRead() throws Exception {
        read(write("j", "{\"MESSAGE\":\"a\",\"_HOSTNAME\":\"h\"}\n{\"MESSAGE\":\"b\n{\"MESSAGE\":\"c\",\"_HOSTNAME\":\"h\"}\n"));
        assertThat(lines).extracting(LogLine::message).containsExactly("a", "c");
        assertThat(rejects).singleElement().satisfies(r -> assertThat(r.line()).isEqualTo(2));
    }

    // ---- kernel shapes ---------------------------------------------------------------------------------------

    @Test
    void dmesgAndDmesgT() throws Exception {
        ReadResult r = read(write("dmesg", """
                [    0.000000] Linux version 3.10.0-514.el7.x86_64 (builder@kbuilder.dev.centos.org)
                [98765.430900] runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0
                [98765.431000] [ T2438] CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1
                """), ReadOptions.defaults().withHost("n1"));
        assertThat(r.format()).isEqualTo(LogFormat.DMESG);
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.isKernel()).isTrue();
            assertThat(l.transport()).isEqualTo("kernel");
            assertThat(l.realtimeMicros()).isNull();
        });
        assertThat(lines.get(1).monotonicMicros()).isEqualTo(98_765_430_900L);
        assertThat(lines.get(2).message()).isEqualTo("CPU: 1 PID: 18377 Comm: exe Not tainted 3.10.0-514.el7.x86_64 #1");

        lines.clear();
        r = read(write("dmesgT", "[Tue Nov 12 15:15:41 2017] exe: page allocation failure: order:6\n"),
                ReadOptions.defaults().withHost("n1").withZone(SHANGHAI));
        assertThat(r.format()).isEqualTo(LogFormat.DMESG);
        assertThat(lines.get(0).realtimeMicros()).isEqualTo(micros("2017-11-12T07:15:41Z"));
        assertThat(lines.get(0).message()).isEqualTo("exe: page allocation failure: order:6");
    }

    @Test
    void rawKmsgWithPriorityAndCallerId() throws Exception {
        ReadResult r = read(write("kmsg", """
                <4>[  123.456] exe: page allocation failure: order:6, mode:0x10c0d0
                <4>[  123.457] [ T2438] CPU: 1 PID: 2438 Comm: runc:[1:CHILD]
                """), ReadOptions.defaults().withHost("n1"));
        assertThat(r.format()).isEqualTo(LogFormat.KMSG);
        assertThat(lines).extracting(LogLine::priority).containsExactly(4, 4);
        assertThat(lines).extracting(LogLine::monotonicMicros).containsExactly(123_456_000L, 123_457_000L);
        assertThat(lines.get(1).message()).isEqualTo("CPU: 1 PID: 2438 Comm: runc:[1:CHILD]");
        assertThat(lines).allMatch(LogLine::isKernel);
    }

    @Test
    void devKmsgRecordsWithDictionaryLinesAndEscapes() throws Exception {
        ReadResult r = read(write("devkmsg", """
                4,1234,123456789,-;kmem_cache_create(nf_conntrack_ffff8803eef66180) failed with error -12
                6,1235,123456790,-,caller=T2438;usb 1-1: new device\\x0aline two \\x5c done
                 SUBSYSTEM=usb
                 DEVICE=c189:1
                3,1236,123456800,c;next
                """), ReadOptions.defaults().withHost("n1"));
        assertThat(r.format()).isEqualTo(LogFormat.KMSG);
        assertThat(rejects).isEmpty();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).priority()).isEqualTo(4);
        assertThat(lines.get(0).monotonicMicros()).isEqualTo(123_456_789L);
        assertThat(lines.get(1).message()).isEqualTo("usb 1-1: new device\nline two \\ done");
        assertThat(lines.get(2).priority()).isEqualTo(3);
    }

    @Test
    void shortMonotonicWithBootMarkers() throws Exception {
        ReadResult r = read(write("sm", """
                -- Boot 8f3c1b2a9d4e4f6a8b7c6d5e4f3a2b1c --
                [98765.430900] dc05 kernel: runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0
                [98765.432130] dc05 kubelet[26037]: E0123 14:15:31.352386   26037 remote_runtime.go:91] RunPodSandbox
                [98765.432140] dc05 kernel: Node 0 Normal: 34178*4kB (UEM) 20118*8kB (UEM)
                """));
        assertThat(r.format()).isEqualTo(LogFormat.SHORT_MONOTONIC);
        assertThat(rejects).isEmpty();
        assertThat(lines).hasSize(3).allSatisfy(l -> {
            assertThat(l.host()).isEqualTo("dc05");
            assertThat(l.bootId()).isEqualTo("8f3c1b2a9d4e4f6a8b7c6d5e4f3a2b1c");
        });
        assertThat(lines.get(0).isKernel()).isTrue();
        assertThat(lines.get(0).monotonicMicros()).isEqualTo(98_765_430_900L);
        assertThat(lines.get(0).message()).startsWith("runc:[1:CHILD]: page allocation");
        assertThat(lines.get(1).isKernel()).isFalse();
        assertThat(lines.get(1).pid()).isEqualTo(26037);
    }

    // ---- bare, garbage, edge cases -----------------------------------------------------------------------------

    @Test
    void bareMessageBodies() throws Exception {
        ReadResult r = read(write("bare", "page allocation failure: order:6\n\nsecond message\n"),
                ReadOptions.defaults().withHost("n1"));
        assertThat(r.format()).isEqualTo(LogFormat.BARE);
        assertThat(lines).extracting(LogLine::message).containsExactly("page allocation failure: order:6",
                "second message");
        assertThat(lines.get(1).ref()).isEqualTo(LineRef.fileLine(r.file(), 3));
    }

    @Test
    void binaryFileIsAClearErrorInAuto() throws Exception {
        byte[] junk = new byte[200_000];
        new Random(7).nextBytes(junk);
        Path f = Files.write(dir.resolve("junk.bin"), junk);
        assertThatThrownBy(() -> read(f)).isInstanceOf(LogReadException.class)
                .hasMessageContaining("does not look like a text log");
    }

    @Test
    void binaryGarbageInsideAFileBecomesRejectedLinesAndNeverThrows() throws Exception {
        byte[] junk = new byte[100_000];
        new Random(42).nextBytes(junk);
        Path f = dir.resolve("mixed.log");
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write("Nov 12 15:15:41 h dockerd: before\n".getBytes(StandardCharsets.UTF_8));
            out.write(junk);
            out.write("\nNov 12 15:15:42 h dockerd: after\n".getBytes(StandardCharsets.UTF_8));
        }
        for (LogFormat format : LogFormat.values()) {
            if (format == LogFormat.AUTO) {
                continue;
            }
            lines.clear();
            rejects.clear();
            ReadResult r = read(f, ReadOptions.defaults().withFormat(format).withHost("h"));
            assertThat(r.lines()).as(format.cliName()).isGreaterThan(2);
            assertThat(r.entries() + r.rejected()).as(format.cliName()).isGreaterThanOrEqualTo(2);
            assertThat(rejects).as(format.cliName()).isNotEmpty().allSatisfy(rej -> {
                assertThat(rej.file()).isEqualTo(f.toString());
                assertThat(rej.excerpt().length()).isLessThanOrEqualTo(RejectedLine.MAX_EXCERPT + 3);
            });
        }
        lines.clear();
        rejects.clear();
        ReadResult auto = read(f, ReadOptions.defaults());
        assertThat(auto.format()).as("the readable lines decide the shape").isEqualTo(LogFormat.SYSLOG);
        assertThat(lines).filteredOn(l -> "dockerd".equals(l.identifier())).extracting(LogLine::message)
                .containsExactly("before", "after");
        // a short run of garbage that happens to decode is read as a bare message, never glued to a real line
        long before = lines.get(0).realtimeMicros();
        assertThat(lines).filteredOn(l -> l.identifier() == null).allSatisfy(l -> {
            assertThat(l.realtimeMicros()).as("the time of the line before it").isEqualTo(before);
            assertThat(l.message().length()).isLessThan(64);
        });
        assertThat(auto.entries() + auto.rejected()).as("every non-blank line is an entry or a rejection")
                .isEqualTo(Arrays.stream(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).split("\n", -1))
                        .filter(l -> !l.isBlank()).count());
        assertThat(rejects).hasSizeGreaterThan((int) auto.entries());
    }

    @Test
    void latin1AndGbkBytesInALineAreDecodedLenientlyAndTheLineKept() throws Exception {
        Path f = dir.resolve("latin1.log");
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write("Nov 12 15:15:41 h dockerd: caf".getBytes(StandardCharsets.UTF_8));
            out.write(0xe9); // Latin-1 e-acute
            out.write(" error\nNov 12 15:15:42 h kubelet: ".getBytes(StandardCharsets.UTF_8));
            out.write(new byte[] {(byte) 0xc4, (byte) 0xda, (byte) 0xb4, (byte) 0xe6}); // GBK for "memory"
            out.write(" RunPodSandbox failed\n".getBytes(StandardCharsets.UTF_8));
        }
        ReadResult r = read(f);
        assertThat(r.format()).isEqualTo(LogFormat.SYSLOG);
        assertThat(rejects).isEmpty();
        assertThat(lines).extracting(LogLine::message).containsExactly("caf\uFFFD error",
                "\uFFFD\u06B4\uFFFD RunPodSandbox failed");
        assertThat(lines.get(1).identifier()).isEqualTo("kubelet");
    }

    @Test
    void explicitFormatStillRefusesABinaryFile() throws Exception {
        byte[] junk = new byte[50_000];
        new Random(11).nextBytes(junk);
        Path f = Files.write(dir.resolve("core.bin"), junk);
        assertThatThrownBy(() -> read(f, ReadOptions.defaults().withFormat(LogFormat.SYSLOG).withHost("h")))
                .isInstanceOf(LogReadException.class).hasMessageContaining("does not look like a text log");
    }

    @Test
    void truncatedGzipKeepsTheLinesBeforeTheDamageAndNamesIt() throws Exception {
        java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(packed)) {
            for (int i = 0; i < 2000; i++) {
                gz.write(("Nov 12 15:15:41 h dockerd: line " + i + " " + "x".repeat(40) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] whole = packed.toByteArray();
        Path f = Files.write(dir.resolve("rotated.log.gz"), Arrays.copyOf(whole, whole.length / 2));
        ReadResult r = read(f);
        assertThat(r.damage()).contains("truncated or corrupt");
        assertThat(lines).isNotEmpty().hasSizeLessThan(2000);
        assertThat(lines.get(0).message()).startsWith("line 0 ");
    }

    @Test
    void mailQuotesAndAMarkdownFenceAreNotPartOfTheLog() throws Exception {
        read(write("quoted", """
                ```text [ 1941.624891] swapper/0: page allocation failure: order:0, mode:0x0
                > > [ 1941.625000] CPU: 0 PID: 0 Comm: swapper/0 Not tainted 4.18.0 #1
                >> [ 1941.626000] Call Trace:
                """), ReadOptions.defaults().withHost("n1"));
        assertThat(lines).extracting(LogLine::message).containsExactly(
                "swapper/0: page allocation failure: order:0, mode:0x0",
                "CPU: 0 PID: 0 Comm: swapper/0 Not tainted 4.18.0 #1", "Call Trace:");
        assertThat(lines).allSatisfy(l -> assertThat(l.isKernel()).isTrue());
    }

    @Test
    void monotonicLinesWithoutHostKeepKernelAndProcessApart() throws Exception {
        read(write("mono", """
                [21160.626351] earlyoom[84786]: low memory! at or below SIGTERM limits
                [21161.092614] kernel: earlyoom: page allocation failure: order:0, mode:0x800(GFP_NOWAIT)
                [21161.092700] runc:[1:CHILD]: page allocation failure: order:6, mode:0x10c0d0
                """), ReadOptions.defaults().withHost("n1"));
        assertThat(lines.get(0).isKernel()).isFalse();
        assertThat(lines.get(0).identifier()).isEqualTo("earlyoom");
        assertThat(lines.get(0).pid()).isEqualTo(84786);
        assertThat(lines.get(1).isKernel()).isTrue();
        assertThat(lines.get(1).message()).startsWith("earlyoom: page allocation failure");
        assertThat(lines.get(2).isKernel()).isTrue();
        assertThat(lines.get(2).message()).startsWith("runc:[1:CHILD]: page allocation failure");
    }

    @Test
    void dockerEventsNameNoHost() throws Exception {
        read(write("events", "2019-05-04T18:05:45.011072877-05:00 container oom 29d72966e0be (image=x, name=y)\n"));
        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.host()).isEqualTo("unknown");
            assertThat(l.message()).isEqualTo("container oom 29d72966e0be (image=x, name=y)");
            assertThat(l.realtimeMicros()).isNotNull();
        });
    }

    @Test
    void textAmongJsonIsReadAsBareMessagesAndOnlyBrokenObjectsAreRejected() throws Exception {
        read(write("mixed", """
                root@node:~# ctr images pull docker.io/x/y:1
                {"MESSAGE":"a","_HOSTNAME":"h"}
                  "tags": []
                {"MESSAGE":"b
                """), ReadOptions.defaults().withHost("h"));
        assertThat(lines).extracting(LogLine::message).containsExactly("root@node:~# ctr images pull docker.io/x/y:1",
                "a", "\"tags\": []");
        assertThat(rejects).singleElement().satisfies(r -> assertThat(r.line()).isEqualTo(4));
    }

    @Test
    void jsonLinesThatAreNotJournalEntriesAreReadAsText() throws Exception {
        String event = "{\"status\":\"oom\",\"id\":\"36eb96d6c134\",\"time\":1449497871}";
        read(write("api", event + "\n"), ReadOptions.defaults().withHost("n1"));
        assertThat(lines).singleElement().satisfies(l -> assertThat(l.message()).isEqualTo(event));
        assertThat(rejects).isEmpty();
    }

    @Test
    void jsonLoggersNestedObjectsAreReadAsTextNotRejected() throws Exception {
        // kubelet's --logging-format=json writes object references as objects, which journald never does
        String kubelet = "{\"ts\":1678886400123.456,\"msg\":\"Failed to create sandbox for pod\","
                + "\"pod\":{\"name\":\"web-0\",\"namespace\":\"shop\"},\"err\":\"boom\",\"v\":0}";
        String list = "{\"msg\":\"x\",\"pods\":[{\"name\":\"a\"},{\"name\":\"b\"}]}";
        read(write("kubelet-json", kubelet + "\n" + list + "\n"), ReadOptions.defaults().withHost("n1"));
        assertThat(lines).extracting(LogLine::message).containsExactly(kubelet, list);
        assertThat(rejects).isEmpty();
    }

    @Test
    void hundredKilobyteLineIsReadWhole() throws Exception {
        String big = "x".repeat(100 * 1024);
        read(write("big", "Nov 12 15:15:41 h dockerd: " + big + "\n"));
        assertThat(lines).singleElement().satisfies(l -> assertThat(l.message()).isEqualTo(big));
    }

    @Test
    void emptyFileReadsNothing() throws Exception {
        ReadResult r = read(write("empty", ""));
        assertThat(r.entries()).isZero();
        assertThat(r.rejected()).isZero();
        assertThat(r.format()).isNull();
        assertThat(lines).isEmpty();
    }

    @Test
    void aLineOfAnotherShapeIsReadAsABareMessageNotGluedToTheNext() throws Exception {
        read(write("lead", "$ docker run -m 4m busybox\nNov 12 15:15:41 h dockerd: x\nERRO[0000] error waiting\n"));
        assertThat(lines).extracting(LogLine::message).containsExactly("$ docker run -m 4m busybox", "x ERRO[0000] error waiting");
        assertThat(lines.get(0).identifier()).isNull();
        assertThat(lines.get(0).realtimeMicros()).as("a paste happened when the lines around it did")
                .isEqualTo(lines.get(1).realtimeMicros()).isNotNull();
        assertThat(rejects).isEmpty();
    }

    @Test
    void pastedLinesBeforeTheFirstStampTakeItsTimeAndKeepTheirPlace() throws Exception {
        read(write("paste", """
                $ docker run busybox
                docker: Error response from daemon: OCI runtime create failed: cannot allocate memory.
                Nov 12 15:15:41 h kubelet: first
                Nov 12 15:15:45 h kubelet: last
                """));
        assertThat(lines).extracting(LogLine::message).containsExactly("$ docker run busybox",
                "docker: Error response from daemon: OCI runtime create failed: cannot allocate memory.", "first",
                "last");
        assertThat(lines.get(0).realtimeMicros()).isEqualTo(lines.get(2).realtimeMicros());
        assertThat(lines.get(1).realtimeMicros()).isEqualTo(lines.get(2).realtimeMicros());
        assertThat(lines.get(3).realtimeMicros()).isEqualTo(lines.get(2).realtimeMicros() + 4_000_000L);
    }

    @Test
    void gzipCompressedRotatedLog() throws Exception {
        Path f = dir.resolve("messages.1.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(Files.readAllBytes(resource("syslog-002-dc05.log")));
        }
        ReadResult r = read(f);
        assertThat(r.format()).isEqualTo(LogFormat.SYSLOG);
        assertThat(lines).hasSize(9);
    }

    @Test
    void crlfLineEndings() throws Exception {
        read(write("crlf", "Nov 12 15:15:41 h dockerd: a\r\nNov 12 15:15:41 h dockerd: b\r\n"));
        assertThat(lines).extracting(LogLine::message).containsExactly("a", "b");
    }

    @Test
    void everyPrefixOfEveryShapeIsReadOrRejectedNeverThrown() throws Exception {
        List<String> samples = List.of(
                "<34>1 2003-10-11T22:14:15.003Z mymachine su 123 ID47 [a b=\"c\\]\"] msg",
                "<30>Nov 12 15:15:41 node-1 containerd[12]: started",
                "2024-01-23T14:15:31.352386+08:00 dc05 kernel: x",
                "[Tue Nov 12 15:15:41 2017] x",
                "<4>[  123.457] [ T2438] CPU: 1",
                "6,1235,123456790,-,caller=T2438;usb \\x0a",
                "[98765.430900] dc05 kubelet[26037]: E0123",
                "{\"MESSAGE\":[1,2],\"A\":[\"x\",[255],null],\"_HOSTNAME\":\"h\"}");
        for (String sample : samples) {
            for (int cut = 1; cut <= sample.length(); cut++) {
                Path f = write("cut", sample.substring(0, cut) + "\n" + sample + "\n");
                for (LogFormat format : LogFormat.values()) {
                    lines.clear();
                    rejects.clear();
                    ReadResult r = read(f, ReadOptions.defaults().withFormat(format).withHost("h"));
                    assertThat(r.entries() + r.rejected()).as(format + " " + sample.substring(0, cut))
                            .isBetween(1L, 2L);
                }
            }
        }
    }

    @Test
    void cliNames() {
        assertThat(Arrays.stream(LogFormat.values()).map(LogFormat::cliName))
                .containsExactly("auto", "journal-json", "syslog", "dmesg", "kmsg", "short-monotonic", "bare");
        assertThat(LogFormat.fromCliName("short-monotonic")).isEqualTo(LogFormat.SHORT_MONOTONIC);
        assertThatThrownBy(() -> LogFormat.fromCliName("xml")).hasMessageContaining("journal-json");
    }

}
