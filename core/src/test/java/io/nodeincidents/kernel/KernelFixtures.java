package io.nodeincidents.kernel;

import io.nodeincidents.logs.LineRef;
import io.nodeincidents.logs.LogLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds LogLines from the fixtures under src/test/resources/kernel the way the readers would: a syslog line
 * "MMM dd HH:mm:ss [host] ident[pid]: message" gives host, identifier and wall-clock time (year 2020, UTC); rsyslog's
 * "#012" becomes '\n'; an indented line continues the previous message (a multi-line printk record); a line
 * without a syslog prefix is a bare kernel message (dmesg-like, no time). Lines starting with "##" are comments.
 */
final class KernelFixtures {

    private static final Pattern SYSLOG = Pattern.compile(
            "^([A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2}) (?:([^\\s:]+) )?([A-Za-z0-9_.-]+)(?:\\[(\\d+)\\])?: ?(.*)$");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy MMM d HH:mm:ss", Locale.ENGLISH);

    private KernelFixtures() {
    }

    static List<LogLine> load(String name, String defaultHost) {
        String resource = "/kernel/" + name;
        List<LogLine> out = new ArrayList<>();
        try (InputStream in = KernelFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String raw = lines[i];
                if (raw.isBlank() || raw.startsWith("##")) {
                    continue;
                }
                if (Character.isWhitespace(raw.charAt(0)) && !out.isEmpty() && out.get(out.size() - 1).realtimeMicros() != null) {
                    LogLine prev = out.remove(out.size() - 1);
                    out.add(withMessage(prev, prev.message() + "\n" + raw.strip()));
                    continue;
                }
                LineRef ref = LineRef.fileLine(name, i + 1);
                Matcher m = SYSLOG.matcher(raw);
                if (m.matches()) {
                    String stamp = m.group(1).replaceAll(" +", " ");
                    long micros = LocalDateTime.parse("2020 " + stamp, STAMP).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
                    String host = m.group(2) != null ? m.group(2) : defaultHost;
                    String ident = m.group(3);
                    Integer pid = m.group(4) == null ? null : Integer.valueOf(m.group(4));
                    String message = m.group(5).replace("#012", "\n");
                    out.add(new LogLine(host, "boot-1", micros, null, ident.equals("kernel") ? "kernel" : "syslog",
                            ident, null, pid, null, message, ref));
                } else {
                    out.add(new LogLine(defaultHost, null, null, null, "kernel", "kernel", null, null, null, raw, ref));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<KernelReport> assemble(String name, String defaultHost) {
        return new KernelReportAssembler().assembleAll(load(name, defaultHost));
    }

    static LogLine withMessage(LogLine l, String message) {
        return new LogLine(l.host(), l.bootId(), l.realtimeMicros(), l.monotonicMicros(), l.transport(),
                l.identifier(), l.unit(), l.pid(), l.priority(), message, l.ref());
    }

    /** A kernel line as journald would deliver it, with times in µs. */
    static LogLine kernel(String host, String boot, long realtimeMicros, String message, long lineNo) {
        return new LogLine(host, boot, realtimeMicros, null, "kernel", "kernel", null, null, 4, message,
                LineRef.fileLine("test", lineNo));
    }
}
