package io.nodeincidents.logs;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * How to read a saved log file.
 *
 * @param format shape of the file, {@link LogFormat#AUTO} to detect it per file
 * @param host   host for lines that do not name one, or null to take the only host named in the file
 * @param year   year for syslog stamps without one, or null for the current year (the previous year when that
 *               would put a line more than a day in the future)
 * @param zone   time zone of stamps that carry no offset
 */
public record ReadOptions(LogFormat format, String host, Integer year, ZoneId zone) {

    public ReadOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(zone, "zone");
        if (host != null && host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (year != null && (year < 1970 || year > 9999)) {
            throw new IllegalArgumentException("year out of range: " + year);
        }
    }

    /** Auto-detected format, host from the file, current year, UTC. */
    public static ReadOptions defaults() {
        return new ReadOptions(LogFormat.AUTO, null, null, ZoneOffset.UTC);
    }

    public ReadOptions withFormat(LogFormat f) {
        return new ReadOptions(f, host, year, zone);
    }

    public ReadOptions withHost(String h) {
        return new ReadOptions(format, h, year, zone);
    }

    public ReadOptions withYear(Integer y) {
        return new ReadOptions(format, host, y, zone);
    }

    public ReadOptions withZone(ZoneId z) {
        return new ReadOptions(format, host, year, z);
    }
}
