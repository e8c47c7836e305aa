package io.nodeincidents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * Mistakes and failures as a user meets them: one line that says what is wrong, exit 2 when the command must change,
 * 1 when the world must, and a stack trace only when asked for with --verbose.
 */
class CommandErrorsTest {

    private static void assertOneLine(CommandRun run, String expectedStart) {
        String err = run.err().strip();
        assertThat(err).as(run.err()).doesNotContain("\n").doesNotContain("\tat ").startsWith(expectedStart);
    }

    @Test
    void aQueryUrlWithoutSchemeIsAUsageError() {
        CommandRun run = CommandRun.of("query", "incidents", "--url", "localhost:18080");
        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLine(run, "query incidents: Invalid value for option '--url': 'localhost:18080' is not an http(s)"
                + " URL with a host");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnresolvableBootstrapServerIsOneLineNamingItAndExit2() {
        CommandRun run = CommandRun.of("correlate", "--bootstrap-servers", "no-such-host.invalid:9092",
                "-X", "query.port=0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertOneLine(run, "correlate: cannot connect to Kafka at no-such-host.invalid:9092: ");
        assertThat(run.err()).contains("No resolvable bootstrap urls");
    }

    @Test
    void verboseAddsTheTraceToTheSameLine() {
        CommandRun run = CommandRun.of("correlate", "--bootstrap-servers", "no-such-host.invalid:9092",
                "-X", "query.port=0", "--verbose");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("correlate: cannot connect to Kafka at no-such-host.invalid:9092: ")
                .contains("org.apache.kafka.common.KafkaException", "\tat ");
    }

    @Test
    void aServedDemoOnABusyPortSaysSoBeforeStartingAnything() throws Exception {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = busy.getLocalPort();
            CommandRun run = CommandRun.of("demo", "--serve", "--query-port", Integer.toString(port));
            assertThat(run.exitCode()).isEqualTo(1);
            assertOneLine(run, "demo: --query-port " + port + ": 127.0.0.1:" + port + " is in use");
            assertThat(run.out()).as("no broker started").isEmpty();
        }
    }
}
