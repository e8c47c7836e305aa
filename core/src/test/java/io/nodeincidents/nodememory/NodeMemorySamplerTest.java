package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.NodeMemorySample;
import io.nodeincidents.schemas.ZoneState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeMemorySamplerTest {

    @TempDir
    Path dir;

    private static ZoneState zone(NodeMemorySample sample, int node, String name) {
        return sample.getZones().stream().filter(z -> z.getNode() == node && z.getZone().equals(name)).findFirst()
                .orElseThrow();
    }

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.ISO_8859_1);
        return file;
    }

    @Test
    void seed000FailingNodeZonesWithFreeListsAndWatermarksInKb() {
        NodeMemorySample sample = Fixtures.node("seed-000-failing").read("slave-138", 1_510_470_941_000_000L);

        assertThat(sample.getHost()).isEqualTo("slave-138");
        assertThat(sample.getSampledAtMicros()).isEqualTo(1_510_470_941_000_000L);
        assertThat(sample.getKernelVersion()).isEqualTo("3.10.0-514.el7.x86_64");
        assertThat(sample.getPageSizeKb()).isEqualTo(4);
        assertThat(sample.getZones()).extracting(ZoneState::getZone).containsExactly("DMA", "DMA32", "Normal");
        ZoneState normal = zone(sample, 0, "Normal");
        // as the seed's allocation-failure report printed the zone: free:311184kB min:55536kB low:69420kB high:83304kB
        assertThat(List.of(normal.getFreeKb(), normal.getMinKb(), normal.getLowKb(), normal.getHighKb()))
                .containsExactly(311184L, 55536L, 69420L, 83304L);
        assertThat(normal.getFreeBlocks()).startsWith(40153L, 12774L, 302L, 17L, 0L);
        assertThat(normal.getLargestFreeOrder()).isEqualTo(3);
        assertThat(normal.getBuddyTotalKb()).isEqualTo(4L * (40153 + 12774 * 2 + 302 * 4 + 17 * 8));
        assertThat(zone(sample, 0, "DMA").getBuddyTotalKb()).isEqualTo(15908L);
        assertThat(sample.getFragmentationIndex()).hasSize(3);
        assertThat(sample.getFragmentationIndex().get(1).getPerOrder().get(6)).isEqualTo(0.970);
        assertThat(sample.getUnusableIndex().get(2).getPerOrder().get(6)).isEqualTo(1.0);
    }

    @Test
    void whatTheSeedTreeLacksIsListedAsMissingAndTheRestIsRead() {
        Path proc = Fixtures.path("seed-000-failing/proc");
        NodeMemorySample sample = Fixtures.node("seed-000-failing").read("slave-138", 1L);

        assertThat(sample.getUnreadable()).containsExactly(
                proc.resolve("pagetypeinfo") + ": missing",
                proc.resolve("vmstat") + ": missing",
                proc.resolve("meminfo") + ": missing",
                proc.resolve("sys/kernel/random/boot_id") + ": missing");
        assertThat(sample.getVmstat()).isEmpty();
        assertThat(sample.getMeminfoKb()).isEmpty();
        assertThat(sample.getFreeBlocksByMigrateType()).isEmpty();
        assertThat(sample.getBootId()).isNull();
        assertThat(sample.getZones()).hasSize(3);
    }

    @Test
    void twoNumaNodesWithMovableZonesEverySourceRead() {
        NodeMemorySample sample = Fixtures.node("numa2-movable").read("bare-2", 7L);

        assertThat(sample.getUnreadable()).containsExactly(
                Fixtures.path("numa2-movable").resolve("sys/kernel/debug/extfrag/extfrag_index") + ": missing",
                Fixtures.path("numa2-movable").resolve("sys/kernel/debug/extfrag/unusable_index") + ": missing");
        assertThat(sample.getZones()).extracting(z -> z.getNode() + " " + z.getZone()).containsExactly(
                "0 DMA", "0 DMA32", "0 Normal", "0 Movable", "1 Normal", "1 Movable");
        ZoneState movable = zone(sample, 1, "Movable");
        assertThat(movable.getMinKb()).isEqualTo(4233L * 4);
        assertThat(movable.getHighKb()).isEqualTo(16815L * 4);
        // zoneinfo's free pages and the free lists agree in this tree
        assertThat(sample.getZones()).allSatisfy(z -> assertThat(z.getBuddyTotalKb()).isEqualTo(z.getFreeKb()));
        assertThat(sample.getFreeBlocksByMigrateType()).hasSize(30);
        assertThat(sample.getVmstat()).containsEntry("compact_stall", 15230L).containsEntry("oom_kill", 3L);
        assertThat(sample.getMeminfoKb()).containsEntry("MemTotal", 527943216L).containsEntry("HugePages_Total", 0L);
        assertThat(sample.getKernelVersion()).isEqualTo("6.8.0-45-generic");
        assertThat(sample.getBootId()).isEqualTo("c2b1d0a5-6f3e-4c51-9a0e-2f4c7e91b3d8");
        assertThat(Fixtures.node("numa2-movable").hostname()).contains("bare-2");
    }

    @Test
    void a32BitMachineWithHighMem() {
        NodeMemorySample sample = Fixtures.node("i386-highmem").read("i386", 1L);

        ZoneState highMem = zone(sample, 0, "HighMem");
        assertThat(highMem.getFreeBlocks()).hasSize(11);
        assertThat(highMem.getMinKb()).isEqualTo(128L);
        assertThat(highMem.getLargestFreeOrder()).isEqualTo(7);
    }

    @Test
    void arm64With64kPagesSizesBlocksAndTheSampleInIt() {
        NodeMemorySample sample = Fixtures.node("arm64-64k", 64).read("d05", 1L);

        assertThat(sample.getPageSizeKb()).isEqualTo(64);
        assertThat(sample.getZones()).hasSize(5).allSatisfy(z -> {
            assertThat(z.getFreeBlocks()).hasSize(14);
            assertThat(z.getMinKb()).isNull();
        });
        // node 1: 252 free blocks of 2^13 pages of 64 kB, and the small ones
        assertThat(zone(sample, 1, "Normal").getBuddyTotalKb()).isEqualTo(64L * (29 + 25 * 2 + 19 * 4 + 9 * 8 + 6 * 16
                + 3 * 32 + 128 + 2 * 256 + 2 * 512 + 3 * 1024 + 2 * 2048 + 4096 + 252 * 8192));
        assertThat(sample.getUnreadable()).anyMatch(u -> u.endsWith("zoneinfo: missing"));
    }

    @Test
    void withoutBuddyinfoTheZonesComeFromZoneinfoWithoutFreeLists() throws IOException {
        Files.copy(Fixtures.path("files/zoneinfo-4.20-procfs"), Files.createDirectories(dir.resolve("proc"))
                .resolve("zoneinfo"));
        NodeMemorySample sample = new NodeMemorySampler(dir.resolve("proc"), dir.resolve("sys"), 4).read("h", 1L);

        // Movable and Device have no pages on that machine
        assertThat(sample.getZones()).extracting(ZoneState::getZone).containsExactly("DMA", "DMA32", "Normal");
        assertThat(sample.getZones()).allSatisfy(z -> {
            assertThat(z.getFreeBlocks()).isEmpty();
            assertThat(z.getLargestFreeOrder()).isNull();
            assertThat(z.getBuddyTotalKb()).isNull();
        });
        assertThat(zone(sample, 0, "Normal").getFreeKb()).isEqualTo(18553L * 4);
        assertThat(sample.getUnreadable()).anyMatch(u -> u.equals(dir.resolve("proc/buddyinfo") + ": missing"));
    }

    @Test
    void thisMachine() throws IOException {
        Path proc = Path.of("/proc");
        LinuxProc.require("buddyinfo");
        NodeMemorySample sample = NodeMemorySampler.defaults().read("here", 1L);

        assertThat(sample.getKernelVersion()).isEqualTo(System.getProperty("os.version"));
        assertThat(sample.getBootId()).isEqualTo(Files.readString(proc.resolve("sys/kernel/random/boot_id")).strip());
        assertThat(sample.getZones()).hasSameSizeAs(Files.readAllLines(proc.resolve("buddyinfo")));
        assertThat(sample.getZones()).allSatisfy(z -> {
            assertThat(z.getFreeBlocks()).isNotEmpty();
            assertThat(z.getBuddyTotalKb()).isNotNull();
            assertThat(z.getMinKb()).as("watermarks of %s", z.getZone()).isNotNull();
            assertThat(z.getMinKb()).isLessThanOrEqualTo(z.getLowKb());
            assertThat(z.getLowKb()).isLessThanOrEqualTo(z.getHighKb());
        });
        assertThat(sample.getMeminfoKb()).containsKeys("MemTotal", "MemFree");
        assertThat(sample.getVmstat()).containsKeys("nr_free_pages", "pgmajfault");
        // pagetypeinfo is 0400 root on recent kernels, debugfs is rarely mounted: read or said, never both
        assertThat(sample.getFreeBlocksByMigrateType().isEmpty())
                .isEqualTo(sample.getUnreadable().stream().anyMatch(u -> u.startsWith("/proc/pagetypeinfo: ")));
        assertThat(sample.getUnreadable()).noneMatch(u -> u.startsWith("/proc/buddyinfo")
                || u.startsWith("/proc/zoneinfo") || u.startsWith("/proc/vmstat") || u.startsWith("/proc/meminfo"));
        assertThat(NodeMemorySampler.defaults().hostname())
                .contains(Files.readString(proc.resolve("sys/kernel/hostname")).strip());
    }

    @Test
    void adversarialFilesAreSetAsideAndTheSampleIsStillMade() throws IOException {
        write("proc/buddyinfo", "Node 0, zone   Normal " + "7 ".repeat(300_000) + "\n"
                + "Node 0, zone      DMA      1      0      0      1 \n");
        write("proc/zoneinfo", "\u0000\u00ff garbage \u0001\n".repeat(1000));
        write("proc/vmstat", "compact_stall 99999999999999999999999\ncompact_fail 4\n");
        write("proc/meminfo", "MemTotal:       15666184 kB\nMemFr");
        write("proc/pagetypeinfo", "Free pages count per migrate type at order 0 1 2\nNode 0, zone Normal, type");
        write("proc/sys/kernel/osrelease", "6.1.0 with spaces and \u0007\n");
        write("proc/sys/kernel/random/boot_id", "not-a-uuid!\n");

        NodeMemorySample sample = new NodeMemorySampler(dir.resolve("proc"), dir.resolve("sys"), 4).read("h", 1L);

        assertThat(sample.getZones()).extracting(ZoneState::getZone).containsExactly("DMA");
        assertThat(sample.getZones().get(0).getMinKb()).isNull();
        assertThat(sample.getVmstat()).containsExactly(java.util.Map.entry("compact_fail", 4L));
        assertThat(sample.getMeminfoKb()).containsOnlyKeys("MemTotal");
        assertThat(sample.getKernelVersion()).isNull();
        assertThat(sample.getBootId()).isNull();
        List<String> unreadable = sample.getUnreadable();
        assertThat(unreadable).anyMatch(u -> u.startsWith(dir.resolve("proc/buddyinfo")
                + ": malformed: line 1: longer than 4096 characters"));
        assertThat(unreadable).anyMatch(u -> u.startsWith(dir.resolve("proc/zoneinfo") + ": malformed: "));
        assertThat(unreadable).anyMatch(u -> u.startsWith(dir.resolve("proc/vmstat") + ": malformed: line 1"));
        assertThat(unreadable).anyMatch(u -> u.startsWith(dir.resolve("proc/meminfo") + ": malformed: line 2"));
        assertThat(unreadable).anyMatch(u -> u.startsWith(dir.resolve("proc/pagetypeinfo") + ": malformed: line 2"));
        assertThat(unreadable).anyMatch(u -> u.startsWith(dir.resolve("proc/sys/kernel/osrelease") + ": malformed"));
        // a problem line stays short whatever the file held
        assertThat(unreadable).allSatisfy(u -> assertThat(u.length()).isLessThan(1500));
    }

    @Test
    void aFileLargerThanAnyKernelPrintsIsReadUpToTheLimit() throws IOException {
        StringBuilder big = new StringBuilder("Node 0, zone      DMA      1      0      0      1 \n");
        while (big.length() <= NodeMemorySampler.MAX_FILE_BYTES) {
            big.append("Node 0, zone   Normal      5      4      3      2 \n");
        }
        write("proc/buddyinfo", big.toString());

        NodeMemorySample sample = new NodeMemorySampler(dir.resolve("proc"), dir.resolve("sys"), 4).read("h", 1L);

        assertThat(sample.getUnreadable()).contains(dir.resolve("proc/buddyinfo") + ": larger than 1048576 bytes;"
                + " only the lines before that were read");
        // the zone count cap applies to what was read
        assertThat(sample.getZones()).hasSize(BuddyInfoFile.MAX_ZONES);
        assertThat(sample.getZones().get(0).getZone()).isEqualTo("DMA");
    }

    @Test
    void aDirectoryWhereAFileShouldBeIsUnreadable() throws IOException {
        Files.createDirectories(dir.resolve("proc/buddyinfo"));
        NodeMemorySample sample = new NodeMemorySampler(dir.resolve("proc"), dir.resolve("sys"), 4).read("h", 1L);

        assertThat(sample.getUnreadable()).contains(dir.resolve("proc/buddyinfo") + ": a directory, not a file");
        assertThat(sample.getZones()).isEmpty();
    }

    @Test
    void aFileWithoutReadPermissionIsUnreadable() throws IOException {
        Path file = write("proc/pagetypeinfo", Fixtures.text("files/pagetypeinfo-6.18"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));

        NodeMemorySample sample = new NodeMemorySampler(dir.resolve("proc"), dir.resolve("sys"), 4).read("h", 1L);

        if (Files.isReadable(file)) {
            // root reads a file whatever its mode (CI runs as root): then the file is read like any other
            assertThat(sample.getUnreadable()).noneMatch(u -> u.startsWith(file.toString()));
            assertThat(sample.getFreeBlocksByMigrateType()).isNotEmpty();
        } else {
            assertThat(sample.getUnreadable()).contains(file + ": permission denied");
            assertThat(sample.getFreeBlocksByMigrateType()).isEmpty();
        }
    }

    @Test
    void pageSizeMustBeAPowerOfTwo() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new NodeMemorySampler(dir, dir, 6));
    }
}
