package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StalenessClockTest {

    static final long T = 1_000_000_000L;
    final StalenessClock clock = new StalenessClock();

    @Test
    void aTaskThatHasReadNothingJudgesAtTheWallClock() {
        assertThat(clock.at(T)).isEqualTo(T);
        clock.observe(-1, T);
        assertThat(clock.at(T + 10)).isEqualTo(T + 10);
    }

    @Test
    void whileABacklogIsReadTheClockStandsAtTheRecordBeingRead() {
        long restartedAt = T + 3_600_000; // an hour after the last committed record
        clock.observe(T, restartedAt);
        assertThat(clock.at(restartedAt + 1_000)).isEqualTo(T + 1_000);
        clock.observe(T + 60_000, restartedAt + 1_500);
        clock.observe(T + 120_000, restartedAt + 2_000);
        assertThat(clock.at(restartedAt + 2_400)).isEqualTo(T + 120_400);
        clock.observe(T + 100_000, restartedAt + 2_500); // an older record does not move it back
        assertThat(clock.at(restartedAt + 2_500)).isEqualTo(T + 120_500);
    }

    @Test
    void aTaskThatHasReadNothingForAWhileHasCaughtUpAndJudgesAtTheWallClock() {
        long restartedAt = T + 3_600_000;
        clock.observe(T, restartedAt);
        long idle = restartedAt + StalenessClock.IDLE.toMillis();
        assertThat(clock.at(idle - 1)).isEqualTo(T + StalenessClock.IDLE.toMillis() - 1);
        assertThat(clock.at(idle)).isEqualTo(idle);
    }

    @Test
    void neverLaterThanTheWallClock() {
        clock.observe(T + 60_000, T); // a collector whose clock runs ahead
        assertThat(clock.at(T + 1)).isEqualTo(T + 1);
    }
}
