package io.nodeincidents.nodememory;

import io.nodeincidents.schemas.MigrateTypeFreeBlocks;
import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneOrderIndex;
import io.nodeincidents.schemas.ZoneState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads one {@link NodeMemorySample} of a node from its kernel files: the buddy allocator's free lists
 * ({@code buddyinfo}), each zone's free pages and watermarks ({@code zoneinfo}), the free lists by migrate type
 * ({@code pagetypeinfo}), the compaction and reclaim counters ({@code vmstat}), {@code meminfo}, and debugfs'
 * {@code extfrag_index} and {@code unusable_index}. A file that is missing, unreadable or malformed goes into the
 * sample's {@code unreadable} as "path: reason" and the sample is made of the rest; reading never throws. Files are
 * read whole but bounded, and nothing is cached between samples.
 */
public final class NodeMemorySampler {

    public static final Path DEFAULT_PROC_ROOT = Path.of("/proc");
    public static final Path DEFAULT_SYS_ROOT = Path.of("/sys");
    /** buddyinfo and the others are a few kB; a file this large is not theirs. */
    static final int MAX_FILE_BYTES = 1 << 20;
    /** zoneinfo lists every CPU's pageset per zone: several MB on a machine with a thousand CPUs. */
    static final int MAX_ZONEINFO_BYTES = 8 << 20;

    private final Path procRoot;
    private final Path sysRoot;
    private final int pageSizeKb;

    /**
     * @param procRoot   where /proc is (a container may mount the host's elsewhere)
     * @param sysRoot    where /sys is (debugfs under kernel/debug)
     * @param pageSizeKb the node's page size in kB: a block of order k is 2^k pages
     */
    public NodeMemorySampler(Path procRoot, Path sysRoot, int pageSizeKb) {
        if (pageSizeKb < 1 || Integer.bitCount(pageSizeKb) != 1) {
            throw new IllegalArgumentException("page size must be a power of two of kB, was " + pageSizeKb);
        }
        this.procRoot = procRoot;
        this.sysRoot = sysRoot;
        this.pageSizeKb = pageSizeKb;
    }

    /** The machine's /proc and /sys with 4 kB pages. */
    public static NodeMemorySampler defaults() {
        return new NodeMemorySampler(DEFAULT_PROC_ROOT, DEFAULT_SYS_ROOT, 4);
    }

    /** Reads every source now; the sample carries {@code host} and {@code sampledAtMicros} as given. */
    public NodeMemorySample read(String host, long sampledAtMicros) {
        List<String> unreadable = new ArrayList<>();
        List<ZoneState> buddy = source(procRoot.resolve("buddyinfo"), MAX_FILE_BYTES, BuddyInfoFile::parse,
                List.of(), unreadable);
        List<ZoneInfoFile.Zone> watermarks = source(procRoot.resolve("zoneinfo"), MAX_ZONEINFO_BYTES,
                ZoneInfoFile::parse, List.of(), unreadable);
        List<MigrateTypeFreeBlocks> byType = source(procRoot.resolve("pagetypeinfo"), MAX_FILE_BYTES,
                PageTypeInfoFile::parse, List.of(), unreadable);
        Path extfrag = sysRoot.resolve("kernel/debug/extfrag");
        List<ZoneOrderIndex> fragmentation = source(extfrag.resolve("extfrag_index"), MAX_FILE_BYTES,
                ExtfragIndexFile::parse, List.of(), unreadable);
        List<ZoneOrderIndex> unusable = source(extfrag.resolve("unusable_index"), MAX_FILE_BYTES,
                ExtfragIndexFile::parse, List.of(), unreadable);
        Map<String, Long> vmstat = source(procRoot.resolve("vmstat"), MAX_FILE_BYTES, VmStatFile::parse, Map.of(),
                unreadable);
        Map<String, Long> meminfo = source(procRoot.resolve("meminfo"), MAX_FILE_BYTES, MemInfoFile::parse,
                Map.of(), unreadable);
        String kernel = oneLine(procRoot.resolve("sys/kernel/osrelease"), NodeMemorySampler::isRelease, unreadable);
        String bootId = oneLine(procRoot.resolve("sys/kernel/random/boot_id"), NodeMemorySampler::isBootId,
                unreadable);
        return NodeMemorySample.newBuilder()
                .setHost(host)
                .setSampledAtMicros(sampledAtMicros)
                .setBootId(bootId)
                .setKernelVersion(kernel)
                .setPageSizeKb(pageSizeKb)
                .setZones(zones(buddy, watermarks, unreadable))
                .setFreeBlocksByMigrateType(byType)
                .setFragmentationIndex(fragmentation)
                .setUnusableIndex(unusable)
                .setVmstat(vmstat)
                .setMeminfoKb(meminfo)
                .setUnreadable(unreadable)
                .build();
    }

