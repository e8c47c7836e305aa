package io.nodeincidents.ingest.testjournal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Genuine journal files for tests: entries in the Journal Export Format (text fields as {@code NAME=value}, binary
 * ones length-prefixed) written by Debian's {@code systemd-journal-remote}, read back by the real journalctl.
 * Writing to an existing file appends to it, which a running {@code journalctl --follow} sees.
 */
public final class JournalFixture {

    public static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    public static final String BOOT_ID = "0123456789abcdef0123456789abcdef";
    public static final long BASE_MICROS = 1_700_000_000_000_000L;

    private JournalFixture() {
    }

    /** Whether this machine can build journal files (and read them). */
    public static boolean available() {
        return Files.isExecutable(JOURNAL_REMOTE) && Files.isExecutable(Path.of("/usr/bin/journalctl"))
                || Files.isExecutable(JOURNAL_REMOTE) && Files.isExecutable(Path.of("/bin/journalctl"));
    }

    /** One entry in export format. */
    public static final class Entry {
        private final List<byte[]> fields = new ArrayList<>();

        public Entry text(String name, String value) {
            if (value.indexOf('\n') >= 0) {
                return binary(name, value.getBytes(StandardCharsets.UTF_8));
            }
            fields.add((name + "=" + value).getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** A field in the length-prefixed form (any bytes, newlines and invalid UTF-8 included). */
        public Entry binary(String name, byte[] value) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value.length).array());
            out.writeBytes(value);
            fields.add(out.toByteArray());
            return this;
        }

        void writeTo(OutputStream out) throws IOException {
            for (byte[] field : fields) {
                out.write(field);
                out.write('\n');
            }
            out.write('\n');
        }
    }

    /** An entry with the trusted fields journald adds, {@code n} giving its time; a null message adds none. */
    public static Entry entry(long n, String host, String transport, String identifier, String message) {
        Entry entry = new Entry()
                .text("__REALTIME_TIMESTAMP", Long.toString(BASE_MICROS + n * 1000))
                .text("__MONOTONIC_TIMESTAMP", Long.toString(1_000_000 + n * 1000))
                .text("_BOOT_ID", BOOT_ID)
                .text("_HOSTNAME", host)
                .text("_TRANSPORT", transport)
                .text("SYSLOG_IDENTIFIER", identifier)
                .text("PRIORITY", "6")
                .text("_PID", Long.toString(100 + n % 1000));
        return message == null ? entry : entry.text("MESSAGE", message);
    }

    /** A kernel line: journald gives it the kernel's facility. */
    public static Entry kernel(long n, String message) {
        return entry(n, "node-a", "kernel", "kernel", message).text("SYSLOG_FACILITY", "0");
    }

    /**
     * A container's stdout through docker's journald log driver, tagged as the container chose: journald files it
     * under docker.service and dockerd, the driver marks it with the container.
     */
    public static Entry container(long n, String tag, String name, String message) {
        String id = "3f2a9c1d7e5b40c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70819";
        return entry(n, "node-a", "journal", tag, message).text("_SYSTEMD_UNIT", "docker.service")
                .text("_COMM", "dockerd").text("CONTAINER_ID", id.substring(0, 12)).text("CONTAINER_ID_FULL", id)
                .text("CONTAINER_NAME", name).text("CONTAINER_TAG", tag);
    }

    /** A line of a daemon the default filter does not ship. */
    public static Entry other(long n, String message) {
        return entry(n, "node-a", "syslog", "sshd", message).text("_SYSTEMD_UNIT", "ssh.service");
    }

    /** A kubelet line, shipped by the default filter. */
    public static Entry kubelet(long n, String message) {
        return entry(n, "node-a", "stdout", "kubelet", message).text("_SYSTEMD_UNIT", "kubelet.service");
    }

    /** Writes (or appends) entries to {@code journalFile} (its name must end in .journal). */
    public static void write(Path journalFile, List<Entry> entries) throws IOException, InterruptedException {
        if (!journalFile.getFileName().toString().endsWith(".journal")) {
            throw new IllegalArgumentException("journal file names end in .journal: " + journalFile);
        }
        Files.createDirectories(journalFile.getParent());
        Path export = Files.createTempFile("entries", ".export");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(export), 1 << 16)) {
                for (Entry entry : entries) {
                    entry.writeTo(out);
                }
            }
            Process p = new ProcessBuilder(JOURNAL_REMOTE.toString(), "-o", journalFile.toString(), "-")
                    .redirectInput(export.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("systemd-journal-remote failed: " + output);
            }
        } finally {
            Files.deleteIfExists(export);
        }
    }

    /** The JSON lines journalctl prints for {@code journalDir} with extra arguments (e.g. matches). */
    public static List<String> journalctl(Path journalDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("journalctl", "--directory=" + journalDir, "-o", "json",
                "--all", "--no-pager", "--quiet"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        String text = new String(out, StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
