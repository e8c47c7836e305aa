package io.nodeincidents.ingest.testjournal;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a real tool: skipped on a developer's machine without it, failed under {@code CI=true}, where
 * {@code .ci/run} installs every tool and a silent skip would hide a missing install step.
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
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(what + " is missing: .ci/run installs it; under CI=true this test must run");
        }
        Assumptions.abort(what + " needed");
    }
}
