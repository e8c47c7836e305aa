package io.nodeincidents.logs;

/**
 * What reading one file produced.
 *
 * @param file     the file
 * @param format   the shape it was read as (detected when {@link LogFormat#AUTO} was asked; null for an empty file)
 * @param lines    physical lines read
 * @param entries  log lines delivered (continuation lines are folded into the entry they continue)
 * @param rejected lines reported as rejected
 */
public record ReadResult(String file, LogFormat format, long lines, long entries, long rejected) {
}
