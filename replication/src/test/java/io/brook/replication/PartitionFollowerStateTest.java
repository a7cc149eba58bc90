package io.brook.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.FollowerTruncation.EpochLookup;
import io.brook.replication.FollowerTruncation.Step;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * A follower that led epoch 2 without writing in it (epoch 2 is recorded at its log end, 68)
     * now follows a leader that never had epoch 2 (it leads epoch 3 from 68): the leader says epoch
     * 1 ends at 68, the follower's own log end, so the round truncates to the log end and asks
     * again. The next question is about an older epoch only if that truncation dropped the epoch
     * recorded at the log end. A caller whose truncation to the log end does nothing gets the same
     * question and the same answer for ever: the broker did, until ReplicationProtocolSimulationTest
     * found it ({@code PartitionLog.truncateTo} now drops the epochs at the log end, and
     * {@code Partition.onEpochAnswer} calls it for a truncation to the log end).
     */
    @Test
    void aTruncationToTheLogEndMustDropTheEpochRecordedThereOrTheSameQuestionComesBack() {
        List<Integer> common = new ArrayList<>();
        for (int offset = 0; offset < 68; offset++) {
            common.add(offset < 13 ? 0 : 1);
        }
        List<Integer> leaderEpochs = new ArrayList<>(common);
        for (int offset = 68; offset < 79; offset++) {
            leaderEpochs.add(3);
        }
        EpochLookup leader = e -> EpochModel.endOffsetFor(leaderEpochs, -1, e);
        EpochLookup follower = e -> EpochModel.endOffsetFor(common, 2, e);
        PartitionFollowerState state = new PartitionFollowerState(0, 3);

        assertEquals(new PartitionFollowerState.AskEpochEnd(2), state.next(OptionalInt.of(2), 68));
        assertEquals(new EpochEnd(1, 68), leader.endOffsetFor(2));
        assertEquals(new Step(68, false), state.onEpochEnd(2, leader.endOffsetFor(2), follower, 68));

        // Epoch 2 kept (a truncation to the log end removed nothing): the same question again.
        assertEquals(new PartitionFollowerState.AskEpochEnd(2), state.next(OptionalInt.of(2), 68));

        // Epoch 2 dropped with the truncation: epoch 1 is the latest, and the logs agree up to its end.
        EpochLookup truncated = e -> EpochModel.endOffsetFor(common, -1, e);
        assertEquals(new PartitionFollowerState.AskEpochEnd(1), state.next(OptionalInt.of(1), 68));
        assertEquals(new Step(68, true), state.onEpochEnd(1, leader.endOffsetFor(1), truncated, 68));
        assertEquals(new PartitionFollowerState.Fetch(68, 3), state.next(OptionalInt.of(1), 68));
    }
}
