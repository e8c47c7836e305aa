package io.nodeincidents.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a real tool: skipped on a developer's machine without it, failed under {@code CI=true}, where
 * {@code .ci/run} installs every tool and a silent skip would hide a missing install step.
 */
public final class RequiredTools {

    private RequiredTools() {
    }

    /** The real Prometheus Alertmanager binary (Debian package prometheus-alertmanager). */
    public static Path alertmanager() {
        Optional<Path> binary = Stream.of("/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager",
                "/usr/bin/alertmanager").map(Path::of).filter(Files::isExecutable).findFirst();
        require(binary.isPresent(), "prometheus-alertmanager (Debian package prometheus-alertmanager)");
        return binary.orElseThrow();
    }

    /**
     * Debian's chromium and its chromedriver (packages chromium, chromium-driver): Selenium is pointed at them, since
     * Selenium Manager cannot download browsers here. Returns {chromium, chromedriver}.
     */
    public static Path[] chromium() {
        Optional<Path> browser = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of)
                .filter(Files::isExecutable).findFirst();
        Optional<Path> driver = Stream.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver").map(Path::of)
                .filter(Files::isExecutable).findFirst();
        require(browser.isPresent() && driver.isPresent(), "chromium and chromedriver (Debian packages chromium,"
                + " chromium-driver)");
        return new Path[] {browser.orElseThrow(), driver.orElseThrow()};
    }

    /** Skips the test when {@code present} is false, or fails it under {@code CI=true}; {@code what} says what. */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(what + " is missing: .ci/run installs it; under CI=true this test must run");
        }
        Assumptions.abort(what + " needed");
    }
}
