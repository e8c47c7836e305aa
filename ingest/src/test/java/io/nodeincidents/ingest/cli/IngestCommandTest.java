package io.nodeincidents.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The shipper image's command line offers ship and replay, with their declared settings under --help. */
class IngestCommandTest {

    private static String[] run(String... args) {
        CommandLine cli = CommandLines.create(new IngestCommand());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void shipAndReplayAreThereWithTheirSettings() {
        String[] ship = run("ship", "--help");
        assertThat(ship[0]).isEqualTo("0");
        assertThat(ship[1]).contains("Usage: nodeincidents ship").contains("ship.metrics.port")
                .contains("ship.memory.sample.interval.ms").contains("ship.proc.root").contains("ship.sys.root")
                .contains("ship.page.size.kb").contains("node.memory.topic");
        String[] replay = run("replay", "--help");
        assertThat(replay[0]).isEqualTo("0");
        assertThat(replay[1]).contains("journal.entries.topic").doesNotContain("node.memory.topic");
    }

    @Test
    void aMissingOrUnknownCommandExitsWith2() {
        assertThat(run()[0]).isEqualTo("2");
        String[] unknown = run("correlate");
        assertThat(unknown[0]).isEqualTo("2");
        assertThat(unknown[2]).contains("correlate");
    }
}
