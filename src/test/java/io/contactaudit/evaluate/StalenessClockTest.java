package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StalenessClockTest {

    static final long T = 1_000_000_000L;
    static final long IDLE = StalenessClock.IDLE.toMillis();

    @Test
    void aTaskThatHasJustStartedJudgesNobodyUntilItReadsOrWaitsOutTheIdleTime() {
        StalenessClock clock = new StalenessClock(T);
        assertThat(clock.at(T)).isEqualTo(StalenessClock.NOT_YET);
        assertThat(clock.at(T + IDLE - 1)).isEqualTo(StalenessClock.NOT_YET);
        assertThat(clock.at(T + IDLE)).as("nothing to read: caught up").isEqualTo(T + IDLE);
    }

    @Test
    void whileABacklogIsReadTheClockStandsAtTheRecordBeingRead() {
        long restartedAt = T + 3_600_000; // an hour of snapshots wait in the partition
        StalenessClock clock = new StalenessClock(restartedAt);
        clock.read(T, restartedAt + 500);
        assertThat(clock.at(restartedAt + 1_000)).isEqualTo(T + 500);
        clock.read(T + 60_000, restartedAt + 1_500);
        clock.read(T + 120_000, restartedAt + 2_000);
        assertThat(clock.at(restartedAt + 2_400)).isEqualTo(T + 120_400);
        clock.read(T + 100_000, restartedAt + 2_500); // an older record does not move it back
        assertThat(clock.at(restartedAt + 2_500)).isEqualTo(T + 120_500);
    }

    @Test
    void aTaskThatHasReadNothingForTheIdleTimeHasCaughtUpAndJudgesAtTheWallClock() {
        long restartedAt = T + 3_600_000;
        StalenessClock clock = new StalenessClock(restartedAt);
        clock.read(T, restartedAt);
        assertThat(clock.at(restartedAt + IDLE - 1)).isEqualTo(T + IDLE - 1);
        assertThat(clock.at(restartedAt + IDLE)).isEqualTo(restartedAt + IDLE);
    }

    @Test
    void caughtUpItFollowsTheWallClockWithinTheDelayOfTheLastRecord() {
        StalenessClock clock = new StalenessClock(T);
        clock.read(T + 1_000, T + 1_050); // read 50 ms after it was collected
        assertThat(clock.at(T + 3_000)).isEqualTo(T + 2_950);
    }

    @Test
    void neverLaterThanTheWallClock() {
        StalenessClock clock = new StalenessClock(T);
        clock.read(T + 60_000, T); // a collector whose clock runs ahead
        assertThat(clock.at(T + 1)).isEqualTo(T + 1);
    }
}
