package io.nodeincidents.ingest.ship;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small node as the memory sampler reads it: two NUMA nodes, seed 000's free lists, 4.x zoneinfo layout. */
final class NodeMemoryTrees {

    static final String BUDDYINFO = """
            Node 0, zone      DMA      1      0      0      1      2      1      1      0      1      1      3\s
            Node 0, zone   Normal  40153  12774    302     17      0      0      0      0      0      0      0\s
            Node 1, zone   Normal    108   1708    952   1064    957    690    285    145     12      1      0\s
            """;

    static final String ZONEINFO = """
            Node 0, zone      DMA
              per-node stats
                  nr_inactive_anon 230981
              pages free     3977
                    min      16
                    low      20
                    high     24
                    spanned  4095
                    present  3998
                    managed  3977
                    protection: (0, 2815, 15868, 15868)
            Node 0, zone   Normal
              pages free     77796
                    min      13884
                    low      17355
                    high     20826
                    spanned  3407872
                    present  3407872
                    managed  3341755
                    protection: (0, 0, 0, 0)
              pagesets
                cpu: 0
                          count: 316
                          high:  378
                          batch: 63
            Node 1, zone   Normal
              per-node stats
                  nr_inactive_anon 112423
              pages free     215200
                    min      13884
                    low      17355
                    high     20826
                    spanned  3407872
                    present  3407872
                    managed  3341755
                    protection: (0, 0, 0, 0)
            """;

    private NodeMemoryTrees() {
    }

    /** Writes the tree under {@code root} ({@code proc/} and an empty {@code sys/}) and returns its proc root. */
    static Path write(Path root, String hostname) throws IOException {
        Path proc = Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("sys"));
        Files.writeString(proc.resolve("buddyinfo"), BUDDYINFO);
        Files.writeString(proc.resolve("zoneinfo"), ZONEINFO);
        Files.writeString(proc.resolve("vmstat"), "nr_free_pages 296973\npgfault 1\ncompact_stall 42\n"
                + "compact_fail 40\noom_kill 0\n");
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       16265744 kB\nMemFree:         1187892 kB\n");
        Path kernel = Files.createDirectories(proc.resolve("sys/kernel/random"));
        Files.writeString(kernel.resolveSibling("osrelease"), "3.10.0-514.el7.x86_64\n");
        Files.writeString(kernel.resolveSibling("hostname"), hostname + "\n");
        Files.writeString(kernel.resolve("boot_id"), "3f1a54c2-9a44-4bb8-a8a5-0d3e6c1d2b7e\n");
        return proc;
    }
}
