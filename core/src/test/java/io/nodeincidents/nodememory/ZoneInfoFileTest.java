package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodeincidents.nodememory.ZoneInfoFile.Zone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZoneInfoFileTest {

    private static List<Zone> clean(String text) {
        Parsed<List<Zone>> parsed = ZoneInfoFile.parse(text);
        assertThat(parsed.problems()).isEmpty();
        return parsed.value();
    }

    private static Zone zone(List<Zone> zones, int node, String name) {
        return zones.stream().filter(z -> z.node() == node && z.zone().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void kernel310PrintsPagesFreeOnTheLineAfterTheZone() {
        List<Zone> zones = clean(Fixtures.text("seed-000-failing/proc/zoneinfo"));

        // the seed's report: Normal free:311184kB min:55536kB low:69420kB high:83304kB
        assertThat(zone(zones, 0, "Normal")).isEqualTo(new Zone(0, "Normal", 77796L, 13884L, 17355L, 20826L,
                3407872L));
        assertThat(zones).extracting(Zone::zone).containsExactly("DMA", "DMA32", "Normal");
    }

    @Test
    void kernel313WithAMovableZone() {
        List<Zone> zones = clean(Fixtures.text("files/zoneinfo-3.13-kernelcore"));

        assertThat(zones).extracting(Zone::zone).containsExactly("DMA", "DMA32", "Movable");
        assertThat(zone(zones, 0, "Movable")).isEqualTo(new Zone(0, "Movable", 7013L, 2986L, 3732L, 4479L,
                194560L));
    }

    @Test
    void kernel420PerNodeStatsComeFirstAndUnpopulatedZonesArePrintedToo() {
        List<Zone> zones = clean(Fixtures.text("files/zoneinfo-4.20-procfs"));

        assertThat(zones).extracting(Zone::zone).containsExactly("DMA", "DMA32", "Normal", "Movable", "Device");
        assertThat(zone(zones, 0, "DMA")).isEqualTo(new Zone(0, "DMA", 3952L, 33L, 41L, 49L, 3975L));
        assertThat(zone(zones, 0, "Normal").highPages()).isEqualTo(16508L);
        assertThat(zone(zones, 0, "Device").presentPages()).isZero();
    }

    @Test
    void kernel6xWithBoostPromoAndTwoNodes() {
        List<Zone> zones = clean(Fixtures.text("numa2-movable/proc/zoneinfo"));

        assertThat(zones).hasSize(10);
        Zone movable = zone(zones, 1, "Movable");
        assertThat(movable.minPages()).isEqualTo(4233L);
        assertThat(movable.lowPages()).isEqualTo(10524L);
        // a zone's pageset "high:" (per-cpu list size) is no watermark
        assertThat(movable.highPages()).isEqualTo(16815L);
        assertThat(zone(zones, 1, "DMA32").presentPages()).isZero();
    }

    @Test
    void kernel26PagesetLowAndHighAreNotTakenForWatermarks() {
        List<Zone> zones = clean(Fixtures.text("i386-highmem/proc/zoneinfo"));

        assertThat(zone(zones, 0, "HighMem")).isEqualTo(new Zone(0, "HighMem", 30L, 32L, 40L, 48L, 30342L));
        assertThat(zone(zones, 0, "Normal").lowPages()).isEqualTo(1173L);
    }

    @Test
    void thisMachinesZoneinfo() throws Exception {
        Path file = LinuxProc.require("zoneinfo");
        List<Zone> zones = clean(Files.readString(file));

        assertThat(zones).isNotEmpty().allSatisfy(z -> {
            assertThat(z.freePages()).isNotNull();
            assertThat(z.minPages()).isLessThanOrEqualTo(z.lowPages());
            assertThat(z.lowPages()).isLessThanOrEqualTo(z.highPages());
        });
    }

    @Test
    void aZoneWithoutItsWatermarksIsReported() {
        Parsed<List<Zone>> parsed = ZoneInfoFile.parse("""
                Node 0, zone      DMA
                  pages free     3952
                        min      33
                        low      41
                        high     49
                Node 0, zone   Normal
                  pages free     18553
                        min      11176
                        low      banana
                  pagesets
                """);

        assertThat(parsed.value()).hasSize(2);
        assertThat(parsed.value().get(1).lowPages()).isNull();
        assertThat(parsed.problems()).containsExactly("line 9: not a number '        low      banana'",
                "line 6: Node 0, zone Normal lacks 'pages free', 'min', 'low' or 'high'");
    }

    @Test
    void somethingElseThanZoneinfoIsReported() {
        Parsed<List<Zone>> parsed = ZoneInfoFile.parse("MemTotal:       24683628 kB\nNode 0 Normal\n");

        assertThat(parsed.value()).isEmpty();
        assertThat(parsed.problems()).hasSize(2);
    }

    @Test
    void hugeNumbersAreNotReadAsWatermarks() {
        Parsed<List<Zone>> parsed = ZoneInfoFile.parse("Node 0, zone DMA\n  pages free 1\n min 123456789012345678901\n"
                + " low 2\n high 3\n");

        assertThat(parsed.value().get(0).minPages()).isNull();
        assertThat(parsed.clean()).isFalse();
    }
}
