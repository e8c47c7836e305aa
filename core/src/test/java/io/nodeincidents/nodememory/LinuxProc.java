package io.nodeincidents.nodememory;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The tests that read this machine's /proc: skipped where there is none (a developer's Mac), failed under
 * {@code CI=true}, which runs on Linux. (testkit's RequiredTools does this for the other tools; core cannot use it.)
 */
final class LinuxProc {

    private LinuxProc() {
    }

    /** The file, after checking it can be read. */
    static Path require(String name) {
        Path file = Path.of("/proc").resolve(name);
        if (!Files.isReadable(file)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(file + " is not readable: CI runs on Linux, where this test must run");
            }
            Assumptions.abort("needs a Linux " + file);
        }
        return file;
    }
}
