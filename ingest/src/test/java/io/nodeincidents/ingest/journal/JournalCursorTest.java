package io.nodeincidents.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JournalCursorTest {

    private static final String A = "s=b78c888ef58a4de584ea9dc981ee01ef;i=4e1f;b=4f1c2b3a9d8e7f60a1b2c3d4e5f60718;"
            + "m=12b371730;t=60a24194f6530;x=da00f6f8dd832fcf";
    private static final String B = "s=b78c888ef58a4de584ea9dc981ee01ef;i=4e28;b=4f1c2b3a9d8e7f60a1b2c3d4e5f60718;"
            + "m=12b371b18;t=60a24194f6918;x=5eee2d2bb2c5f345";

    @Test
    void readsSequenceIdAndNumberOfARealCursor() {
        assertThat(JournalCursor.parse(A)).isEqualTo(new JournalCursor("b78c888ef58a4de584ea9dc981ee01ef", 0x4e1f));
    }

    @Test
    void countsEntriesAFilterSkippedBetweenTwoCursors() {
        assertThat(JournalCursor.entriesBetween(A, B)).isEqualTo(8);
        assertThat(JournalCursor.entriesBetween(B, A)).isZero();
        assertThat(JournalCursor.entriesBetween(A, B.replace("s=b7", "s=c7"))).isZero();
    }

    @Test
    void unknownShapesGiveNoNumberInsteadOfFailing() {
        assertThat(JournalCursor.parse(null)).isEqualTo(new JournalCursor(null, -1));
        assertThat(JournalCursor.parse("")).isEqualTo(new JournalCursor(null, -1));
        assertThat(JournalCursor.parse("i=zz;s=x")).isEqualTo(new JournalCursor("x", -1));
        assertThat(JournalCursor.parse("i=;s=")).isEqualTo(new JournalCursor("", -1));
        assertThat(JournalCursor.parse("i=12345678901234567;s=x")).isEqualTo(new JournalCursor("x", -1));
        assertThat(JournalCursor.parse("s=x;;;i=ff;")).isEqualTo(new JournalCursor("x", 255));
        // only the first eight parts are looked at, as journald writes six
        assertThat(JournalCursor.parse("a;b;c;d;e;f;g;i=1;s=x")).isEqualTo(new JournalCursor(null, -1));
    }

    @Test
    void sameEntryComparesSequenceNotTheWholeText() {
        assertThat(JournalCursor.sameEntry(A, A.replace("x=da00", "x=ffff"))).isTrue();
        assertThat(JournalCursor.sameEntry(A, B)).isFalse();
    }
}
