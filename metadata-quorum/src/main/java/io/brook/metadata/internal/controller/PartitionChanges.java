package io.brook.metadata.internal.controller;

import io.brook.api.internal.metadata.BrokerIdList;
import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.Uuids;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntPredicate;

/**
 * Leader election and ISR changes for one partition: the rules, in one place.
 *
 * <ul>
 *   <li>The leader is the first replica, in assignment order, that is in the ISR and eligible
 *       (registered, unfenced, not shutting down).
 *   <li>A leader that stays in the ISR and stays eligible keeps leading (no needless epoch bump).
 *   <li>With no eligible ISR member the partition goes offline (leader -1), unless unclean
 *       election is enabled: then the first eligible replica leads and the ISR becomes just it.
 *   <li>The ISR never becomes empty: removing its last member keeps that member, so that the
 *       broker that has all acknowledged records is known when it comes back.
 * </ul>
 */
final class PartitionChanges {
    private PartitionChanges() {}

    /**
     * The change that removes {@code removed} brokers from the ISR (where possible) and makes sure
     * the leader is eligible, or empty when nothing changes.
     */
    static Optional<PartitionChangeRecord> removeFromIsrAndElect(UUID topicId, int partitionId,
            PartitionRegistration current, IntPredicate removed, IntPredicate eligible, boolean unclean) {
        List<Integer> isr = new ArrayList<>();
        for (int id : current.isr()) {
            if (!removed.test(id)) {
                isr.add(id);
            }
        }
        if (isr.isEmpty()) {
            isr = current.isr(); // keep the last member(s): never an empty ISR
        }
        return change(topicId, partitionId, current, isr, eligible, unclean, false);
    }

    /**
     * The change that gives {@code current} the ISR {@code newIsr} and an eligible leader if one
     * exists. {@code forceLeader} picks the first eligible ISR replica even when the current
     * leader could stay (preferred election passes the preferred order through the ISR).
     */
    static Optional<PartitionChangeRecord> change(UUID topicId, int partitionId, PartitionRegistration current,
            List<Integer> newIsr, IntPredicate eligible, boolean unclean, boolean forceLeader) {
        int leader = current.leader();
        List<Integer> isr = newIsr;
        boolean leaderOk = leader != PartitionRegistration.NO_LEADER && isr.contains(leader) && eligible.test(leader);
        if (!leaderOk || forceLeader) {
            leader = electFromIsr(current.replicas(), isr, eligible);
            if (leader == PartitionRegistration.NO_LEADER && unclean) {
                leader = electUnclean(current.replicas(), eligible);
                if (leader != PartitionRegistration.NO_LEADER) {
                    isr = List.of(leader);
                }
            }
        }
        PartitionChangeRecord.Builder record = PartitionChangeRecord.newBuilder()
                .setTopicId(Uuids.toProto(topicId)).setPartitionId(partitionId);
        boolean changed = false;
        if (leader != current.leader()) {
            record.setLeader(leader);
            changed = true;
        }
        if (!isr.equals(current.isr())) {
            record.setIsr(BrokerIdList.newBuilder().addAllIds(isr));
            changed = true;
        }
        return changed ? Optional.of(record.build()) : Optional.empty();
    }

    /** The first replica, in assignment order, in the ISR and eligible; or NO_LEADER. */
    static int electFromIsr(List<Integer> replicas, List<Integer> isr, IntPredicate eligible) {
        for (int replica : replicas) {
            if (isr.contains(replica) && eligible.test(replica)) {
                return replica;
            }
        }
        return PartitionRegistration.NO_LEADER;
    }

    /** The first eligible replica, in assignment order, ISR or not; or NO_LEADER. */
    static int electUnclean(List<Integer> replicas, IntPredicate eligible) {
        for (int replica : replicas) {
            if (eligible.test(replica)) {
                return replica;
            }
        }
        return PartitionRegistration.NO_LEADER;
    }
}
