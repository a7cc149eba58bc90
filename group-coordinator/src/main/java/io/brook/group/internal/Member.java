package io.brook.group.internal;

import io.brook.api.internal.group.MemberValue;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One group member as stored (its {@code MemberValue}): immutable; a change is a new value, written
 * as a new record.
 *
 * @param assigned           what the member owns in {@code memberEpoch}
 * @param pendingRevocation  owned partitions it was asked to give up and has not confirmed yet
 * @param target             what the assignor decided for it (for the group's assignment epoch)
 */
public record Member(String memberId, String instanceId, String clientId, String clientHost,
        List<String> subscribedTopicNames, String subscribedTopicRegex, int rebalanceTimeoutMs, int sessionTimeoutMs,
        int memberEpoch, int previousMemberEpoch, SortedMap<String, SortedSet<Integer>> assigned,
        SortedMap<String, SortedSet<Integer>> pendingRevocation, SortedMap<String, SortedSet<Integer>> target,
        boolean leftTemporarily) {

    public Member {
        subscribedTopicNames = List.copyOf(new TreeSet<>(subscribedTopicNames));
        assigned = Partitions.of(assigned);
        pendingRevocation = Partitions.of(pendingRevocation);
        target = Partitions.of(target);
    }

    public static Member joining(String memberId) {
        return new Member(memberId, "", "", "", List.of(), "", 0, 0, 0, 0, Partitions.EMPTY, Partitions.EMPTY,
                Partitions.EMPTY, false);
    }

    public boolean isStatic() {
        return !instanceId.isEmpty();
    }

    /** The topics it subscribes to among {@code existing}: its names, and the names its regex matches. */
    public Set<String> subscribedTopics(Set<String> existing) {
        Set<String> topics = new TreeSet<>();
        for (String name : subscribedTopicNames) {
            if (existing.contains(name)) {
                topics.add(name);
            }
        }
        if (!subscribedTopicRegex.isEmpty()) {
            Pattern pattern = Pattern.compile(subscribedTopicRegex);
            for (String name : existing) {
                if (pattern.matcher(name).matches()) {
                    topics.add(name);
                }
            }
        }
        return topics;
    }

    /** Whether it owns or is still giving up a partition. */
    public boolean holds(String topic, int partition) {
        return Partitions.contains(assigned, topic, partition) || Partitions.contains(pendingRevocation, topic, partition);
    }

    public Member withSubscription(List<String> names, String regex) {
        return new Member(memberId, instanceId, clientId, clientHost, names, regex, rebalanceTimeoutMs,
                sessionTimeoutMs, memberEpoch, previousMemberEpoch, assigned, pendingRevocation, target, leftTemporarily);
    }

    public Member withClient(String instance, String client, String host, int rebalanceTimeout, int sessionTimeout) {
        return new Member(memberId, instance, client, host, subscribedTopicNames, subscribedTopicRegex,
                rebalanceTimeout, sessionTimeout, memberEpoch, previousMemberEpoch, assigned, pendingRevocation, target,
                leftTemporarily);
    }

    public Member withTarget(SortedMap<String, SortedSet<Integer>> newTarget) {
        return new Member(memberId, instanceId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex,
                rebalanceTimeoutMs, sessionTimeoutMs, memberEpoch, previousMemberEpoch, assigned, pendingRevocation,
                newTarget, leftTemporarily);
    }

    public Member withAssignment(int epoch, int previousEpoch, SortedMap<String, SortedSet<Integer>> newAssigned,
            SortedMap<String, SortedSet<Integer>> newPending) {
        return new Member(memberId, instanceId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex,
                rebalanceTimeoutMs, sessionTimeoutMs, epoch, previousEpoch, newAssigned, newPending, target,
                leftTemporarily);
    }

    public Member withLeftTemporarily(boolean left) {
        return new Member(memberId, instanceId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex,
                rebalanceTimeoutMs, sessionTimeoutMs, memberEpoch, previousMemberEpoch, assigned, pendingRevocation,
                target, left);
    }

    /** The same member under another id (a static member's new incarnation takes over). */
    public Member withMemberId(String newId) {
        return new Member(newId, instanceId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex,
                rebalanceTimeoutMs, sessionTimeoutMs, memberEpoch, previousMemberEpoch, assigned, pendingRevocation,
                target, leftTemporarily);
    }

    public MemberValue toValue() {
        return MemberValue.newBuilder().setInstanceId(instanceId).setClientId(clientId).setClientHost(clientHost)
                .addAllSubscribedTopicNames(subscribedTopicNames).setSubscribedTopicRegex(subscribedTopicRegex)
                .setRebalanceTimeoutMs(rebalanceTimeoutMs).setSessionTimeoutMs(sessionTimeoutMs)
                .setMemberEpoch(memberEpoch).setPreviousMemberEpoch(previousMemberEpoch)
                .addAllAssigned(Partitions.toValues(assigned)).addAllPendingRevocation(Partitions.toValues(pendingRevocation))
                .addAllTarget(Partitions.toValues(target)).setLeftTemporarily(leftTemporarily).build();
    }

    public static Member fromValue(String memberId, MemberValue v) {
        return new Member(memberId, v.getInstanceId(), v.getClientId(), v.getClientHost(), v.getSubscribedTopicNamesList(),
                v.getSubscribedTopicRegex(), v.getRebalanceTimeoutMs(), v.getSessionTimeoutMs(), v.getMemberEpoch(),
                v.getPreviousMemberEpoch(), Partitions.fromValues(v.getAssignedList()),
                Partitions.fromValues(v.getPendingRevocationList()), Partitions.fromValues(v.getTargetList()),
                v.getLeftTemporarily());
    }
}
