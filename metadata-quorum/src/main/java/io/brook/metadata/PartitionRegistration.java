package io.brook.metadata;

import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import java.util.List;
import java.util.UUID;

/**
 * The committed state of one partition.
 *
 * @param replicas in preferred order; the first is the preferred leader
 * @param isr the in-sync replicas, in replica order as the controller writes them
 * @param leader the leader's broker id, or {@link #NO_LEADER} when the partition is offline
 * @param leaderEpoch incremented on every leader change (and on every leader record)
 * @param partitionEpoch incremented on every change of this partition; AlterPartition carries it
 */
public record PartitionRegistration(
        List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
    public static final int NO_LEADER = -1;

    public PartitionRegistration {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    static PartitionRegistration fromRecord(PartitionRecord record) {
        return new PartitionRegistration(record.getReplicasList(), record.getIsrList(), record.getLeader(),
                record.getLeaderEpoch(), record.getPartitionEpoch());
    }

    public PartitionRecord toRecord(UUID topicId, int partitionId) {
        return PartitionRecord.newBuilder()
                .setTopicId(Uuids.toProto(topicId))
                .setPartitionId(partitionId)
                .addAllReplicas(replicas)
                .addAllIsr(isr)
                .setLeader(leader)
                .setLeaderEpoch(leaderEpoch)
                .setPartitionEpoch(partitionEpoch)
                .build();
    }

    /** The next state after a change record: see the record's documentation for the epoch rules. */
    public PartitionRegistration merge(PartitionChangeRecord change) {
        int newLeader = change.hasLeader() ? change.getLeader() : leader;
        int newLeaderEpoch = change.hasLeader() ? leaderEpoch + 1 : leaderEpoch;
        List<Integer> newIsr = change.hasIsr() ? change.getIsr().getIdsList() : isr;
        List<Integer> newReplicas = change.hasReplicas() ? change.getReplicas().getIdsList() : replicas;
        return new PartitionRegistration(newReplicas, newIsr, newLeader, newLeaderEpoch, partitionEpoch + 1);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    /** The preferred leader: the first replica. */
    public int preferredLeader() {
        return replicas.get(0);
    }
}
