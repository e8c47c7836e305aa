package io.nodeincidents.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The dedup of offline analysis answers as the streaming app's window store does, in memory bounded by runs. */
class SeenEntriesTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();

    private static EntryIdentity line(long n) {
        return new EntryIdentity("node-1\u0000null\u0000f\u0000kern.log", null, n);
    }

    private static EntryIdentity cursor(String c) {
        return new EntryIdentity("node-1\u0000boot", c, null);
    }

    @Test
    void aLineOrCursorSeenWithinTheRetentionIsARepeat() {
        SeenEntries seen = new SeenEntries(Duration.ofHours(1));
        assertThat(seen.firstSighting(line(1), 1_000)).isTrue();
        assertThat(seen.firstSighting(line(2), 1_000)).isTrue();
        assertThat(seen.firstSighting(line(1), 2_000)).isFalse();
        assertThat(seen.firstSighting(cursor("s=1"), 2_000)).isTrue();
        assertThat(seen.firstSighting(cursor("s=1"), 3_000)).isFalse();
        assertThat(seen.firstSighting(cursor("s=2"), 3_000)).isTrue();
        assertThat(seen.firstSighting(new EntryIdentity("node-2\u0000null\u0000f\u0000kern.log", null, 1L), 3_000))
                .as("another host's line 1").isTrue();
    }

    @Test
    void anIdentityIsForgottenAfterTheRetentionAsTheWindowStoreForgetsIt() {
        SeenEntries seen = new SeenEntries(Duration.ofHours(1));
        assertThat(seen.firstSighting(line(1), 1_000)).isTrue();
        // exactly the retention later: still found while the store has seen nothing newer
        assertThat(seen.firstSighting(line(1), 1_000 + HOUR)).isFalse();
        assertThat(seen.firstSighting(line(1), 1_001 + HOUR)).isTrue();
        assertThat(seen.firstSighting(line(1), 1_002 + HOUR)).isFalse();

        SeenEntries other = new SeenEntries(Duration.ofHours(1));
        assertThat(other.firstSighting(cursor("a"), 1_000)).isTrue();
        assertThat(other.firstSighting(cursor("b"), 1_000 + HOUR)).isTrue();
        // the store's newest entry is now a retention after the first: the first is out of its reach
        assertThat(other.firstSighting(cursor("a"), 1_000 + HOUR)).isTrue();
    }

    @Test
    void aStormOfLinesAtOneTimeIsOneRunAndExpiredRunsAreDropped() {
        SeenEntries seen = new SeenEntries(Duration.ofHours(1));
        for (long n = 1; n <= 100_000; n++) {
            assertThat(seen.firstSighting(line(n), 5_000)).isTrue();
        }
        assertThat(seen.size()).isEqualTo(1);
        assertThat(seen.firstSighting(line(50_000), 6_000)).isFalse();
        for (long n = 100_001; n <= 100_010; n++) {
            assertThat(seen.firstSighting(line(n), 5_000 + n)).isTrue();
        }
        assertThat(seen.size()).isEqualTo(11);
        assertThat(seen.firstSighting(line(7), 10 * HOUR)).isTrue();
        assertThat(seen.size()).as("everything older than the retention is gone").isEqualTo(1);
    }

    @Test
    void aFleetsInterleavedLinesAreForgottenWithTheRetentionWhateverHostTheyCameFrom() {
        SeenEntries seen = new SeenEntries(Duration.ofMinutes(1));
        // one aggregated file: a line a millisecond, each from one of 1,000 hosts, for ten minutes
        for (long n = 1; n <= 600_000; n++) {
            EntryIdentity identity = new EntryIdentity("node-" + (n % 1_000) + "\u0000null\u0000f\u0000fleet.log",
                    null, n);
            assertThat(seen.firstSighting(identity, n)).isTrue();
            if (n % 7 == 0) {
                assertThat(seen.firstSighting(identity, n)).as("line %d again", n).isFalse();
            }
        }
        // a minute's lines at most, plus what the last sweep had not reached yet
        assertThat(seen.size()).isBetween(60_000, 60_000 + (1 << 16));
        assertThat(seen.firstSighting(new EntryIdentity("node-1\u0000null\u0000f\u0000fleet.log", null, 1L),
                600_001)).as("forgotten long ago").isTrue();
    }

    @Test
    void aJournalCursorIsItsSequenceNumberSoAJournalsEntriesAreRunsToo() {
        SeenEntries seen = new SeenEntries(Duration.ofHours(1));
        String tail = ";b=6a2f0e1c9c3d4a3f;m=1a2b;t=5a1b2c3d4e5f6;x=9f8e7d6c";
        for (int i = 0x100; i < 0x200; i++) {
            assertThat(seen.firstSighting(cursor("s=a1b2c3d4e5f6;i=" + Integer.toHexString(i) + tail), 7_000))
                    .isTrue();
        }
        assertThat(seen.size()).as("consecutive sequence numbers at one time").isEqualTo(1);
        assertThat(seen.firstSighting(cursor("s=a1b2c3d4e5f6;i=150" + tail), 8_000)).isFalse();
        assertThat(seen.firstSighting(cursor("s=ffff;i=150" + tail), 8_000)).as("another journal's").isTrue();
        assertThat(seen.firstSighting(cursor("s=a1b2c3d4e5f6;i=50" + tail), 8_000))
                .as("an older entry seen late").isTrue();
        assertThat(seen.firstSighting(cursor("s=a1b2c3d4e5f6;i=50" + tail), 9_000)).isFalse();
        assertThat(seen.firstSighting(cursor("s=a1b2c3d4e5f6;i=zz" + tail), 9_000))
                .as("no number: the cursor as it is").isTrue();
        assertThat(seen.firstSighting(cursor("s=a1b2c3d4e5f6;i=zz" + tail), 9_000)).isFalse();
        assertThat(seen.firstSighting(cursor("i=1" + ";".repeat(10_000)), 9_000)).isTrue();
    }
}
