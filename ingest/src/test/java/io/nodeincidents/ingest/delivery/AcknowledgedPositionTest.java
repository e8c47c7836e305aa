package io.nodeincidents.ingest.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AcknowledgedPositionTest {

    @Test
    void startsAtTheSavedCursor() {
        assertThat(new AcknowledgedPosition("s=1;i=5").safeCursor()).contains("s=1;i=5");
        assertThat(new AcknowledgedPosition(null).safeCursor()).isEmpty();
    }

    @Test
    void movesOnlyOverAContiguousAcknowledgedPrefix() {
        AcknowledgedPosition position = new AcknowledgedPosition("c0");
        long a = position.read("c1");
        long b = position.read("c2");
        long c = position.read("c3");

        position.acknowledge(c);
        position.acknowledge(b);
        assertThat(position.safeCursor()).as("c1 is not acknowledged yet").contains("c0");
        assertThat(position.takeAdvanced()).isFalse();

        position.acknowledge(a);
        assertThat(position.safeCursor()).contains("c3");
        assertThat(position.takeAdvanced()).isTrue();
        assertThat(position.takeAdvanced()).isFalse();
        assertThat(position.pending()).isZero();
    }

    @Test
    void repeatedAndUnknownAcknowledgementsChangeNothing() {
        AcknowledgedPosition position = new AcknowledgedPosition("c0");
        long a = position.read("c1");
        position.read("c2");
        position.acknowledge(a);
        position.acknowledge(a);
        position.acknowledge(-1);
        position.acknowledge(99);
        assertThat(position.safeCursor()).contains("c1");
        assertThat(position.pending()).isEqualTo(1);
    }

    @Test
    void skippingIsRefusedWhileAnythingIsInFlight() {
        AcknowledgedPosition position = new AcknowledgedPosition("c0");
        long a = position.read("c1");
        assertThat(position.skipTo("c9")).isFalse();
        position.acknowledge(a);
        position.takeAdvanced();
        assertThat(position.skipTo("c9")).isTrue();
        assertThat(position.safeCursor()).contains("c9");
        assertThat(position.takeAdvanced()).isTrue();
    }

    @Test
    void randomAcknowledgementOrderNeverPassesAnUnacknowledgedEntry() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            AcknowledgedPosition position = new AcknowledgedPosition(null);
            int n = 1 + random.nextInt(5000);
            List<Long> sequences = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sequences.add(position.read("c" + i));
            }
            Collections.shuffle(sequences, random);
            boolean[] acked = new boolean[n];
            for (long sequence : sequences) {
                position.acknowledge(sequence);
                acked[(int) sequence] = true;
                int firstMissing = 0;
                while (firstMissing < n && acked[firstMissing]) {
                    firstMissing++;
                }
                String expected = firstMissing == 0 ? null : "c" + (firstMissing - 1);
                assertThat(position.safeCursor().orElse(null)).isEqualTo(expected);
            }
            assertThat(position.pending()).isZero();
        }
    }
}
