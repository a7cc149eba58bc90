package io.brook.group.internal;

import java.util.SortedMap;
import java.util.SortedSet;
import java.util.function.BiPredicate;

/**
 * How a member's owned partitions move towards its target, one heartbeat at a time (KIP-848's
 * incremental handover). The rule that keeps a partition from having two owners: a member is given
 * a partition only when no other member holds it (owns it, or is still giving it up), and a member
 * giving partitions up keeps its epoch — and with it the right to commit them — until it has
 * confirmed, in a heartbeat's owned partitions, that it let them go.
 */
public final class Reconciliation {
    private Reconciliation() {}

    /**
     * The member after a heartbeat.
     *
     * @param member      as stored now
     * @param targetEpoch the group's assignment epoch (the epoch {@code member.target()} belongs to)
     * @param owned       what the member says it owns, or null when it did not say (unchanged)
     * @param heldByOther whether another member holds a partition
     */
    public static Member reconcile(Member member, int targetEpoch, SortedMap<String, SortedSet<Integer>> owned,
            BiPredicate<String, Integer> heldByOther) {
        SortedMap<String, SortedSet<Integer>> target = member.target();
        SortedMap<String, SortedSet<Integer>> assigned = member.assigned();
        SortedMap<String, SortedSet<Integer>> pending = member.pendingRevocation();
        if (!pending.isEmpty()) {
            boolean released = owned != null && !Partitions.intersects(owned, pending);
            if (!released) {
                // Still giving up partitions: its epoch stays; it may only have to give up more.
                SortedMap<String, SortedSet<Integer>> more = Partitions.minus(assigned, target);
                if (more.isEmpty()) {
                    return member;
                }
                return member.withAssignment(member.memberEpoch(), member.previousMemberEpoch(),
                        Partitions.intersect(assigned, target), Partitions.union(pending, more));
            }
            pending = Partitions.EMPTY;
        }
        SortedMap<String, SortedSet<Integer>> keep = Partitions.intersect(assigned, target);
        SortedMap<String, SortedSet<Integer>> revoke = Partitions.minus(assigned, target);
        if (!revoke.isEmpty()) {
            return member.withAssignment(member.memberEpoch(), member.previousMemberEpoch(), keep, revoke);
        }
        SortedMap<String, SortedSet<Integer>> free = Partitions.filter(Partitions.minus(target, keep),
                (topic, partition) -> !heldByOther.test(topic, partition));
        int previous = member.memberEpoch() != targetEpoch ? member.memberEpoch() : member.previousMemberEpoch();
        return member.withAssignment(targetEpoch, previous, Partitions.union(keep, free), pending);
    }
}
