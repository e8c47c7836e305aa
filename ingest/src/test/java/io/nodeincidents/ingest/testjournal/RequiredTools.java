package io.nodeincidents.ingest.testjournal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The journal tools, through testkit's {@link io.nodeincidents.testkit.RequiredTools}: skipped on a developer's
 * machine without them, failed under {@code CI=true}.
 */
public final class RequiredTools {

    private RequiredTools() {
    }

    /** The real journalctl. */
    public static void journalctl() {
        require(Files.isExecutable(Path.of("/usr/bin/journalctl")) || Files.isExecutable(Path.of("/bin/journalctl")),
                "journalctl (Debian package systemd)");
    }

    /** systemd-journal-remote to write genuine journal files, and journalctl to read them. */
    public static void journalFixture() {
        require(JournalFixture.available(), "systemd-journal-remote and journalctl (Debian packages"
                + " systemd-journal-remote, systemd)");
    }

    static void require(boolean present, String what) {
        io.nodeincidents.testkit.RequiredTools.require(present, what);
    }
}
