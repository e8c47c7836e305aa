package io.nodeincidents.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.config.ConfigSources;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The shared error handling of both command lines: one line per error, its exit code, a trace on request only. */
class CommandLinesTest {

    @Command(name = "nodeincidents", subcommands = Failing.class)
    static final class Root implements Runnable {
        @Override
        public void run() {
        }
    }

    @Command(name = "failing")
    static final class Failing implements Callable<Integer> {
        @Option(names = "--how", defaultValue = "runtime")
        String how;

        @Option(names = "--count")
        int count;

        @Override
        public Integer call() {
            switch (how) {
                case "config" -> throw new ConfigSources.ConfigException("configuration file not found: x.properties");
                case "kafka-config" -> throw new org.apache.kafka.common.KafkaException("Failed to construct kafka"
                        + " producer", new org.apache.kafka.common.config.ConfigException("No resolvable bootstrap"
                        + " urls given in bootstrap.servers"));
                case "described" -> throw new CommandLines.CommandFailure(1, "cannot serve on :8080",
                        new java.net.BindException("Address already in use"));
                case "secret" -> throw new IllegalStateException("registry http://user:secret@host:8081 said no");
                default -> throw new IllegalStateException("the broker went away\nwhile we waited",
                        new java.io.IOException("connection reset"));
            }
        }
    }

    record Run(int exitCode, String out, String err) {
        String[] errLines() {
            return err.strip().split("\\R");
        }
    }

    private static Run run(String... args) {
        CommandLine cli = CommandLines.create(new Root());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aRunTimeFailureIsOneLineAndExit1WithItsCauseAndNoTrace() {
        Run run = run("failing");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(
                "failing: the broker went away while we waited: connection reset");
    }

    @Test
    void verboseAddsTheStackTraceWhereverItIsGiven() {
        for (String[] args : new String[][] {{"failing", "--verbose"}, {"--verbose", "failing"}}) {
            Run run = run(args);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()[0]).isEqualTo("failing: the broker went away while we waited: connection reset");
            assertThat(run.err()).contains("java.lang.IllegalStateException", "\tat ", "Caused by: java.io.IOException");
        }
    }

    @Test
    void configurationErrorsAreExit2AlsoWhenAKafkaClientWrapsThem() {
        Run config = run("failing", "--how", "config");
        assertThat(config.exitCode()).isEqualTo(2);
        assertThat(config.errLines()).containsExactly("failing: configuration file not found: x.properties");

        Run kafka = run("failing", "--how", "kafka-config");
        assertThat(kafka.exitCode()).isEqualTo(2);
        assertThat(kafka.errLines()).containsExactly("failing: Failed to construct kafka producer: No resolvable"
                + " bootstrap urls given in bootstrap.servers");
    }

    @Test
    void aFailureTheCommandDescribedKeepsItsWordsAndExitCodeAndTracesItsCauseOnRequest() {
        Run run = run("failing", "--how", "described");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("failing: cannot serve on :8080");

        Run verbose = run("failing", "--how", "described", "--verbose");
        assertThat(verbose.err()).contains("java.net.BindException: Address already in use", "\tat ");
    }

    @Test
    void usageErrorsAreOneLineAndExit2() {
        Run unknown = run("failing", "--frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.errLines()).containsExactly(
                "failing: Unknown option: '--frobnicate' (see 'nodeincidents failing --help')");

        Run badValue = run("failing", "--count", "many");
        assertThat(badValue.exitCode()).isEqualTo(2);
        assertThat(badValue.errLines()).hasSize(1);
        assertThat(badValue.errLines()[0]).startsWith("failing: Invalid value for option '--count': 'many'");

        Run verbose = run("failing", "--count", "many", "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(2);
        assertThat(verbose.err()).contains("ParameterException", "\tat ");
    }

    @Test
    void credentialsInAnErrorAreMasked() {
        Run run = run("failing", "--how", "secret");
        assertThat(run.errLines()).containsExactly("failing: registry http://user:***@host:8081 said no");
        assertThat(run("failing", "--how", "secret", "--verbose").err()).doesNotContain("secret@");
    }

    @Test
    void shipHelpRendersItsSettingsWithoutAFormatWarning() {
        // picocli reports a footer line it cannot format on System.err, before the usage
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String help;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            help = CommandLines.create(new IngestCommand()).getSubcommands().get("ship").getUsageMessage();
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
        // a % in a setting's documentation is printed as written
        assertThat(help.replaceAll("\\s+", " ")).contains("0.1% of a core");
    }
}
