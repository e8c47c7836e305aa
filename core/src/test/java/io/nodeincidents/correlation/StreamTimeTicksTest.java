package io.nodeincidents.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stream-time ticks fire as Kafka Streams fires its stream-time punctuators. */
class StreamTimeTicksTest {

    @Test
    void ticksFireAtTheFirstStreamTimeThenOnceAtEachMultipleReachedInTheOrderOfAStreamsPunctuationQueue() {
        List<String> fired = new ArrayList<>();
        StreamTimeTicks ticks = new StreamTimeTicks();
        ticks.every(Duration.ofSeconds(5), now -> fired.add("a@" + now));
        ticks.every(Duration.ofSeconds(10), now -> fired.add("b@" + now));

        ticks.advance(12_345);
        assertThat(fired).containsExactly("a@12345", "b@12345");
        fired.clear();
        ticks.advance(14_999);
        assertThat(fired).isEmpty();
        ticks.advance(15_000);
        assertThat(fired).containsExactly("a@15000");
        fired.clear();
        ticks.advance(20_000);
        // due together: the one at the head of the queue goes first, as in a Streams task's punctuation queue (b has
        // been due at 20000 for longer than a)
        assertThat(fired).containsExactly("b@20000", "a@20000");
        fired.clear();
        ticks.advance(61_000);
        assertThat(fired).as("skipped intervals fire once").containsExactly("a@61000", "b@61000");
        fired.clear();
        ticks.advance(64_999);
        assertThat(fired).isEmpty();
        ticks.advance(65_000);
        assertThat(fired).containsExactly("a@65000");
    }
}
