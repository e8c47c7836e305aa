package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.ZoneState;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuddyInfoFileTest {

    private static List<ZoneState> clean(String text) {
        Parsed<List<ZoneState>> parsed = BuddyInfoFile.parse(text);
        assertThat(parsed.problems()).isEmpty();
        return parsed.value();
    }

    private static ZoneState zone(List<ZoneState> zones, int node, String name) {
        return zones.stream().filter(z -> z.getNode() == node && z.getZone().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void seed000TheFailingNodeHasNoFreeBlockAboveOrder3InNormal() {
        List<ZoneState> zones = clean(Fixtures.text("seed-000-failing/proc/buddyinfo"));

        assertThat(zones).extracting(ZoneState::getZone).containsExactly("DMA", "DMA32", "Normal");
        ZoneState normal = zone(zones, 0, "Normal");
        assertThat(normal.getFreeBlocks()).containsExactly(40153L, 12774L, 302L, 17L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
        assertThat(normal.getLargestFreeOrder()).isEqualTo(3);
        assertThat(zone(zones, 0, "DMA32").getLargestFreeOrder()).isEqualTo(4);
        // the seed's own allocation-failure report adds the DMA lists up to 15908kB
        assertThat(BuddyInfoFile.totalKb(zone(zones, 0, "DMA").getFreeBlocks(), 4)).isEqualTo(15908L);
    }

    @Test
    void seed000TheHealthyPeerStillHasOrder9Blocks() {
        List<ZoneState> zones = clean(Fixtures.text("seed-000-healthy/proc/buddyinfo"));

        assertThat(zone(zones, 0, "Normal").getLargestFreeOrder()).isEqualTo(9);
        assertThat(zone(zones, 0, "DMA32").getFreeBlocks().get(6)).isEqualTo(203L);
    }

    @Test
    void pastedTablesReadLikeTheFile() {
        List<ZoneState> file = clean(Fixtures.text("seed-000-failing/proc/buddyinfo"));
        // as seed 000 pasted it (single spaces) and as seed 002 did (indented)
        String singleSpaced = """
                Node 0, zone DMA 1 0 0 1 2 1 1 0 1 1 3
                Node 0, zone DMA32 8409 8079 1340 74 6 0 0 0 0 0 0
                Node 0, zone Normal 40153 12774 302 17 0 0 0 0 0 0 0
                """;
        String indented = """
                    Node 0, zone      DMA      1      0      0      1      2      1      1      0      1      1      3
                    Node 0, zone    DMA32   8409   8079   1340     74      6      0      0      0      0      0      0
                    Node 0, zone   Normal  40153  12774    302     17      0      0      0      0      0      0      0
                """;

        assertThat(clean(singleSpaced)).isEqualTo(file);
        assertThat(clean(indented)).isEqualTo(file);
    }

    @Test
    void aTableWrappedByATerminalIsJoinedAgain() {
        // CentOS 7.6, 2 nodes, as pasted into a mailing list at 80 columns
        List<ZoneState> zones = clean("""
                Node 0, zone      DMA      0      0      1      0      1      0      0
                     0      0      1      3
                Node 0, zone    DMA32  31577     88      2      0      0      0      0
                     0      0      0      0
                Node 0, zone   Normal  33331   3323    582     87      0      0      0
                     0      0      0      0
                Node 1, zone   Normal  51121   6343    822     77      1      0      0
                     0      0      0      0
                """);

        assertThat(zones).hasSize(4);
        assertThat(zones).allSatisfy(z -> assertThat(z.getFreeBlocks()).hasSize(11));
        assertThat(zone(zones, 1, "Normal").getLargestFreeOrder()).isEqualTo(4);
        assertThat(zone(zones, 0, "DMA").getLargestFreeOrder()).isEqualTo(10);
    }

    @Test
    void twoNumaNodesWithMovableZones() {
        List<ZoneState> zones = clean(Fixtures.text("numa2-movable/proc/buddyinfo"));

        assertThat(zones).extracting(z -> z.getNode() + " " + z.getZone()).containsExactly(
                "0 DMA", "0 DMA32", "0 Normal", "0 Movable", "1 Normal", "1 Movable");
        assertThat(zone(zones, 1, "Movable").getFreeBlocks().get(10)).isEqualTo(6120L);
    }

    @Test
    void a32BitMachineKeepsItsHighMemZone() {
        List<ZoneState> zones = clean(Fixtures.text("i386-highmem/proc/buddyinfo"));

        assertThat(zones).extracting(ZoneState::getZone).containsExactly("DMA", "Normal", "HighMem");
        assertThat(zone(zones, 0, "HighMem").getLargestFreeOrder()).isEqualTo(7);
    }

    @Test
    void arm64With64kPagesHas14OrdersAndLargerBlocks() {
        List<ZoneState> zones = clean(Fixtures.text("arm64-64k/proc/buddyinfo"));

        assertThat(zones).hasSize(5).allSatisfy(z -> assertThat(z.getFreeBlocks()).hasSize(14));
        ZoneState node3 = zone(zones, 3, "Normal");
        assertThat(node3.getLargestFreeOrder()).isEqualTo(13);
        // 237 blocks of 2^13 pages of 64 kB: 121 GB free in 512 MB blocks
        assertThat(BuddyInfoFile.totalKb(node3.getFreeBlocks(), 64))
                .isEqualTo(64L * (74 + 95 * 2 + 117 * 4 + 66 * 8 + 43 * 16 + 29 * 32 + 20 * 64 + 16 * 128 + 7 * 256
                        + 11 * 512 + 6 * 1024 + 6 * 2048 + 4096 + 237 * 8192));
    }

    @Test
    void zoneNamesTheReaderDoesNotKnowAreKeptAsPrinted() {
        List<ZoneState> zones = clean("Node 0, zone   Device      0      0      1 \n"
                + "Node 2, zone NewZone9      5      0      0 \n");

        assertThat(zones).extracting(ZoneState::getZone).containsExactly("Device", "NewZone9");
        assertThat(zones.get(1).getNode()).isEqualTo(2);
        assertThat(zones.get(0).getLargestFreeOrder()).isEqualTo(2);
    }

    @Test
    void emptyListsHaveNoLargestOrder() {
        assertThat(clean("Node 0, zone   Normal      0      0      0 \n").get(0).getLargestFreeOrder())
                .isEqualTo(-1);
    }

    @Test
    void garbageIsReportedAndTheGoodLinesAreKept() {
        Parsed<List<ZoneState>> parsed = BuddyInfoFile.parse("""
                Node 0, zone      DMA      1      0      0      1
                MemTotal:       24683628 kB
                Node 0, zone    DMA32   8409   12x4   1340
                Node 0, zone   Normal  40153  99999999999999999999  302
                Node 0, zone
                Node x, zone   Normal  1 2 3
                Node 1, zone   Normal  40153  12774
                """);

        assertThat(parsed.value()).extracting(z -> z.getNode() + " " + z.getZone())
                .containsExactly("0 DMA", "1 Normal");
        assertThat(parsed.problems()).hasSize(5);
        assertThat(parsed.problems().get(0)).startsWith("line 2: ").contains("MemTotal");
        assertThat(parsed.problems().get(1)).startsWith("line 3: a count that is not a number");
        assertThat(parsed.problems().get(2)).startsWith("line 4: a count that is not a number");
    }

    @Test
    void moreOrdersThanAnyKernelHasIsNotABuddyLine() {
        StringBuilder line = new StringBuilder("Node 0, zone   Normal");
        for (int i = 0; i < 40; i++) {
            line.append(' ').append(i);
        }
        Parsed<List<ZoneState>> parsed = BuddyInfoFile.parse(line + "\nNode 0, zone DMA 1 2\n");

        assertThat(parsed.value()).extracting(ZoneState::getZone).containsExactly("DMA");
        assertThat(parsed.problems()).singleElement().asString().contains("more than 32 orders");
    }

    @Test
    void aMegabyteLineIsSkippedWithoutReadingIt() {
        String huge = "Node 0, zone   Normal " + "1 ".repeat(512 * 1024);
        Parsed<List<ZoneState>> parsed = BuddyInfoFile.parse(huge + "\nNode 0, zone DMA 1 2\n");

        assertThat(parsed.value()).extracting(ZoneState::getZone).containsExactly("DMA");
        assertThat(parsed.problems()).singleElement().asString()
                .startsWith("line 1: longer than 4096 characters").hasSizeLessThan(200);
    }

    @Test
    void aManyLineGarbageFileGivesAFewProblemLinesNotThousands() {
        Parsed<List<ZoneState>> parsed = BuddyInfoFile.parse("garbage\n".repeat(10_000));

        assertThat(parsed.value()).isEmpty();
        assertThat(parsed.problems()).hasSize(9).last().isEqualTo("and 9992 more");
    }

    @Test
    void aTruncatedLastLineKeepsWhatItHas() {
        Parsed<List<ZoneState>> parsed = BuddyInfoFile.parse("Node 0, zone      DMA      1      0\n"
                + "Node 0, zone   Nor");

        assertThat(parsed.value()).extracting(ZoneState::getZone).containsExactly("DMA");
        assertThat(parsed.problems()).singleElement().asString().startsWith("line 2: ");
    }

    @Test
    void listsTooLargeToAddUpHaveNoTotal() {
        assertThat(BuddyInfoFile.totalKb(List.of(0L, 0L, 0L, 0L, 999_999_999_999_999_999L), 4)).isNull();
    }
}
