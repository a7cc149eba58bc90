package io.brook.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ErrorCode;
import io.brook.replication.PartitionLeaderState.Completion;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PartitionLeaderStateTest {
    private static final long LAG_MAX = 30_000;

    /** Leader 1 of replicas [1, 2, 3], all in sync, min.insync.replicas 2, empty log, at t = 0. */
    private static PartitionLeaderState fresh() {
        return new PartitionLeaderState(1, List.of(1, 2, 3), List.of(1, 2, 3), 5, 9, 2, LAG_MAX, 0, 0, 0);
    }

    @Test
    void theHighWatermarkIsTheLowestEndOffsetOverTheIsr() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        assertEquals(0, state.highWatermark(), "followers' end offsets are unknown until they fetch");
        state.onFollowerFetch(2, 10, 1);
        assertEquals(0, state.highWatermark(), "follower 3 has not fetched");
        state.onFollowerFetch(3, 4, 1);
        assertEquals(4, state.highWatermark());
        state.onFollowerFetch(3, 10, 2);
        assertEquals(10, state.highWatermark());
    }

    @Test
    void withFlushOnAckTheLeaderCountsOnlyWhatItHasFlushed() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10, 0);
        state.onFollowerFetch(2, 10, 1);
        state.onFollowerFetch(3, 10, 1);
        assertEquals(0, state.highWatermark(), "the followers have it, the leader has not flushed it");
        assertTrue(state.onLeaderFlushed(6));
        assertEquals(6, state.highWatermark());
        state.onLeaderFlushed(3);
        assertEquals(6, state.durableEndOffset(), "a late, smaller flush report changes nothing");
        state.onLeaderFlushed(10);
        assertEquals(10, state.highWatermark());
    }

    @Test
    void anAlteredMinInsyncReplicasAppliesAtOnce() {
        PartitionLeaderState state = fresh(); // min.insync.replicas 2
        state.onIsrChangeCommitted(List.of(1), 10);
        state.onLeaderAppend(5);
        assertEquals(0, state.highWatermark(), "frozen: the ISR is below the minimum");
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, state.checkBeforeAppend(-1));
        assertTrue(state.onMinInsyncReplicasChanged(1));
        assertEquals(5, state.highWatermark());
        assertEquals(ErrorCode.NONE, state.checkBeforeAppend(-1));
        state.onMinInsyncReplicasChanged(3);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, state.checkBeforeAppend(-1));
    }

    @Test
    void theHighWatermarkNeverGoesBack() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        state.onFollowerFetch(2, 10, 1);
        state.onFollowerFetch(3, 10, 1);
        state.onIsrChangeCommitted(List.of(1, 2), 10);
        state.onIsrChangeCommitted(List.of(1, 2, 3), 11);
        assertEquals(10, state.highWatermark());
    }

    @Test
    void theHighWatermarkStaysWhileTheIsrIsBelowMinInsyncReplicas() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        state.onIsrChangeCommitted(List.of(1), 10);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, state.checkBeforeAppend(-1));
        assertEquals(ErrorCode.NONE, state.checkBeforeAppend(1), "acks=1 does not need the ISR");
        state.onLeaderAppend(20);
        assertEquals(0, state.highWatermark(), "a lone leader does not commit with min.insync.replicas 2");
        assertEquals(Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND, state.completionOf(19));
        state.onFollowerFetch(2, 20, 5);
        state.onIsrChangeCommitted(List.of(1, 2), 11);
        assertEquals(20, state.highWatermark());
        assertEquals(Completion.DONE, state.completionOf(19));
        assertEquals(Completion.WAITING, state.completionOf(20));
    }

    @Test
    void aFollowerLeavesTheIsrAfterTheLagTimeAndNotBefore() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        state.onFollowerFetch(2, 10, 100);
        state.onFollowerFetch(3, 10, 100);
        state.onLeaderAppend(20);
        state.onFollowerFetch(2, 20, LAG_MAX + 100);
        assertEquals(Optional.empty(), state.proposeIsrChange(LAG_MAX + 100), "3 was caught up at t = 100");
        Optional<PartitionLeaderState.IsrChange> shrink = state.proposeIsrChange(LAG_MAX + 101);
        assertEquals(List.of(1, 2), shrink.orElseThrow().newIsr());
        assertEquals(9, shrink.orElseThrow().partitionEpoch(), "based on the partition epoch the leader knows");
        assertEquals(Optional.empty(), state.proposeIsrChange(LAG_MAX + 200), "one change in flight at a time");
    }

    @Test
    void aFollowerThatStoppedFetchingIsNotProposedBackIntoTheIsr() {
        // Found in a chaos run: nothing was written, so a cut-off follower's last end offset still
        // equalled the HW, and the leader shrank it out and proposed it back in, again and again.
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        state.onFollowerFetch(2, 10, 100);
        state.onFollowerFetch(3, 10, 100); // follower 3's last fetch
        state.onFollowerFetch(2, 10, LAG_MAX + 150);
        PartitionLeaderState.IsrChange shrink = state.proposeIsrChange(LAG_MAX + 200).orElseThrow();
        assertEquals(List.of(1, 2), shrink.newIsr());
        state.onIsrChangeCommitted(shrink.newIsr(), shrink.partitionEpoch() + 1);
        assertEquals(10, state.highWatermark());
        assertEquals(Optional.empty(), state.proposeIsrChange(LAG_MAX + 300),
                "3 has the HW but has not fetched for longer than the lag time");
        state.onFollowerFetch(3, 10, LAG_MAX + 400); // it is back
        assertEquals(List.of(1, 2, 3), state.proposeIsrChange(LAG_MAX + 400).orElseThrow().newIsr());
    }

    @Test
    void aFollowerFetchingAtThePreviousEndOffsetCountsAsCaughtUpAtItsPreviousFetch() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        state.onFollowerFetch(2, 10, 0);
        state.onFollowerFetch(3, 10, 0);
        state.onLeaderAppend(20);
        state.onFollowerFetch(3, 10, 1_000); // behind, but it had all there was at t = 0
        state.onLeaderAppend(30);
        state.onFollowerFetch(3, 20, 20_000); // reached the LEO of its previous fetch (t = 1,000)
        state.onFollowerFetch(2, 30, LAG_MAX + 999);
        assertEquals(Optional.empty(), state.proposeIsrChange(LAG_MAX + 1_000));
        assertEquals(List.of(1, 2), state.proposeIsrChange(LAG_MAX + 1_001).orElseThrow().newIsr());
    }

    @Test
    void aReplicaRejoinsOnceItReachesTheHighWatermarkAndThisEpochsStart() {
        PartitionLeaderState state = new PartitionLeaderState(1, List.of(1, 2, 3), List.of(1, 2), 5, 9, 2, LAG_MAX,
                50, 40, 0);
        state.onFollowerFetch(3, 45, 1);
        assertEquals(Optional.empty(), state.proposeIsrChange(1), "past the HW but not this epoch's start (50)");
        state.onFollowerFetch(2, 50, 2);
        state.onFollowerFetch(3, 50, 2);
        Optional<PartitionLeaderState.IsrChange> expand = state.proposeIsrChange(2);
        assertEquals(List.of(1, 2, 3), expand.orElseThrow().newIsr());
        assertEquals(List.of(1, 2, 3), state.maximalIsr());
        assertEquals(List.of(1, 2), state.isr(), "only the controller's commit changes the ISR");
        state.onLeaderAppend(60);
        state.onFollowerFetch(2, 60, 3);
        assertEquals(50, state.highWatermark(), "the HW waits for the joining replica too");
        state.onIsrChangeCommitted(List.of(1, 2, 3), 10);
        state.onFollowerFetch(3, 60, 4);
        assertEquals(60, state.highWatermark());
    }

    @Test
    void aRefusedChangeIsProposedAgain() {
        PartitionLeaderState state = fresh();
        state.onLeaderAppend(10);
        assertTrue(state.proposeIsrChange(LAG_MAX + 1).isPresent());
        state.onIsrChangeFailed();
        assertTrue(state.proposeIsrChange(LAG_MAX + 2).isPresent());
        assertFalse(state.pendingIsrChange().isEmpty());
    }
}
