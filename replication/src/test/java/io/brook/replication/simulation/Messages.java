package io.brook.replication.simulation;

import io.brook.api.v1.ErrorCode;
import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.PartitionLeaderState.IsrChange;
import java.util.List;

/**
 * What the simulated nodes send each other: the broker's replication RPCs (OffsetForLeaderEpoch,
 * the Replicate stream's positions and pushes), and the broker-controller RPCs (registration,
 * heartbeats, AlterPartition) plus the metadata the controller publishes.
 */
final class Messages {
    private Messages() {}

    /** The committed registration of the simulated partition, at metadata offset {@code index}. */
    record PartitionImage(long index, int leader, int leaderEpoch, int partitionEpoch, List<Integer> isr) {
        PartitionImage {
            isr = List.copyOf(isr);
        }

        @Override
        public String toString() {
            return "image@" + index + "(leader " + leader + " epoch " + leaderEpoch + " pe " + partitionEpoch + " isr "
                    + isr + ")";
        }
    }

    // ------------------------------------------------------------------------ replication

    /** OffsetForLeaderEpoch from a follower of {@code currentLeaderEpoch} about its {@code requestedEpoch}. */
    record EpochQuery(long queryId, int followerId, int currentLeaderEpoch, int requestedEpoch) {}

    record EpochAnswer(long queryId, ErrorCode error, EpochEnd end) {}

    /** A follower's fetch position on a Replicate stream; {@code reset}: push from here. */
    record Position(long streamId, int followerId, int leaderEpoch, long fetchOffset, boolean reset) {}

    /** The leader's push on a Replicate stream: records from {@code fromOffset}, its HW, or an error. */
    record Push(long streamId, int leaderId, int leaderEpoch, long fromOffset, List<Entry> records, long highWatermark,
            ErrorCode error) {
        Push {
            records = List.copyOf(records);
        }
    }

    // ------------------------------------------------------------------------- controller

    record Register(int brokerId, int incarnation) {}

    record RegisterAnswer(PartitionImage image) {}

    record Heartbeat(int brokerId, int incarnation, long appliedIndex) {}

    record HeartbeatAnswer(ErrorCode error, boolean fenced, PartitionImage image) {}

    record AlterPartition(long requestId, int brokerId, int incarnation, IsrChange change) {}

    /** {@code error}: the request as a whole (the leader retries while pending); else the partition's result. */
    record AlterPartitionAnswer(long requestId, ErrorCode error, ErrorCode partitionError, List<Integer> isr,
            int leaderEpoch, int partitionEpoch) {}

    record MetadataPush(PartitionImage image) {}
}
