package io.nodeincidents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.runtime.RuntimeFailure;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze} on storms of a few MB made of seed 000 (a dockerd setns failure, then the order-6 allocation failure
 * and the nf_conntrack slab failure it explains): one incident with exact counts and bounded lists.
 */
class AnalyzeStormTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CAP_REFS = 2 * RuntimeFailure.EDGE_REFS;

    private static List<String> seed000() throws IOException {
        try {
            Path fixture = Path.of(AnalyzeStormTest.class.getResource("/kernel/seed-000-centos7-order6-conntrack.log")
                    .toURI());
            return Files.readAllLines(fixture).stream().filter(l -> !l.startsWith("##")).toList();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> incidents(CommandRun run) throws IOException {
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> incidents = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            if (line.startsWith("{")) {
                JsonNode node = JSON.readTree(line);
                assertThat(node.has("incidentId")).as("no fleet alert from one host").isTrue();
                incidents.add(node);
            }
        }
        return incidents;
    }

    @Test
    void oneDockerdErrorLineRepeatedTwentyThousandTimesIsOneFailureOfThatManyLines(@TempDir Path dir)
            throws IOException {
        List<String> seed = seed000();
        String dockerd = seed.get(0);
        assertThat(dockerd).contains("dockerd:").contains("exit status 6");
        Path log = dir.resolve("storm.log");
        int repeats = 20_000;
        try (BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line : seed) {
                out.write(line);
                out.newLine();
            }
            for (int i = 0; i < repeats; i++) {
                out.write(dockerd); // verbatim, same second: a runtime stuck in a loop
                out.newLine();
            }
        }
        assertThat(Files.size(log)).isGreaterThan(5L << 20);

        List<JsonNode> incidents = incidents(CommandRun.command("analyze", "--year", "2017", log.toString()));

        assertThat(incidents).singleElement().satisfies(incident -> {
            assertThat(incident.path("status").asText()).isEqualTo("RESOLVED");
            assertThat(incident.path("cause").asText()).isEqualTo("MEMORY_FRAGMENTATION");
            JsonNode counts = incident.path("counts");
            assertThat(counts.path("allocationFailures").asInt()).isEqualTo(1);
            assertThat(counts.path("slabFailures").asInt()).isEqualTo(1);
            assertThat(counts.path("containerFailures").asInt()).as("one failure, printed again and again")
                    .isEqualTo(1);
            assertThat(counts.path("runtimeFailureLines").asLong()).isEqualTo(repeats + 1);
            JsonNode failure = incident.path("runtimeFailures").get(0);
            assertThat(failure.path("evidence")).hasSize(CAP_REFS);
            assertThat(failure.path("evidence").size() + failure.path("evidenceOmitted").asLong())
                    .isEqualTo(repeats + 1);
            // where the storm began (the seed's own line) and where it ended (the file's last line)
            assertThat(failure.path("evidence").get(0).path("line").asLong()).isEqualTo(1);
            assertThat(failure.path("evidence").get(CAP_REFS - 1).path("line").asLong())
                    .isEqualTo(seed.size() + repeats);
            assertThat(incident.path("evidence").size()).isLessThanOrEqualTo(100);
        });
    }

    @Test
    void theSeedReportRepeatedEverySecondIsOneIncidentWithEveryReportCountedAndBothEndsKept(@TempDir Path dir)
            throws IOException {
        List<String> seed = seed000();
        Path log = dir.resolve("reports.log");
        int repeats = 300;
        LocalTime start = LocalTime.of(15, 15, 41);
        try (BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (int i = 0; i < repeats; i++) {
                String stamp = start.plusSeconds(i).format(DateTimeFormatter.ofPattern("HH:mm:ss"));
                for (String line : seed) {
                    out.write(line.replaceFirst("^Nov 12 15:15:41 ", "Nov 12 " + stamp + " "));
                    out.newLine();
                }
            }
        }
        assertThat(Files.size(log)).isGreaterThan(2L << 20);

        List<JsonNode> incidents = incidents(CommandRun.command("analyze", "--year", "2017", log.toString()));

        assertThat(incidents).singleElement().satisfies(incident -> {
            JsonNode counts = incident.path("counts");
            assertThat(counts.path("allocationFailures").asInt()).isEqualTo(repeats);
            assertThat(counts.path("slabFailures").asInt()).isEqualTo(repeats);
            // the dockerd line a second apart folds into one failure per two-second window: three lines each
            assertThat(counts.path("containerFailures").asInt()).isEqualTo(repeats / 3);
            assertThat(counts.path("runtimeFailureLines").asLong()).isEqualTo(repeats);

            JsonNode kernel = incident.path("kernelEvents");
            assertThat(kernel).hasSize(20);
            assertThat(kernel.size() + incident.path("kernelEventsOmitted").asLong()).isEqualTo(2L * repeats);
            long first = incident.path("firstSeenMicros").asLong();
            assertThat(kernel.get(0).path("timeMicros").asLong()).isEqualTo(first);
            assertThat(kernel.get(19).path("timeMicros").asLong()).as("the latest report is kept")
                    .isEqualTo(first + (repeats - 1) * 1_000_000L);
            assertThat(incident.path("lastSeenMicros").asLong()).isEqualTo(first + (repeats - 1) * 1_000_000L);

            JsonNode runtime = incident.path("runtimeFailures");
            assertThat(runtime).hasSize(50);
            assertThat(runtime.size() + incident.path("runtimeFailuresOmitted").asLong()).isEqualTo(repeats / 3);
            assertThat(incident.path("evidence")).hasSize(100);
            assertThat(incident.path("evidenceOmitted").asLong()).isPositive();
        });
    }
}
