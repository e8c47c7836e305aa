package io.nodeincidents.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A host's own clock: its newest entry's time, moved on by stream time while it is quiet. */
class HostClockTest {

    @Test
    void aQuietHostMovesOnWithStreamTime() {
        HostClock clock = HostClock.start(1_000, 50_000);
        assertThat(clock.now(50_000)).isEqualTo(1_000);
        assertThat(clock.now(53_000)).isEqualTo(4_000);
    }

    @Test
    void theHostsOwnEntriesSetItsTimeAndALateOneDoesNotTurnItBack() {
        HostClock clock = HostClock.start(1_000, 50_000).observe(2_500, 50_000);
        assertThat(clock.now(50_000)).isEqualTo(2_500);
        HostClock late = clock.observe(2_000, 51_000);
        assertThat(late.now(51_000)).isEqualTo(3_500);
        assertThat(late.now(52_000)).isEqualTo(4_500);
    }

    @Test
    void aLiveHostsTimeIsStreamTime() {
        HostClock clock = HostClock.start(10_000, 10_000).observe(11_000, 11_000).observe(15_000, 15_000);
        assertThat(clock.now(15_000)).isEqualTo(15_000);
        assertThat(clock.now(20_000)).isEqualTo(20_000);
    }

    @Test
    void aHostWithoutAClockIsJudgedByStreamTime() {
        assertThat(HostClock.now(null, 7_000)).isEqualTo(7_000);
    }
}
