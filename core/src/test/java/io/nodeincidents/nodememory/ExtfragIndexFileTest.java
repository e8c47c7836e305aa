package io.nodeincidents.nodememory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nodeincidents.schemas.ZoneOrderIndex;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtfragIndexFileTest {

    @Test
    void seed000FragmentationIndex() {
        Parsed<List<ZoneOrderIndex>> parsed =
                ExtfragIndexFile.parse(Fixtures.text("seed-000-failing/sys/kernel/debug/extfrag/extfrag_index"));

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value()).extracting(ZoneOrderIndex::getZone).containsExactly("DMA", "DMA32", "Normal");
        List<Double> normal = parsed.value().get(2).getPerOrder();
        assertThat(normal).hasSize(11);
        assertThat(normal.get(6)).isEqualTo(-1.0);
        assertThat(normal.get(7)).isCloseTo(0.990, within(1e-9));
    }

    @Test
    void seed000UnusableIndexAsPastedInSingleSpaces() {
        // the seed pasted extfrag_index single-spaced; the reader takes unusable_index the same way
        Parsed<List<ZoneOrderIndex>> parsed = ExtfragIndexFile.parse(
                "Node 0, zone Normal 0.000 0.598 0.979 0.997 1.000 1.000 1.000 1.000 1.000 1.000 1.000\n");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value().get(0).getPerOrder()).startsWith(0.0, 0.598, 0.979, 0.997, 1.0);
    }

    @Test
    void aNegativeIndexAboveMinusOneIsReadAsTheKernelMeantIt() {
        // a zone with one free page: the kernel printed index/1000 "." index%1000 (Robert M. Harris, linux-mm, 2018)
        Parsed<List<ZoneOrderIndex>> parsed = ExtfragIndexFile.parse("Node 0, zone      DMA -1.000 0.-500 0.-250 "
                + "0.-125 0.-62 0.-31 0.-15 0.-07 0.-03 0.-01 0.000 \n");

        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.value().get(0).getPerOrder()).containsExactly(-1.0, -0.5, -0.25, -0.125, -0.062, -0.031,
                -0.015, -0.007, -0.003, -0.001, 0.0);
    }

    @Test
    void valuesThatAreNoIndexAreReported() {
        Parsed<List<ZoneOrderIndex>> parsed = ExtfragIndexFile.parse("""
                Node 0, zone      DMA -1.000 abc 0.500
                Node 0, zone    DMA32 -1.000 0.-5000 0.500
                Node 0, zone   Normal -1.000 1e9 0.500
                Node 0, zone  Movable 0.250 0.500
                """);

        assertThat(parsed.value()).extracting(ZoneOrderIndex::getZone).containsExactly("Movable");
        assertThat(parsed.problems()).hasSize(3);
    }
}
