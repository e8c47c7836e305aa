package io.nodeincidents.logs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tells the shape of a log file from its first non-empty lines (at most {@link #LOOKAHEAD_LINES} lines and
 * {@link #LOOKAHEAD_BYTES} bytes): the shape most of the recognisable lines have. Text with no recognisable prefix is
 * {@link LogFormat#BARE}; binary content is an error.
 */
public final class FormatDetector {

    public static final int LOOKAHEAD_LINES = 50;
    public static final long LOOKAHEAD_BYTES = 4L * 1024 * 1024;

    /**
     * The detected shape, or empty when the file has no non-empty line.
     *
     * @throws LogReadException when the start of the file is not text
     */
    public Optional<LogFormat> detect(Path file) throws IOException {
        Map<LogFormat, Integer> votes = new EnumMap<>(LogFormat.class);
        int nonEmpty = 0;
        int undecodable = 0;
        String firstProblem = null;
        int bracketLines = 0;
        int hostTagged = 0;
        boolean kernelTag = false;
        Set<String> bracketHosts = new HashSet<>();
        try (RawLines lines = new RawLines(file, 256 * 1024)) {
            lines.limitTotalBytes(LOOKAHEAD_BYTES);
            while (nonEmpty < LOOKAHEAD_LINES && lines.next()) {
                if (lines.problem() != null) {
                    nonEmpty++;
                    undecodable++;
                    if (firstProblem == null) {
                        firstProblem = "line " + lines.lineNumber() + ": " + lines.problem();
                    }
                    continue;
                }
                String s = PasteMarks.strip(lines.text());
                if (s.isBlank()) {
                    continue;
                }
                nonEmpty++;
                LogFormat shape = shapeOf(s);
                if (shape == LogFormat.DMESG && Prefixes.monotonicBracket(s, TextLineParser.skipIndent(s),
                        new Prefixes.Stamp()) > 0) {
                    // [ 123.4] starts both dmesg and short-monotonic lines: the latter name a host, then a tag
                    bracketLines++;
                    int end = s.indexOf(']');
                    String rest = Prefixes.rest(s, end + 1);
                    String t1 = Prefixes.token(rest, 0);
                    if (Prefixes.isHostname(t1) && t1.length() < rest.length()) {
                        String t2 = Prefixes.token(rest, t1.length() + 1);
                        if (Prefixes.isTag(t2)) {
                            hostTagged++;
                            bracketHosts.add(t1);
                            kernelTag |= t2.equals("kernel:");
                        }
                    }
                }
                if (shape != null) {
                    votes.merge(shape, 1, Integer::sum);
                }
            }
        }
        if (nonEmpty == 0) {
            return Optional.empty();
        }
        // Garbage among recognisable lines (a crash-corrupted syslog) is left to per-line rejection.
        if (votes.isEmpty() && undecodable > 0) {
            throw new LogReadException(file + " does not look like a text log: " + undecodable + " of the first "
                    + nonEmpty + " lines are binary or not UTF-8 (" + firstProblem + ")");
        }
        if (votes.isEmpty()) {
            return Optional.of(LogFormat.BARE);
        }
        LogFormat best = null;
        int bestVotes = 0;
        for (Map.Entry<LogFormat, Integer> v : votes.entrySet()) {
            if (v.getValue() > bestVotes) {
                best = v.getKey();
                bestVotes = v.getValue();
            }
        }
        if (best == LogFormat.DMESG && bracketLines > 0 && hostTagged == bracketLines && bracketHosts.size() <= 2
                && (bracketLines >= 3 || kernelTag)) {
            best = LogFormat.SHORT_MONOTONIC;
        }
        return Optional.of(best);
    }

    /** The shape whose prefix starts this line, or null. {@code [ 123.4]} lines answer DMESG. */
    static LogFormat shapeOf(String line) {
        int i = TextLineParser.skipIndent(line);
        if (i >= line.length()) {
            return null;
        }
        char c = line.charAt(i);
        Prefixes.Stamp st = new Prefixes.Stamp();
        if (c == '{') {
            return LogFormat.JOURNAL_JSON;
        }
        if (c == '<') {
            int[] pri = new int[1];
            int p = Prefixes.pri(line, i, pri);
            if (p == 0) {
                return null;
            }
            if (Prefixes.monotonicBracket(line, i + p, st) > 0) {
                return LogFormat.KMSG;
            }
            if (line.startsWith("1 ", i + p) || Prefixes.bsdStamp(line, i + p, st) > 0
                    || Prefixes.rfc3339(line, i + p, st) > 0) {
                return LogFormat.SYSLOG;
            }
            return null;
        }
        if (c == '[') {
            if (Prefixes.monotonicBracket(line, i, st) > 0 || Prefixes.ctimeBracket(line, i, st) > 0) {
                return LogFormat.DMESG;
            }
            return null;
        }
        if (Prefixes.bsdStamp(line, i, st) > 0 || Prefixes.rfc3339(line, i, st) > 0) {
            return LogFormat.SYSLOG;
        }
        if (Prefixes.isDigit(c) && i == 0 && isKmsgRecord(line)) {
            return LogFormat.KMSG;
        }
        return null;
    }

    private static boolean isKmsgRecord(String line) {
        int semi = line.indexOf(';');
        if (semi < 5 || semi > 256) {
            return false;
        }
        int commas = 0;
        for (int k = 0; k < semi; k++) {
            char ch = line.charAt(k);
            if (ch == ',') {
                commas++;
            } else if (commas < 3 && !Prefixes.isDigit(ch)) {
                return false;
            }
        }
        return commas >= 3;
    }
}
