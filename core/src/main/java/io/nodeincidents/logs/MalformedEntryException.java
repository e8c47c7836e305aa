package io.nodeincidents.logs;

import java.io.IOException;

/** One line or entry that is not what its format promises; the reader turns it into a {@link RejectedLine}. */
public class MalformedEntryException extends IOException {

    public MalformedEntryException(String message) {
        super(message);
    }
}
