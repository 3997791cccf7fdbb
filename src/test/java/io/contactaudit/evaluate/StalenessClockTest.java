package io.contactaudit.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StalenessClockTest {

    static final long T = 1_000_000_000L;
    static final long IDLE = StalenessClock.IDLE.toMillis();
    final StalenessClock clock = new StalenessClock();

    @Test
    void aTaskThatHasJustStartedJudgesNobodyUntilItReadsOrWaitsOutTheIdleTime() {
        assertThat(clock.tick(T, () -> false)).isEqualTo(StalenessClock.NOT_YET);
        assertThat(clock.tick(T + IDLE - 1, () -> false)).isEqualTo(StalenessClock.NOT_YET);
        assertThat(clock.tick(T + IDLE, () -> false))
                .as("nothing to read: caught up")
                .isEqualTo(T + IDLE);
    }

    @Test
    void whileABacklogIsReadTheClockStandsAtTheRecordBeingRead() {
        long restartedAt = T + 3_600_000; // an hour of snapshots wait in the partition
        clock.tick(restartedAt, () -> false);
        clock.read(T);
        assertThat(clock.tick(restartedAt + 200, () -> false)).isEqualTo(T);
        assertThat(clock.tick(restartedAt + 400, () -> false))
                .as("nothing read in this tick")
                .isEqualTo(T + 200);
        clock.read(T + 60_000);
        clock.read(T + 120_000);
        clock.read(T + 100_000); // an older record does not move it back
        assertThat(clock.tick(restartedAt + 600, () -> false)).isEqualTo(T + 120_000);
        assertThat(clock.tick(restartedAt + 800, () -> false)).isEqualTo(T + 120_200);
    }

    @Test
    void aTaskThatHasReadNothingForTheIdleTimeHasCaughtUpAndJudgesAtTheWallClock() {
        long restartedAt = T + 3_600_000;
        clock.tick(restartedAt, () -> false);
        clock.read(T);
        clock.tick(restartedAt + 200, () -> false);
        assertThat(clock.tick(restartedAt + 200 + IDLE - 1, () -> false)).isEqualTo(T + IDLE - 1);
        assertThat(clock.tick(restartedAt + 200 + IDLE, () -> false)).isEqualTo(restartedAt + 200 + IDLE);
    }

    @Test
    void aLongPauseBeforeTheFirstTickIsNotIdleTime() {
        clock.read(T); // read right after a rebalance that took longer than the idle time
        assertThat(clock.tick(T + 3 * IDLE, () -> false))
                .as("the task has just started: judged at what it read")
                .isEqualTo(T);
    }

    @Test
    void neverLaterThanTheWallClock() {
        clock.tick(T, () -> false);
        clock.read(T + 60_000); // a collector whose clock runs ahead
        assertThat(clock.tick(T + 200, () -> false)).isEqualTo(T + 200);
    }

    @Test
    void whileRecordsWaitAQuietTaskIsNotCaughtUp() {
        clock.tick(T, () -> false);
        clock.read(T - 60_000);
        clock.tick(T + 200, () -> true);
        assertThat(clock.tick(T + 200 + 10 * IDLE, () -> true))
                .as("a stalled fetch")
                .isEqualTo(T - 60_000);
        assertThat(clock.tick(T + 200 + 10 * IDLE, () -> false))
                .as("nothing waits: caught up")
                .isEqualTo(T + 200 + 10 * IDLE);
        StalenessClock started = new StalenessClock();
        assertThat(started.tick(T + 10 * IDLE, () -> true)).isEqualTo(StalenessClock.NOT_YET);
    }

    @Test
    void aTaskWaitingForItsTurnWithRecordsWaitingDoesNotRunOnFromItsNewestRecord() {
        // seen after a takeover under load: the thread worked through other partitions' backlog for 4.5 s while the
        // consumer's lag for this one said 1,137 records waited; running on from the newest record read flagged
        // subscriptions whose newer snapshots were among them
        long takenOverAt = T + 20_000;
        clock.tick(takenOverAt, () -> true);
        clock.read(T);
        assertThat(clock.tick(takenOverAt + 200, () -> true)).isEqualTo(T);
        assertThat(clock.tick(takenOverAt + 200 + IDLE - 1, () -> true))
                .as("records wait: the clock stays at the newest record read")
                .isEqualTo(T);
        assertThat(clock.tick(takenOverAt + 200 + IDLE - 1, () -> false))
                .as("none wait: it runs on from it")
                .isEqualTo(T + IDLE - 1);
    }

    @Test
    void betweenReadsTheClockRunsOnOnlyWhileItsWholeThreadIsQuiet() {
        StalenessClock other = new StalenessClock(); // another task of the same stream thread
        clock.tick(T, () -> false);
        other.tick(T, () -> false);
        clock.read(T - 1_000);
        assertThat(clock.tick(T + 200, () -> false)).isEqualTo(T - 1_000);
        other.read(T + 300);
        assertThat(clock.tick(T + 400, () -> false))
                .as("another task read: records of this one may wait behind its, though the lag says 0")
                .isEqualTo(T - 1_000);
        assertThat(clock.tick(T + 600, () -> false))
                .as("the thread quiet since the last tick: it runs on from its newest record")
                .isEqualTo(T - 1_000 + 400);
    }

    @Test
    void aQuietTaskIsNotCaughtUpWhileTheOtherTasksOfItsThreadKeepReading() {
        // after a cold start behind a backlog, a task's records can wait in the consumer behind the other partitions'
        // while its lag still reads 0: it is quiet, its thread is not
        StalenessClock busy = new StalenessClock();
        clock.tick(T, () -> false);
        busy.tick(T, () -> false);
        clock.read(T - 60_000);
        long now = T;
        for (; now < T + 2 * IDLE; now += 200) {
            busy.read(now - 30_000);
            busy.tick(now, () -> false);
            assertThat(clock.tick(now, () -> false))
                    .as("quiet at %d ms while another task of its thread reads", now - T)
                    .isLessThan(now - 30_000);
        }
        long lastRead = now - 200; // the other task's last read, seen at this task's tick of the same instant
        for (; now < lastRead + IDLE; now += 200) {
            assertThat(clock.tick(now, () -> false)).isEqualTo(T - 60_000);
        }
        assertThat(clock.tick(lastRead + IDLE, () -> false))
                .as("the whole thread quiet for the idle time: caught up")
                .isEqualTo(lastRead + IDLE);
    }

    @Test
    void aTaskQuietForLongWhileItsThreadStaysBusyIsCaughtUp() {
        StalenessClock busy = new StalenessClock();
        clock.tick(T, () -> false);
        clock.read(T);
        long busyIdle = StalenessClock.BUSY_IDLE.toMillis();
        for (long now = T + 200; now < T + 200 + busyIdle; now += 200) {
            busy.read(now);
            assertThat(clock.tick(now, () -> false)).isLessThan(now);
        }
        busy.read(T + 200 + busyIdle);
        assertThat(clock.tick(T + 200 + busyIdle, () -> false))
                .as("a partition without records while the others have some: a dead collector is still flagged")
                .isEqualTo(T + 200 + busyIdle);
        assertThat(clock.tick(T + 400 + busyIdle, () -> true))
                .as("unless records are known to wait")
                .isEqualTo(T);
    }

    @Test
    void aStalledConsumerIsNotQuietTheClockStopsWhereTheLastFetchVouched() {
        // a rebalance or a broker that does not answer: nothing is delivered to any task, and no fetch completes
        long[] fetches = {0};
        clock.read(T - 1_000);
        long now = T;
        for (; now < T + 2_000; now += 200) {
            fetches[0]++; // a fetch response every tick
            clock.tick(now, () -> false, () -> fetches[0]);
        }
        long stalledAt = now;
        for (; now < stalledAt + 4 * IDLE; now += 200) {
            assertThat(clock.tick(now, () -> false, () -> fetches[0]))
                    .as("%d ms into the stall", now - stalledAt)
                    .isLessThan(stalledAt);
        }
        for (long end = now + 1_000; now < end; now += 200) {
            fetches[0]++;
            clock.tick(now, () -> false, () -> fetches[0]);
        }
        assertThat(clock.tick(now, () -> false, () -> fetches[0]))
                .as("fetches complete again: the wall clock, a fetch or two behind")
                .isBetween(now - 1_000, now);
    }
}
