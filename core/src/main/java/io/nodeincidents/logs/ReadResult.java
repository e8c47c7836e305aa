package io.nodeincidents.logs;

/**
 * What reading one file produced.
 *
 * @param file        the file
 * @param format      the shape it was read as (detected when {@link LogFormat#AUTO} was asked; null for an empty file)
 * @param lines       physical lines read
 * @param entries     log lines delivered (continuation lines are folded into the entry they continue)
 * @param rejected    lines reported as rejected
 * @param assumedHost the host given to lines that name none because neither the options nor the file named one
 *                    (null when every line had a host, or the options or the file's only host supplied it)
 * @param damage      why the file could not be read to its end (a truncated or corrupt compressed file), or null;
 *                    the lines before the damage were delivered
 */
public record ReadResult(String file, LogFormat format, long lines, long entries, long rejected, String assumedHost,
                         String damage) {

    /** The host lines without one are given when nothing names it. */
    public static final String UNKNOWN_HOST = "unknown";

    /** One line for the user about the host this file's lines were given, or null when there is nothing to say. */
    public String hostNote() {
        return assumedHost == null ? null : file + " names no host for some of its lines; they are read as host '"
                + assumedHost + "' (--host names it)";
    }
}
