package io.nodeincidents.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.cli.CommandRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, as a user runs it: the real broker, registry, producer path and topology over the
 * sample fleet. And offline analyze of the same samples gives the same incidents.
 */
class DemoCommandTest {

    private static final Pattern HEADLINE = Pattern.compile(
            "^(OPEN|UPDATED|RESOLVED) (\\w+) (\\w+) on (\\S+) .*\\(incident ([0-9a-f-]{36}), revision (\\d+)\\)$",
            Pattern.MULTILINE);

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    @Test
    void anUnreachableSchemaRegistryEndsTheDemoWithOneLineAndItsPasswordMasked() throws IOException {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        CommandRun demo = run("demo", "--schema-registry-url", "http://user:secret@127.0.0.1:" + closed);

        assertThat(demo.exitCode()).as("%s%n%s", demo.out(), demo.err()).isEqualTo(1);
        assertThat(demo.err().strip()).doesNotContain("\n").doesNotContain("\tat ")
                .startsWith("demo: schema registry unavailable: ").contains("127.0.0.1:" + closed);
        assertThat(demo.out()).contains("schema registry http://user:***@127.0.0.1:" + closed);
        assertThat(demo.out() + demo.err()).doesNotContain("secret");
    }

    @Test
    void theDemoFindsTheSeedIncidentsAndNothingOnTheNegativeHosts(@TempDir Path samples) throws IOException {
        CommandRun demo = run("demo");

        assertThat(demo.exitCode()).as("%s%n%s", demo.out(), demo.err()).isZero();
        String out = demo.out();
        List<String[]> headlines = new ArrayList<>();
        Matcher m = HEADLINE.matcher(out);
        while (m.find()) {
            headlines.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)});
        }
        assertThat(headlines).anySatisfy(h -> {
            assertThat(h[2]).isEqualTo("MEMORY_FRAGMENTATION");
            assertThat(h[3]).isEqualTo("slave-138");
            assertThat(h[1]).isEqualTo("CRITICAL");
        });
        assertThat(headlines).anySatisfy(h -> {
            assertThat(h[2]).isEqualTo("CGROUP_OOM");
            assertThat(h[3]).isEqualTo("ip-10-1-2-125");
        });
        assertThat(headlines).noneSatisfy(h -> assertThat(h[3]).isIn("node-quiet-07", "node-lookalike-12"));
        // the forecast warns each fragmenting host before its first failure, once, and no other host
        for (String host : List.of("slave-138", "slave-139", "slave-141")) {
            int warned = firstIndex(headlines, "FRAGMENTATION_RISK", host);
            int failed = firstIndex(headlines, "MEMORY_FRAGMENTATION", host);
            assertThat(warned).as("warning on %s", host).isNotNegative().isLessThan(failed);
            assertThat(headlines.stream().filter(h -> h[2].equals("FRAGMENTATION_RISK") && h[3].equals(host))
                    .map(h -> h[4]).distinct()).as("one warning on %s", host).hasSize(1);
            assertThat(out).containsPattern(host + ": FRAGMENTATION_RISK warned \\d+ min before the first failed"
                    + " pod sandbox");
        }
        assertThat(headlines).filteredOn(h -> h[2].equals("FRAGMENTATION_RISK")).extracting(h -> h[3])
                .containsOnly("slave-138", "slave-139", "slave-141");
        assertThat(out).contains("could not get 64 contiguous pages (order 6)")
                .contains("prod/matchdataserver-1255064836-t4b2w")
                .contains("FLEET MEMORY_FRAGMENTATION on 3 hosts")
                .contains("no incident: node-quiet-07, node-lookalike-12");

        // offline analysis of the same journals runs the same topology: the same incidents, by id
        // (the forecast's warnings come from the memory samples, which offline analysis of journals does not read)
        Set<String> streamed = new TreeSet<>();
        headlines.stream().filter(h -> !h[2].equals("FRAGMENTATION_RISK")).forEach(h -> streamed.add(h[4]));
        assertThat(run("demo", "--write-samples", samples.toString()).exitCode()).isZero();
        List<String> files;
        try (Stream<Path> list = Files.list(samples)) {
            files = list.map(Path::toString).filter(f -> f.endsWith(".json")).sorted().toList();
        }
        List<String> args = new ArrayList<>(List.of("analyze"));
        args.addAll(files);
        CommandRun analyze = run(args.toArray(String[]::new));
        assertThat(analyze.exitCode()).isZero();
        Set<String> offline = new TreeSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : analyze.out().split("\n")) {
            if (line.startsWith("{")) {
                JsonNode node = json.readTree(line);
                if (node.has("incidentId")) {
                    offline.add(node.get("incidentId").asText());
                }
            }
        }
        assertThat(offline).isEqualTo(streamed).hasSize(4);
    }

    private static int firstIndex(List<String[]> headlines, String cause, String host) {
        for (int i = 0; i < headlines.size(); i++) {
            if (headlines.get(i)[2].equals(cause) && headlines.get(i)[3].equals(host)) {
                return i;
            }
        }
        return -1;
    }
}
