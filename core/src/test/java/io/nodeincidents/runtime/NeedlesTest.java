package io.nodeincidents.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one-pass substring test finds exactly what String.contains finds, for every needle and group. */
class NeedlesTest {

    @Test
    void agreesWithContainsOnRandomTextAndOverlappingNeedles() {
        List<String> first = List.of("andbox", "RunPodSandbox", "box f", "ut of memory", "OOM", "oo", "é-memory");
        List<String> second = List.of("ENOMEM", "memory", "Sandbox");
        Needles grouped = Needles.grouped(List.of(new Needles(first), new Needles(second)));
        Random random = new Random(17);
        String alphabet = "aAndboxRunPSmeytfuOMNEé -";
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(40);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            int expected = (first.stream().anyMatch(s::contains) ? 1 : 0) | (second.stream().anyMatch(s::contains) ? 2 : 0);
            assertThat(grouped.groupsIn(s, 3)).as(s).isEqualTo(expected);
            assertThat(new Needles(first).foundIn(s)).as(s).isEqualTo(first.stream().anyMatch(s::contains));
        }
    }

    @Test
    void failureLinksFindANeedleInsideAPartialMatchOfAnother() {
        Needles n = new Needles(List.of("RunPodSandbox from", "PodSand"));
        assertThat(n.foundIn("xxRunPodSanXPodSaXyy")).isFalse();
        assertThat(n.foundIn("xxRunPodSandbXyy")).isTrue();
        assertThat(n.foundIn("RunPodSandbox fro")).isTrue();
        assertThat(new Needles(List.of("abcd", "bc")).foundIn("abce")).isTrue();
        assertThat(Needles.NONE.foundIn("anything")).isFalse();
    }
}
