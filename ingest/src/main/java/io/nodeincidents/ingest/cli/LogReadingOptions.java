package io.nodeincidents.ingest.cli;

import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.ReadOptions;
import java.time.ZoneId;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How to read saved log files: the options {@code replay} and {@code analyze} share, declared once. */
public final class LogReadingOptions {

    @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT", converter = LogFormatConverter.class,
            description = "auto, journal-json, syslog, dmesg, kmsg, short-monotonic or bare (default: ${DEFAULT-VALUE}).")
    LogFormat format;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Host for lines that name none (default: the only host named in the file).")
    String host;

    @Option(names = "--year", paramLabel = "YEAR",
            description = "Year for syslog stamps without one (default: this year, or last year for future dates).")
    Integer year;

    @Option(names = "--zone", defaultValue = "UTC", paramLabel = "ZONE",
            description = "Time zone of stamps without one, e.g. Asia/Shanghai or +08:00 (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    /** The reader options these flags describe. */
    public ReadOptions readOptions() {
        return new ReadOptions(format, host, year, zone);
    }

    /** {@code --format} values by their CLI names. */
    public static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            try {
                return LogFormat.fromCliName(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("unknown format '" + value
                        + "': use auto, journal-json, syslog, dmesg, kmsg, short-monotonic or bare");
            }
        }
    }
}
