package io.nodeincidents.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.cli.CommandRun;
import io.nodeincidents.cli.NodeIncidentsCommand;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code nodeincidents correlate} as a user meets it before any broker is involved: help and bad settings. */
class CorrelateCommandTest {

    private static CommandRun run(String... args) {
        return CommandRun.command("correlate", args);
    }

    @Test
    void helpDocumentsEveryDeclaredOptionWithItsDefault() {
        CommandRun run = run("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--config", "--bootstrap-servers", "-X")
                .contains("correlation.window.ms (long, default 120000")
                .contains("correlation.gap.ms (long, default 600000")
                .contains("fleet.host.threshold (int, default 3")
                .contains("processing.guarantee (string, default exactly_once_v2")
                .contains("application.id (string, default nodeincidents-correlate")
                .contains("deadletter.topic (string, default journal.deadletter")
                .contains("query.threads (int, default 8")
                .contains("query.max.queued (int, default 32")
                .contains("query.max.connections (int, default 256")
                .contains("query.read.timeout.ms (long, default 10000")
                .contains("query.idle.timeout.ms (long, default 30000")
                .contains("alertmanager.url (string")
                .contains("alertmanager.resend.interval.ms (long, default 60000");
    }

    @Test
    void tooFewConnectionsForTheQueryWorkersAreRefused() {
        CommandRun run = run("-X", "query.max.connections=40", "-X", "query.threads=8", "-X", "query.max.queued=32");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n").contains("query.max.connections")
                .contains("query.threads");
    }

    @Test
    void anAlertmanagerUrlThatIsNotHttpIsRefused() {
        CommandRun run = run("-X", "alertmanager.url=alertmanager:9093");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("alertmanager.url");
    }

    @Test
    void theRootCommandListsCorrelate() {
        CommandLine cli = NodeIncidentsCommand.commandLine();
        assertThat(cli.getSubcommands()).containsKey("correlate");
    }

    @Test
    void anInvalidValueIsOneLineAndExitCode2() {
        CommandRun run = run("-X", "correlation.window.ms=soon");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n").startsWith("correlate: ")
                .contains("correlation.window.ms");
    }

    @Test
    void aGapShorterThanTheWindowIsRefused() {
        CommandRun run = run("-X", "correlation.gap.ms=1000");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("correlation.gap.ms");
    }

    @Test
    void anUnknownProcessingGuaranteeIsRefused() {
        CommandRun run = run("-X", "processing.guarantee=exactly_once");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("processing.guarantee");
    }

    @Test
    void aMissingConfigFileIsRefused(@TempDir Path dir) {
        CommandRun run = run("--config", dir.resolve("nope.properties").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("correlate: ").contains("nope.properties");
    }

    @Test
    void aMissingAvroSerdeClassIsAConfigurationError() {
        CommandRun run = run("-X", "avro.serde.class=com.example.NoSuchSerde");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("avro.serde.class");
    }
}
