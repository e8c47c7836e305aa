package io.nodeincidents.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** The time parameters of the API ({@code since}, {@code until}): ISO-8601 instants, or epoch milliseconds. */
final class QueryTimes {

    private static final int MAX_LENGTH = 40;
    private static final long MAX_EPOCH_SECONDS = Long.MAX_VALUE / 1_000_000L - 1;

    private QueryTimes() {
    }

    /**
     * {@code 2017-11-12T07:15:41Z}, {@code 2017-11-12T15:15:41+08:00} or {@code 1510470941000}.
     *
     * @throws QueryException 400, naming the parameter, for anything else
     */
    static Instant parse(String name, String text) {
        String value = text.strip();
        if (!value.isEmpty() && value.length() <= MAX_LENGTH) {
            Instant time = null;
            if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                time = value.length() <= 15 ? Instant.ofEpochMilli(Long.parseLong(value)) : null;
            } else {
                try {
                    time = Instant.parse(value);
                } catch (DateTimeParseException notInstant) {
                    try {
                        time = OffsetDateTime.parse(value).toInstant();
                    } catch (DateTimeParseException notOffset) {
                        // reported below
                    }
                }
            }
            // microseconds since the epoch must fit a long, as in the records
            if (time != null && Math.abs(time.getEpochSecond()) < MAX_EPOCH_SECONDS) {
                return time;
            }
        }
        throw QueryException.badRequest(name + ": not a time: '" + shorten(value)
                + "' (expected an ISO-8601 time such as 2017-11-12T07:15:41Z, or epoch milliseconds)");
    }

    static long micros(Instant time) {
        return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000L), time.getNano() / 1000L);
    }

    static String shorten(String value) {
        return value.length() <= MAX_LENGTH ? value : value.substring(0, MAX_LENGTH) + "...";
    }
}
