package io.nodeincidents.ingest.cli;

import io.nodeincidents.logs.LogFormat;
import io.nodeincidents.logs.LogReadException;
import io.nodeincidents.logs.ReadOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The files to read, checked: {@code -} is standard input, spooled to a temporary file (deleted at exit) because
     * the reader looks at a file more than once; a directory or a missing file is refused naming it.
     *
     * @throws LogReadException naming the first file that cannot be read
     */
    public static List<Path> inputFiles(List<Path> files, InputStream stdin) throws IOException {
        List<Path> out = new ArrayList<>(files.size());
        Path spooled = null;
        for (Path file : files) {
            if (file.toString().equals("-")) {
                if (spooled == null) {
                    Path dir = Files.createTempDirectory("nodeincidents-stdin");
                    spooled = dir.resolve("stdin");
                    dir.toFile().deleteOnExit();
                    spooled.toFile().deleteOnExit();
                    Files.copy(stdin, spooled);
                }
                out.add(spooled);
            } else if (Files.isDirectory(file)) {
                throw new LogReadException(file + " is a directory; name the log files in it (for example "
                        + file + "/*.log)");
            } else if (!Files.exists(file)) {
                throw new LogReadException(file + ": no such file");
            } else if (!Files.isReadable(file) || !Files.isRegularFile(file)) {
                throw new LogReadException(file + ": not a readable file");
            } else {
                out.add(file);
            }
        }
        return out;
    }

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
