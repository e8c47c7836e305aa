package io.nodeincidents.ingest.cursor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The shipper's saved journal position. Written only after Kafka acknowledged every entry up to it, and written
 * atomically (temp file, fsync, rename, fsync of the directory), so after a crash the file holds either the old
 * cursor or the new one, never a torn mix: a restart then repeats at most the unacknowledged window and loses
 * nothing.
 */
public final class CursorStore {

    /** journald cursors are short ("s=..;i=..;b=..;m=..;t=..;x=.."); anything far longer is not a cursor. */
    static final int MAX_CURSOR_LENGTH = 1024;

    private final Path file;
    private final Path temp;

    public CursorStore(Path file) {
        this.file = file.toAbsolutePath();
        this.temp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
    }

    public Path file() {
        return file;
    }

    /**
     * The saved cursor, or empty on first start.
     *
     * @throws CorruptCursorException when the file exists but does not hold a journald cursor; the caller decides
     *                                whether to start over, never silently
     */
    public Optional<String> load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (!looksLikeCursor(text)) {
            throw new CorruptCursorException(file, text.length() > 80 ? text.substring(0, 80) + "..." : text);
        }
        return Optional.of(text);
    }

    /** Saves {@code cursor} durably and atomically. */
    public void save(String cursor) throws IOException {
        if (!looksLikeCursor(cursor)) {
            throw new IllegalArgumentException("not a journald cursor: " + cursor);
        }
        Files.createDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer data = ByteBuffer.wrap((cursor + "\n").getBytes(StandardCharsets.UTF_8));
            while (data.hasRemaining()) {
                channel.write(data);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cursor directory " + file.getParent()
                    + " does not support atomic rename; put the cursor on a local filesystem", e);
        }
        syncDirectory(file.getParent());
    }

    /** A journald cursor: semicolon-separated key=value parts, printable ASCII. */
    static boolean looksLikeCursor(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_CURSOR_LENGTH || !text.contains("=")) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static void syncDirectory(Path dir) {
        // makes the rename itself durable; some filesystems refuse to open a directory for sync, which is harmless
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the file content was already forced
        }
    }

    /** The cursor file exists but holds something else. */
    public static final class CorruptCursorException extends IOException {
        public CorruptCursorException(Path file, String content) {
            super("cursor file " + file + " does not hold a journald cursor (found '" + content
                    + "'); move it away to start from --since, or fix it");
        }
    }
}
