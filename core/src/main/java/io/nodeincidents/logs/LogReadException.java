package io.nodeincidents.logs;

import java.io.IOException;

/** A whole file cannot be read as asked: unknown shape, binary content, no way to tell the host. */
public class LogReadException extends IOException {

    public LogReadException(String message) {
        super(message);
    }
}
