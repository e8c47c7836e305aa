package io.nodeincidents.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.ingest.testjournal.RequiredTools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What cannot work is said in one line with exit 2 (or, for Kafka, within seconds), never retried forever. */
class ShipFailsFastTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void journalctlIsThere() {
        RequiredTools.journalctl();
    }

    private String[] ship(String... args) {
        CommandLine cli = CommandLines.create(new IngestCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 5];
        full[0] = "ship";
        full[1] = "--cursor-file";
        full[2] = dir.resolve("cursor").toString();
        full[3] = "-X";
        full[4] = "ship.metrics.port=-1";
        System.arraycopy(args, 0, full, 5, args.length);
        int code = cli.execute(full);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStartTimeJournalctlCannotParseExits2NamingIt() throws Exception {
        Path journal = Files.createDirectory(dir.resolve("journal"));
        String[] run = ship("--directory", journal.toString(), "--since", "garbage");
        assertThat(run[0]).isEqualTo("2");
        assertThat(run[2].strip().lines()).singleElement().asString()
                .contains("journalctl cannot read this journal").contains("garbage");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDirectoryOrFileThatDoesNotExistExits2() {
        String[] dirRun = ship("--directory", dir.resolve("nope").toString());
        assertThat(dirRun[0]).isEqualTo("2");
        assertThat(dirRun[2].strip()).isEqualTo("ship: --directory " + dir.resolve("nope") + ": no such directory");
        String[] fileRun = ship("--file", dir.resolve("system.journal").toString());
        assertThat(fileRun[0]).isEqualTo("2");
        assertThat(fileRun[2]).contains("no such file");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSamplingIntervalOrPageSizeThatMakesNoSenseExits2() throws Exception {
        Path journal = Files.createDirectory(dir.resolve("journal"));
        String[] interval = ship("--directory", journal.toString(), "-X", "ship.memory.sample.interval.ms=50");
        assertThat(interval[0]).isEqualTo("2");
        assertThat(interval[2].strip().lines()).singleElement().asString()
                .contains("ship.memory.sample.interval.ms").contains("0 (no sampling) or from 1000");
        String[] pageSize = ship("--directory", journal.toString(), "-X", "ship.page.size.kb=6");
        assertThat(pageSize[0]).isEqualTo("2");
        assertThat(pageSize[2]).contains("ship.page.size.kb").contains("power of two");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anUnreachableKafkaIsSaidPlainlyWithinSeconds() throws Exception {
        Path journal = Files.createDirectory(dir.resolve("journal"));
        long start = System.nanoTime();
        String[] run = ship("--directory", journal.toString(), "--no-follow", "--bootstrap-servers", "127.0.0.1:1",
                "-X", "value.serializer=org.apache.kafka.common.serialization.ByteArraySerializer",
                "-X", "max.block.ms=2000");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertThat(run[2]).contains("Kafka at 127.0.0.1:1 did not answer");
        assertThat(seconds).as("said within seconds, not after the producer's minute").isLessThan(40);
    }
}
