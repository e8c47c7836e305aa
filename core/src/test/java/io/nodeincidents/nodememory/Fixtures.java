package io.nodeincidents.nodememory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kernel files under src/test/resources/nodememory (their sources: README.md there). */
final class Fixtures {

    private Fixtures() {
    }

    /** A fixture directory or file. */
    static Path path(String name) {
        URL url = Fixtures.class.getResource("/nodememory/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String name) {
        try {
            return Files.readString(path(name), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A node's tree as the sampler reads it, with 4 kB pages. */
    static NodeMemorySampler node(String name) {
        return node(name, 4);
    }

    static NodeMemorySampler node(String name, int pageSizeKb) {
        Path root = path(name);
        return new NodeMemorySampler(root.resolve("proc"), root.resolve("sys"), pageSizeKb);
    }
}
