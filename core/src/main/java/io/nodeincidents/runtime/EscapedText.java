package io.nodeincidents.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Go runtimes quote errors inside errors inside log fields, so a dockerd or kubelet line carries the same text escaped
 * several levels deep ({@code \\\\\\\"exit status 6\\\\\\\"}). These helpers peel that off in linear time per level
 * with a bound on the number of levels.
 */
final class EscapedText {

    /** Deeper nesting than this is left partly escaped rather than costing more time. */
    static final int MAX_LEVELS = 12;
    /** Logfmt fields read from one line at most. */
    static final int MAX_FIELDS = 64;

    private EscapedText() {
    }

    /** One level of Go string unescaping: {@code \\ \" \n \t \r}; other backslashes are kept. */
    static String unescapeOnce(String s) {
        int i = s.indexOf('\\');
        if (i < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                switch (n) {
                    case '\\', '"' -> sb.append(n);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    default -> {
                        sb.append(c).append(n);
                    }
                }
                i++;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Unescapes level after level until nothing changes or {@link #MAX_LEVELS} is reached. */
    static String unescapeFully(String s) {
        String cur = s;
        for (int level = 0; level < MAX_LEVELS; level++) {
            String next = unescapeOnce(cur);
            if (next.equals(cur)) {
                break;
            }
            cur = next;
        }
        return cur;
    }

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * A line's fields: a JSON object's top-level scalars (kubelet's and containerd's JSON log formats), else
     * {@link #logfmt}.
     */
    static Map<String, String> fields(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        if (i < s.length() && s.charAt(i) == '{') {
            Map<String, String> json = jsonFields(s.substring(i));
            if (json != null) {
                return json;
            }
        }
        return logfmt(s, from);
    }

    /** The top-level scalar fields of a JSON object (nested values skipped), or null when it is not one. */
    private static Map<String, String> jsonFields(String s) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(s)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else if (v != null && v != JsonToken.VALUE_NULL && fields.size() < MAX_FIELDS) {
                    fields.put(name, p.getText());
                }
            }
            return fields;
        } catch (IOException e) {
            return fields.isEmpty() ? null : fields; // a line cut inside the object keeps what came before
        }
    }

    /**
     * Reads logfmt fields ({@code key=value key="quoted \"value\""}) from {@code from}. A leading quoted string (as
     * structured klog prints its message) is stored under the key {@code ""}. Quoted values are unescaped one level.
     * Linear, tolerant: text that is not a field is skipped.
     */
    static Map<String, String> logfmt(String s, int from) {
        Map<String, String> fields = new LinkedHashMap<>();
        int i = from;
        int n = s.length();
        while (i < n && fields.size() < MAX_FIELDS) {
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (s.charAt(i) == '"') {
                int end = closingQuote(s, i);
                if (!fields.containsKey("")) {
                    fields.put("", unescapeOnce(s.substring(i + 1, Math.min(end, n))));
                }
                i = end + 1;
                continue;
            }
            int k = i;
            while (k < n && isKeyChar(s.charAt(k))) {
                k++;
            }
            if (k > i && k < n && s.charAt(k) == '=') {
                String key = s.substring(i, k);
                int v = k + 1;
                if (v < n && s.charAt(v) == '"') {
                    int end = closingQuote(s, v);
                    fields.putIfAbsent(key, unescapeOnce(s.substring(v + 1, Math.min(end, n))));
                    i = end + 1;
                } else {
                    int end = s.indexOf(' ', v);
                    end = end < 0 ? n : end;
                    fields.putIfAbsent(key, s.substring(v, end));
                    i = end;
                }
            } else {
                int end = s.indexOf(' ', Math.max(k, i + 1));
                i = end < 0 ? n : end;
            }
        }
        return fields;
    }

    /** Index of the quote closing the one at {@code open} (backslash escapes skipped), or the length if none. */
    static int closingQuote(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return s.length();
    }

    private static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                || c == '-';
    }
}
