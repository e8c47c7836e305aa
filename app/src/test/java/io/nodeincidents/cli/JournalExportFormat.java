package io.nodeincidents.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Journal Export Format, as systemd-journal-remote reads it to write genuine journal files for tests. */
public final class JournalExportFormat {

    private JournalExportFormat() {
    }

    /** {@code NAME=value}, or the length-prefixed form for a value with a newline. */
    public static void field(OutputStream out, String name, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write(name.getBytes(StandardCharsets.UTF_8));
        if (value.indexOf('\n') < 0) {
            out.write('=');
            out.write(bytes);
        } else {
            out.write('\n');
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length).array());
            out.write(bytes);
        }
        out.write('\n');
    }
}
