package io.nodeincidents.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodeincidents.cli.JournalExportFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Genuine journal files, grown a chunk at a time by the real systemd-journal-remote and read back by the real
 * journalctl: what a node's journald writes, as the shipper follows it.
 */
final class GenuineJournals {

    static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GenuineJournals() {
    }

    /** Appends {@code entries} ({@code journalctl -o json} lines) to {@code journal}; journald assigns the cursors. */
    static void append(Path journal, List<String> entries) throws IOException, InterruptedException {
        Files.createDirectories(journal.getParent());
        Path export = Files.createTempFile(journal.getParent().getParent(), "chunk", ".export");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(export))) {
            for (String line : entries) {
                for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(line).fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (!field.getKey().equals("__CURSOR")) {
                        JournalExportFormat.field(out, field.getKey(), field.getValue().asText());
                    }
                }
                out.write('\n');
            }
        }
        run(List.of(JOURNAL_REMOTE.toString(), "-o", journal.toString(), export.toString()), null);
        Files.delete(export);
    }

    /**
     * The journal's entries matching {@code matches} (journalctl match arguments, as the shipper passes them) as
     * {@code journalctl -o json} prints them, one per line, written to {@code out}.
     */
    static List<JsonNode> export(Path journal, List<String> matches, Path out) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>(List.of("journalctl", "--file=" + journal, "-o", "json", "--all",
                "--no-pager"));
        command.addAll(matches);
        run(command, out);
        List<JsonNode> entries = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            entries.add(JSON.readTree(line));
        }
        return entries;
    }

    private static void run(List<String> command, Path out) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(out == null);
        if (out != null) {
            pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        String printed = out == null ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
        assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as(command + ": " + printed).isTrue();
    }
}
