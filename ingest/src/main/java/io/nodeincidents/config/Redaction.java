package io.nodeincidents.config;

import java.util.regex.Pattern;

/**
 * Keeps credentials out of what the commands print and log: the password of a URL's user info
 * ({@code http://user:secret@host:8081}, as schema.registry.url allows) and the passwords and secrets of a JAAS
 * configuration (sasl.jaas.config). What stays (user, host, port, login module) is what one needs to tell which
 * endpoint or account an error is about.
 */
public final class Redaction {

    /** What a removed secret reads as. */
    public static final String MASK = "***";

    // scheme://user:password@ : the password ends at the last @ before the host
    private static final Pattern URL_PASSWORD = Pattern.compile(
            "(\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s/?#@:]*):[^\\s/?#]*@");
    // password="..." / clientSecret='...' / password=bare in a JAAS line (PLAIN, SCRAM, OAUTHBEARER), and
    // basic.auth.user.info=user:password in a settings dump
    private static final Pattern JAAS_SECRET = Pattern.compile(
            "(?i)\\b([a-z_.]*(?:password|secret|user\\.info)[a-z_.]*\\s*=\\s*)(\"[^\"]*\"|'[^']*'|[^\\s;\"']+)");

    private Redaction() {
    }

    /** {@code text} with every URL password and JAAS password or secret replaced by {@value #MASK}. */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        String masked = URL_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
        return JAAS_SECRET.matcher(masked).replaceAll(m -> {
            String value = m.group(2);
            char quote = value.charAt(0);
            String replacement = quote == '"' || quote == '\'' ? quote + MASK + quote : MASK;
            return java.util.regex.Matcher.quoteReplacement(m.group(1) + replacement);
        });
    }
}
