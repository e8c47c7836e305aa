package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MemInfoFileTest {

    @Test
    void everyLineInKbAndTheCountsWithoutAUnitAsPrinted() {
        Parsed<Map<String, Long>> parsed = MemInfoFile.parse(Fixtures.text("files/meminfo-procfs"));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).hasSize(45).containsEntry("MemTotal", 15666184L)
                .containsEntry("SReclaimable", 1738124L).containsEntry("Active(anon)", 267256L)
                .containsEntry("HugePages_Total", 0L).containsEntry("Hugepagesize", 2048L)
                .containsEntry("DirectMap2M", 16039936L);
    }

    @Test
    void malformedLinesAreReportedAndTheRestKept() {
        Parsed<Map<String, Long>> parsed = MemInfoFile.parse("""
                MemTotal:       15666184 kB
                MemFree:        lots kB
                Slab            1807264 kB
                SUnreclaim:        69140 MB
                HugePages_Total:       0
                """);

        assertThat(parsed.value()).containsOnlyKeys("MemTotal", "HugePages_Total");
        assertThat(parsed.problems()).hasSize(3);
    }
}
