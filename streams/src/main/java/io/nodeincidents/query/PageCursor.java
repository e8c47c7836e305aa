package io.nodeincidents.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.Objects;

/**
 * A position in the incident list, which runs newest first: by last evidence ({@code lastSeenMicros}) descending,
 * then by incidentId descending so equal times keep one order on every instance. The next page starts strictly
 * after the cursor (keyset paging): pages neither repeat nor skip incidents when new ones arrive meanwhile (those
 * come at the top). An incident whose last evidence moves while someone pages moves with it.
 *
 * <p>Clients get it as an opaque string ({@link #encode()}) and hand it back unchanged.
 *
 * @param lastSeenMicros last evidence of the last incident of the page
 * @param incidentId     its id
 */
public record PageCursor(long lastSeenMicros, String incidentId) {

    private static final int MAX_ENCODED = 400;
    private static final String VERSION = "1:";

    /** Newest first, then by id, descending: the order of the list. */
    static final Comparator<JsonNode> ORDER = Comparator
            .comparingLong((JsonNode incident) -> incident.path("lastSeenMicros").asLong()).reversed()
            .thenComparing(incident -> incident.path("incidentId").asText(), Comparator.reverseOrder());

    public PageCursor {
        Objects.requireNonNull(incidentId, "incidentId");
    }

    /** The cursor after {@code incident} (an incident summary or record as JSON). */
    static PageCursor after(JsonNode incident) {
        return new PageCursor(incident.path("lastSeenMicros").asLong(), incident.path("incidentId").asText());
    }

    /** True when {@code incident} comes after this position in the list. */
    boolean precedes(JsonNode incident) {
        long lastSeen = incident.path("lastSeenMicros").asLong();
        return lastSeen < lastSeenMicros
                || lastSeen == lastSeenMicros && incident.path("incidentId").asText().compareTo(incidentId) < 0;
    }

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + lastSeenMicros + ":" + incidentId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The cursor {@link #encode()} made.
     *
     * @throws QueryException 400 when {@code text} is not one
     */
    public static PageCursor decode(String text) {
        if (text.length() <= MAX_ENCODED) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = plain.indexOf(':', VERSION.length());
                if (plain.startsWith(VERSION) && colon > VERSION.length() && colon < plain.length() - 1) {
                    return new PageCursor(Long.parseLong(plain.substring(VERSION.length(), colon)),
                            plain.substring(colon + 1));
                }
            } catch (IllegalArgumentException malformed) {
                // NumberFormatException included; reported below
            }
        }
        throw QueryException.badRequest("cursor: not a cursor this API gave out (pass nextCursor back unchanged)");
    }
}
