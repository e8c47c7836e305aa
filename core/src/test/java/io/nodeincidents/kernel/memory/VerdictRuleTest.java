package io.nodeincidents.kernel.memory;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictRuleTest {

    private static BuddyFreeLists lists(String text) {
        return BuddyFreeLists.parseLists(text);
    }

    private static ZoneCounters zone(String name, long free, long min, List<Long> reserve, String buddy) {
        return new ZoneCounters(0, name, free, min, min + 1, min + 2, reserve, buddy == null ? null : lists(buddy));
    }

    @Test
    void missingZoneLinesIsUndetermined() {
        assertThat(VerdictRule.assess(6, GfpMask.parse("0x10c0d0"), List.of()).verdict()).isEqualTo(Verdict.UNDETERMINED);
    }

    @Test
    void missingBuddyLinesForAZoneWithHeadroomIsUndetermined() {
        assertThat(VerdictRule.assess(3, GfpMask.parse("0xd0"),
                List.of(zone("Normal", 500_000, 50_000, List.of(0L), null))).verdict()).isEqualTo(Verdict.UNDETERMINED);
    }

    @Test
    void aUsableBlockMeansUndeterminedNotFragmentation() {
        var a = VerdictRule.assess(2, GfpMask.parse("0xd0"),
                List.of(zone("Normal", 500_000, 50_000, List.of(0L), "0*4kB 0*8kB 1*16kB = 16kB")));
        assertThat(a.verdict()).isEqualTo(Verdict.UNDETERMINED);
        assertThat(a.reason()).contains("existed");
    }

    @Test
    void aDmaAllocationOnlyLooksAtTheDmaZone() {
        List<ZoneCounters> zones = List.of(
                zone("DMA", 100, 64, List.of(0L, 2815L, 15868L), "1*4kB 0*8kB = 4kB"),
                zone("DMA32", 900_000, 11_976, List.of(0L, 0L, 13053L), "0*4kB 0*8kB 0*16kB 900*1024kB = 921600kB"));
        VerdictRule.Assessment dma = VerdictRule.assess(2, GfpMask.parse("0x21"), zones);
        assertThat(dma.usableZones()).containsExactly("Node 0 DMA");
        assertThat(dma.verdict()).isEqualTo(Verdict.FRAGMENTATION);
        assertThat(VerdictRule.assess(2, GfpMask.parse("0x20"), zones).verdict()).isEqualTo(Verdict.UNDETERMINED);
    }

    @Test
    void gfpZoneBits() {
        assertThat(GfpMask.parse("0x10c0d0").highestZone()).isEqualTo(ZoneType.NORMAL);
        assertThat(GfpMask.parse("0x14(GFP_DMA32)").highestZone()).isEqualTo(ZoneType.DMA32);
        assertThat(GfpMask.parse("0x200da").highestZone()).isEqualTo(ZoneType.MOVABLE);
        assertThat(GfpMask.parse("0xd2").highestZone()).isEqualTo(ZoneType.HIGHMEM);
        assertThat(GfpMask.parse("0xzz").highestZone()).isNull();
    }

    @Test
    void buddyListsRejectNonsenseAndBoundTheOrders() {
        assertThat(lists("1*4kB (U) 0*8kB 3*4096kB (M) = 12292kB").largestFreeOrder()).isEqualTo(2);
        assertThat(lists("0*4kB 0*8kB = 0kB").largestFreeOrder()).isEqualTo(-1);
        assertThat(lists("hello world")).isNull();
        assertThat(lists("(U) 1*4kB")).isNull();
        assertThat(lists("1*4kB ".repeat(10_000))).isNull();
        assertThat(lists("99999999999999999999*4kB")).isNull();
    }
}
