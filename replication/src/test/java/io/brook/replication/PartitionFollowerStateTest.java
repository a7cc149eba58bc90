package io.brook.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.replication.FollowerTruncation.EpochEnd;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PartitionFollowerStateTest {
    @Test
    void aFollowerWithRecordsReconcilesBeforeItFetches() {
        PartitionFollowerState state = new PartitionFollowerState(1, 5);
        assertEquals(new PartitionFollowerState.AskEpochEnd(4), state.next(OptionalInt.of(4), 30));
        // The leader's epoch 4 ended at 20: the follower drops what it wrote after.
        FollowerTruncation.Step step = state.onEpochEnd(4, new EpochEnd(4, 20), e -> new EpochEnd(4, 30), 30);
        assertEquals(20, step.truncateTo());
        assertTrue(state.isReconciled());
        assertEquals(new PartitionFollowerState.Fetch(20, 5), state.next(OptionalInt.of(4), 20));
    }

    @Test
    void anEmptyLogFetchesAtOnceAndANewLeaderMeansReconcilingAgain() {
        PartitionFollowerState state = new PartitionFollowerState(1, 5);
        assertEquals(new PartitionFollowerState.Fetch(0, 5), state.next(OptionalInt.empty(), 0));
        state.onLeaderChange(1, 5);
        assertTrue(state.isReconciled(), "the same leader and epoch change nothing");
        state.onLeaderChange(2, 6);
        assertFalse(state.isReconciled());
        assertEquals(new PartitionFollowerState.AskEpochEnd(5), state.next(OptionalInt.of(5), 12));
    }

    @Test
    void theFollowersHighWatermarkIsTheLeadersCappedByItsLogEndAndNeverGoesBack() {
        PartitionFollowerState state = new PartitionFollowerState(1, 5);
        assertEquals(10, state.onFetched(50, 10));
        assertEquals(50, state.onFetched(50, 80));
        assertEquals(50, state.onFetched(40, 80), "a stale answer does not move it back");
    }
}
