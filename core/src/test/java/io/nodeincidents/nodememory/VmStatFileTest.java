package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmStatFileTest {

    @Test
    void keepsCompactionReclaimAndOomCountersOnly() {
        Parsed<Map<String, Long>> parsed = VmStatFile.parse(Fixtures.text("numa2-movable/proc/vmstat"));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).containsEntry("compact_stall", 15230L).containsEntry("compact_fail", 12107L)
                .containsEntry("allocstall_movable", 3012L).containsEntry("pgscan_direct", 9120334L)
                .containsEntry("pgsteal_kswapd", 80112001L).containsEntry("oom_kill", 3L)
                .containsEntry("drop_pagecache", 0L).containsEntry("pgmajfault", 1209334L)
                .containsKey("nr_free_pages").doesNotContainKeys("pgfault", "nr_dirty", "numa_hit");
        assertThat(parsed.value().keySet()).allMatch(VmStatFile::kept);
    }

    @Test
    void oldKernelsHaveOneAllocstallAndPerZoneScans() {
        Parsed<Map<String, Long>> parsed = VmStatFile.parse(Fixtures.text("files/vmstat-2.6-i386"));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).containsEntry("allocstall", 4830L).containsEntry("pgscan_kswapd_normal", 1209615L)
                .containsEntry("pgsteal_dma", 424170L).doesNotContainKeys("pgalloc_normal", "kswapd_steal");
    }

    @Test
    void thisMachinesVmstat() throws Exception {
        Path file = LinuxProc.require("vmstat");
        Parsed<Map<String, Long>> parsed = VmStatFile.parse(Files.readString(file));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).containsKeys("nr_free_pages", "pgmajfault");
    }

    @Test
    void aWrappedGaugeOfACounterNotKeptIsNoProblem() {
        // racing per-cpu updates can print a gauge below zero as a wrapped unsigned long
        Parsed<Map<String, Long>> parsed = VmStatFile.parse("nr_isolated_anon 18446744073709551615\n"
                + "compact_stall 12\n");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).containsExactly(Map.entry("compact_stall", 12L));
    }

    @Test
    void malformedLinesAreReported() {
        Parsed<Map<String, Long>> parsed = VmStatFile.parse("compact_stall twelve\nMemFree: 1 kB\n"
                + "compact_fail 3\n");

        assertThat(parsed.value()).containsExactly(Map.entry("compact_fail", 3L));
        assertThat(parsed.problems()).containsExactly("line 1: not a number 'compact_stall twelve'",
                "line 2: not a 'name value' line 'MemFree: 1 kB'");
    }
}
