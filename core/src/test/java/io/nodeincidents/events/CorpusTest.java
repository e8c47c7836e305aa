package io.nodeincidents.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.logs.ReadOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Scores the decoders on the public corpus of real excerpts ({@code corpus/} at the repository root): each file is read
 * as {@code analyze --events FILE} reads it (shape detected, no host given) and its events are compared with the
 * answer key beside it. Kernel events must be found (recall), runtime failures found with the right facts and without
 * false ones (accuracy), negatives must give nothing, and no file may make anything throw.
 */
class CorpusTest {

    static final double KERNEL_RECALL = 0.98;
    static final double RUNTIME_ACCURACY = 0.95;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One sidecar's expectations against what the reader found in its file. */
    record Scored(Path file, boolean negative, int kernelExpected, int kernelFound, int runtimeExpected,
                  int runtimeFound, int spuriousKernel, int spuriousRuntime, List<String> misses) {
    }

    static Path corpusRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("corpus")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir.resolve("corpus");
            }
        }
        throw new IllegalStateException("no corpus/ directory above " + Path.of("").toAbsolutePath());
    }

    static List<Path> excerpts() throws IOException {
        try (Stream<Path> files = Files.walk(corpusRoot())) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
    }

    @Test
    void everyExcerptHasASidecarWithItsSource() throws IOException {
        List<Path> files = excerpts();
        assertThat(files).hasSizeGreaterThanOrEqualTo(150);
        for (Path file : files) {
            JsonNode key = sidecar(file);
            assertThat(key.path("url").asText()).as("url of %s", file).startsWith("https://");
            boolean negative = key.path("negative").asBoolean(false);
            assertThat(key.path("events").size() == 0).as("negative iff no events: %s", file).isEqualTo(negative);
            for (JsonNode e : key.path("events")) {
                assertThat(e.path("source").asText()).as("event source in %s", file).isIn("kernel", "runtime");
                assertThat(e.path("kind").asText()).as("event kind in %s", file).isIn("ALLOC_FAILURE", "OOM_KILL",
                        "SLAB_FAILURE", "SANDBOX_FAILURE", "CONTAINER_START_FAILURE", "CONTAINER_OOM_KILLED");
            }
        }
    }

    @Test
    void decodersReadTheLogsPeopleHave() throws IOException {
        List<Scored> scores = new ArrayList<>();
        List<String> crashes = new ArrayList<>();
        for (Path file : excerpts()) {
            try {
                scores.add(score(file));
            } catch (RuntimeException | IOException e) {
                crashes.add(corpusRoot().relativize(file) + ": " + e);
            }
        }
        int kernelExpected = 0;
        int kernelFound = 0;
        int runtimeExpected = 0;
        int runtimeFound = 0;
        int spuriousRuntime = 0;
        int spuriousKernel = 0;
        int negatives = 0;
        int cleanNegatives = 0;
        StringBuilder report = new StringBuilder();
        for (Scored s : scores) {
            kernelExpected += s.kernelExpected();
            kernelFound += s.kernelFound();
            runtimeExpected += s.runtimeExpected();
            runtimeFound += s.runtimeFound();
            if (s.negative()) {
                negatives++;
                if (s.spuriousKernel() + s.spuriousRuntime() == 0) {
                    cleanNegatives++;
                }
            } else {
                spuriousRuntime += s.spuriousRuntime();
                spuriousKernel += s.spuriousKernel();
            }
            for (String miss : s.misses()) {
                report.append("  ").append(corpusRoot().relativize(s.file())).append(": ").append(miss).append('\n');
            }
        }
        double kernelRecall = kernelExpected == 0 ? 1 : (double) kernelFound / kernelExpected;
        double runtimeAccuracy = runtimeExpected + spuriousRuntime == 0 ? 1
                : (double) runtimeFound / (runtimeExpected + spuriousRuntime);
        double negativeScore = negatives == 0 ? 1 : (double) cleanNegatives / negatives;
        System.out.printf("corpus: %d files; kernel-event recall %.3f (%d/%d, %d unexpected); runtime-failure accuracy"
                        + " %.3f (%d/%d found, %d false); negatives %.3f (%d/%d clean)%n%s",
                scores.size() + crashes.size(), kernelRecall, kernelFound, kernelExpected, spuriousKernel,
                runtimeAccuracy, runtimeFound, runtimeExpected, spuriousRuntime, negativeScore, cleanNegatives,
                negatives, report);
        assertThat(crashes).as("files that made the reader or a decoder throw").isEmpty();
        assertThat(kernelRecall).as("kernel-event recall; misses:%n%s", report).isGreaterThanOrEqualTo(KERNEL_RECALL);
        assertThat(runtimeAccuracy).as("runtime-failure accuracy; misses:%n%s", report)
                .isGreaterThanOrEqualTo(RUNTIME_ACCURACY);
        assertThat(negativeScore).as("negatives without events; misses:%n%s", report).isEqualTo(1.0);
    }

    static JsonNode sidecar(Path log) throws IOException {
        String name = log.getFileName().toString();
        Path json = log.resolveSibling(name.substring(0, name.length() - ".log".length()) + ".json");
        return JSON.readTree(json.toFile());
    }

    /** Reads one excerpt the way {@code analyze --events} does and matches its events to the answer key. */
    static Scored score(Path file) throws IOException {
        JsonNode key = sidecar(file);
        List<Map<String, Object>> actual = new ArrayList<>();
        new OfflineAnalysis().run(List.of(file), ReadOptions.defaults(), e -> actual.add(EventJson.fields(e)),
                r -> { });
        boolean[] used = new boolean[actual.size()];
        List<String> misses = new ArrayList<>();
        int kernelExpected = 0;
        int kernelFound = 0;
        int runtimeExpected = 0;
        int runtimeFound = 0;
        List<JsonNode> expected = new ArrayList<>();
        key.path("events").forEach(expected::add);
        for (JsonNode e : expected) {
            boolean kernel = "kernel".equals(e.path("source").asText());
            if (kernel) {
                kernelExpected++;
            } else {
                runtimeExpected++;
            }
            int match = -1;
            for (int i = 0; i < actual.size() && match < 0; i++) {
                if (!used[i] && matches(e, actual.get(i))) {
                    match = i;
                }
            }
            if (match >= 0) {
                used[match] = true;
                if (kernel) {
                    kernelFound++;
                } else {
                    runtimeFound++;
                }
            } else {
                misses.add("missed " + e + nearest(e, actual));
            }
        }
        int spuriousKernel = 0;
        int spuriousRuntime = 0;
        for (int i = 0; i < actual.size(); i++) {
            if (used[i]) {
                continue;
            }
            Map<String, Object> a = actual.get(i);
            boolean repeat = expected.stream().anyMatch(e -> matches(e, a));
            if (repeat) {
                continue; // the same event reported twice: not a false alarm
            }
            if ("kernel".equals(a.get("source"))) {
                spuriousKernel++;
            } else {
                spuriousRuntime++;
            }
            misses.add("unexpected " + brief(a));
        }
        return new Scored(file, key.path("negative").asBoolean(false), kernelExpected, kernelFound, runtimeExpected,
                runtimeFound, spuriousKernel, spuriousRuntime, misses);
    }

    /** True when every fact the key states holds for the event. */
    static boolean matches(JsonNode expected, Map<String, Object> actual) {
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> fact = it.next();
            if (!actual.containsKey(fact.getKey())) {
                return false;
            }
            Object value = actual.get(fact.getKey());
            JsonNode want = fact.getValue();
            if (want.isNull()) {
                if (value != null) {
                    return false;
                }
            } else if (want.isNumber()) {
                if (!(value instanceof Number n) || n.longValue() != want.asLong()) {
                    return false;
                }
            } else if (want.isBoolean()) {
                if (!(value instanceof Boolean b) || b != want.asBoolean()) {
                    return false;
                }
            } else if (value == null || !want.asText().equals(value.toString())) {
                return false;
            }
        }
        return true;
    }

    private static String nearest(JsonNode expected, List<Map<String, Object>> actual) {
        for (Map<String, Object> a : actual) {
            if (expected.path("kind").asText().equals(a.get("kind"))) {
                return "; read as " + brief(a);
            }
        }
        return actual.isEmpty() ? "; nothing read" : "";
    }

    private static String brief(Map<String, Object> a) {
        StringBuilder sb = new StringBuilder(String.valueOf(a.get("kind")));
        for (String k : List.of("order", "comm", "pid", "constraint", "victimPid", "victimComm", "cache",
                "memoryRelated", "pod", "namespace", "errorText")) {
            if (a.get(k) != null) {
                String v = String.valueOf(a.get(k));
                sb.append(' ').append(k).append('=').append(v.length() > 80 ? v.substring(0, 80) + "..." : v);
            }
        }
        return sb.toString();
    }
}
