package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.schemas.MigrateTypeFreeBlocks;
import java.util.List;
import org.junit.jupiter.api.Test;

class PageTypeInfoFileTest {

    private static MigrateTypeFreeBlocks row(List<MigrateTypeFreeBlocks> rows, String zone, String type) {
        return rows.stream().filter(r -> r.getZone().equals(zone) && r.getMigrateType().equals(type)).findFirst()
                .orElseThrow();
    }

    @Test
    void kernel618FreeListsByMigrateType() {
        Parsed<List<MigrateTypeFreeBlocks>> parsed = PageTypeInfoFile.parse(Fixtures.text("files/pagetypeinfo-6.18"));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).hasSize(15);
        assertThat(row(parsed.value(), "Normal", "Unmovable").getFreeBlocks())
                .containsExactly(0L, 129L, 324L, 224L, 96L, 53L, 41L, 16L, 6L, 0L, 0L);
        assertThat(parsed.value()).extracting(MigrateTypeFreeBlocks::getMigrateType).containsOnly("Unmovable",
                "Movable", "Reclaimable", "HighAtomic", "Isolate");
    }

    @Test
    void olderKernelsHaveAReserveType() {
        Parsed<List<MigrateTypeFreeBlocks>> parsed =
                PageTypeInfoFile.parse(Fixtures.text("files/pagetypeinfo-3.x-reserve"));

        assertThat(parsed.problems()).isEmpty();
        assertThat(row(parsed.value(), "DMA32", "Reserve").getFreeBlocks())
                .containsExactly(1L, 2L, 2L, 2L, 2L, 0L, 1L, 1L, 1L, 1L, 0L);
    }

    @Test
    void theTypesAddUpToTheBuddyLists() {
        List<MigrateTypeFreeBlocks> rows = PageTypeInfoFile.parse(Fixtures.text("numa2-movable/proc/pagetypeinfo"))
                .value();
        long movableOrder10 = rows.stream().filter(r -> r.getNode() == 1 && r.getZone().equals("Movable"))
                .mapToLong(r -> r.getFreeBlocks().get(10)).sum();

        assertThat(movableOrder10).isEqualTo(6120L);
    }

    @Test
    void aCountTheKernelStoppedAtIsReadAsItsLowerBound() {
        // since 5.5 a free list is counted up to 100000 only
        Parsed<List<MigrateTypeFreeBlocks>> parsed = PageTypeInfoFile.parse("""
                Page block order: 9
                Pages per block:  512

                Free pages count per migrate type at order       0      1      2
                Node    0, zone   Normal, type      Movable >100000  61022   3011
                """);

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value().get(0).getFreeBlocks()).containsExactly(100000L, 61022L, 3011L);
    }

    @Test
    void withoutTheTableNothingIsReadAndThatIsSaid() {
        Parsed<List<MigrateTypeFreeBlocks>> parsed = PageTypeInfoFile.parse(Fixtures.text("files/meminfo-procfs"));

        assertThat(parsed.value()).isEmpty();
        assertThat(parsed.problems()).containsExactly("no 'Free pages count per migrate type at order' table");
    }

    @Test
    void aRowWithTheWrongNumberOfCountsIsReported() {
        Parsed<List<MigrateTypeFreeBlocks>> parsed = PageTypeInfoFile.parse("""
                Free pages count per migrate type at order       0      1      2
                Node    0, zone   Normal, type      Movable      1      2
                Node    0, zone   Normal, type    Unmovable      1      2      3
                """);

        assertThat(parsed.value()).extracting(MigrateTypeFreeBlocks::getMigrateType).containsExactly("Unmovable");
        assertThat(parsed.problems()).singleElement().asString().startsWith("line 2: ");
    }
}