    /** The kernel's host name ({@code <proc root>/sys/kernel/hostname}), what journald records as _HOSTNAME. */
    public Optional<String> hostname() {
        List<String> ignored = new ArrayList<>();
        return Optional.ofNullable(oneLine(procRoot.resolve("sys/kernel/hostname"), NodeMemorySampler::isHostname,
                ignored));
    }

    /**
     * The zones of buddyinfo (its order, its free lists), each with the free pages and watermarks zoneinfo has for
     * the same node and zone, in kB. Without buddyinfo, zoneinfo's populated zones, without free lists.
     */
    private List<ZoneState> zones(List<ZoneState> buddy, List<ZoneInfoFile.Zone> watermarks,
                                  List<String> unreadable) {
        Map<String, ZoneInfoFile.Zone> byZone = new HashMap<>();
        for (ZoneInfoFile.Zone zone : watermarks) {
            byZone.putIfAbsent(zone.node() + " " + zone.zone(), zone);
        }
        List<ZoneState> zones = new ArrayList<>();
        if (buddy.isEmpty()) {
            for (ZoneInfoFile.Zone zone : watermarks) {
                if (zone.presentPages() == null || zone.presentPages() > 0) {
                    zones.add(withWatermarks(ZoneState.newBuilder().setNode(zone.node()).setZone(zone.zone()), zone)
                            .build());
                }
            }
            return zones;
        }
        for (ZoneState free : buddy) {
            ZoneState.Builder zone = ZoneState.newBuilder(free);
            Long total = BuddyInfoFile.totalKb(free.getFreeBlocks(), pageSizeKb);
            if (total == null) {
                unreadable.add(procRoot.resolve("buddyinfo") + ": Node " + free.getNode() + ", zone "
                        + free.getZone() + ": free blocks too many to add up");
            }
            zone.setBuddyTotalKb(total);
            withWatermarks(zone, byZone.get(free.getNode() + " " + free.getZone()));
            zones.add(zone.build());
        }
        return zones;
    }

    private ZoneState.Builder withWatermarks(ZoneState.Builder zone, ZoneInfoFile.Zone pages) {
        if (pages != null) {
            zone.setFreeKb(kb(pages.freePages())).setMinKb(kb(pages.minPages())).setLowKb(kb(pages.lowPages()))
                    .setHighKb(kb(pages.highPages()));
        }
        return zone;
    }

    private Long kb(Long pages) {
        if (pages == null || pages > Long.MAX_VALUE / pageSizeKb) {
            return null;
        }
        return pages * pageSizeKb;
    }

    /** Reads and parses one file; what it could not read goes to {@code unreadable}. */
    private static <T> T source(Path path, int maxBytes, Function<String, Parsed<T>> parser, T nothing,
                                List<String> unreadable) {
        String text = read(path, maxBytes, unreadable);
        if (text == null) {
            return nothing;
        }
        Parsed<T> parsed = parser.apply(text);
        if (!parsed.clean()) {
            unreadable.add(path + ": malformed: " + String.join("; ", parsed.problems()));
        }
        return parsed.value();
    }

    /** A one-line file's line if {@code valid} accepts it; null (and a note) otherwise. */
    private static String oneLine(Path path, Predicate<String> valid, List<String> unreadable) {
        String text = read(path, 4096, unreadable);
        if (text == null) {
            return null;
        }
        String line = text.strip();
        if (!valid.test(line)) {
            unreadable.add(path + ": malformed: '" + KernelText.excerpt(line) + "'");
            return null;
        }
        return line;
    }

    /**
     * The file's text, at most {@code maxBytes} of it (cut at the last whole line, with a note); null when it cannot
     * be read, with the reason in {@code unreadable}.
     */
    static String read(Path path, int maxBytes, List<String> unreadable) {
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                unreadable.add(path + ": a directory, not a file");
                return null;
            }
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(maxBytes + 1);
            }
        } catch (NoSuchFileException e) {
            unreadable.add(path + ": missing");
            return null;
        } catch (AccessDeniedException e) {
            unreadable.add(path + ": permission denied");
            return null;
        } catch (IOException | RuntimeException e) {
            unreadable.add(path + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return null;
        }
        if (bytes.length <= maxBytes) {
            // the kernel's files are ASCII; one byte per char, so no input can fail to decode
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        int end = maxBytes;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        unreadable.add(path + ": larger than " + maxBytes + " bytes; only the lines before that were read");
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static boolean isRelease(String s) {
        return !s.isEmpty() && s.length() <= 128 && printableWithoutSpace(s);
    }

    private static boolean isHostname(String s) {
        return !s.isEmpty() && s.length() <= 253 && printableWithoutSpace(s);
    }

    private static boolean isBootId(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean printableWithoutSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
