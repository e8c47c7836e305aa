package io.nodeincidents.logs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The shapes of saved logs the readers understand, with the names the command line uses for them. */
public enum LogFormat {
    /** Detect the shape from the first non-empty lines of each file. */
    AUTO("auto"),
    /** {@code journalctl -o json}: one JSON object per line. */
    JOURNAL_JSON("journal-json"),
    /** Syslog text: RFC 3164 (with or without host), RFC 5424, RFC 3339-stamped (rsyslog high precision). */
    SYSLOG("syslog"),
    /** {@code dmesg} ({@code [  123.456789] msg}) and {@code dmesg -T} ({@code [Tue Nov 12 15:15:41 2017] msg}). */
    DMESG("dmesg"),
    /** Raw kernel ring buffer: {@code <4>[  123.456] msg} and the /dev/kmsg record form {@code 4,1234,123456789,-;msg}. */
    KMSG("kmsg"),
    /** {@code journalctl -o short-monotonic}: {@code [  123.456789] host kernel: msg}. */
    SHORT_MONOTONIC("short-monotonic"),
    /** Message bodies with no prefix at all. */
    BARE("bare");

    private final String cliName;

    LogFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line ({@code journal-json}, {@code short-monotonic}, ...). */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name (case-insensitive; enum constant names are accepted too). */
    public static LogFormat fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (LogFormat f : values()) {
            if (f.cliName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown log format '" + name + "'; expected one of "
                + Arrays.stream(values()).map(LogFormat::cliName).collect(Collectors.joining("|")));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
