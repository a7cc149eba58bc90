package io.brook.group.internal;

import io.brook.api.internal.group.GroupValue;
import io.brook.api.internal.group.OffsetValue;
import io.brook.api.internal.group.TopicPartitionCount;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One group's stored state: its epochs, members and committed offsets. Changed by replaying
 * records only; a request works on a {@link #copy} and writes the difference.
 */
public final class ConsumerGroup {
    private final String groupId;
    public int groupEpoch;
    public int assignmentEpoch;
    /** When it lost its last member (ms), -1 while it has members. */
    public long emptySinceMs = -1;
    /** Partition counts of the subscribed topics the target assignment was computed with. */
    public SortedMap<String, Integer> subscribedTopics = new TreeMap<>();
    public final SortedMap<String, Member> members = new TreeMap<>();
    /** topic -> partition -> committed offset. */
    public final SortedMap<String, SortedMap<Integer, OffsetValue>> offsets = new TreeMap<>();

    public ConsumerGroup(String groupId) {
        this.groupId = groupId;
    }

    public String groupId() {
        return groupId;
    }

    /** A copy of the epochs and members (offsets are not copied: requests write them directly as records). */
    public ConsumerGroup copy() {
        ConsumerGroup copy = new ConsumerGroup(groupId);
        copy.groupEpoch = groupEpoch;
        copy.assignmentEpoch = assignmentEpoch;
        copy.emptySinceMs = emptySinceMs;
        copy.subscribedTopics = new TreeMap<>(subscribedTopics);
        copy.members.putAll(members);
        return copy;
    }

    public GroupValue toValue() {
        GroupValue.Builder value = GroupValue.newBuilder().setGroupEpoch(groupEpoch).setAssignmentEpoch(assignmentEpoch)
                .setEmptySinceMs(emptySinceMs);
        subscribedTopics.forEach((topic, count) ->
                value.addSubscribedTopics(TopicPartitionCount.newBuilder().setTopic(topic).setPartitions(count)));
        return value.build();
    }

    public void apply(GroupValue value) {
        groupEpoch = value.getGroupEpoch();
        assignmentEpoch = value.getAssignmentEpoch();
        emptySinceMs = value.getEmptySinceMs();
        subscribedTopics = new TreeMap<>();
        value.getSubscribedTopicsList().forEach(t -> subscribedTopics.put(t.getTopic(), t.getPartitions()));
    }

    /** The member holding a partition (owning it or still giving it up), or null. */
    public Member holder(String topic, int partition) {
        for (Member member : members.values()) {
            if (member.holds(topic, partition)) {
                return member;
            }
        }
        return null;
    }

    /** KIP-848's group states: Empty, Assigning, Reconciling, Stable. */
    public String state() {
        if (members.isEmpty()) {
            return "Empty";
        }
        if (groupEpoch > assignmentEpoch) {
            return "Assigning";
        }
        for (Member member : members.values()) {
            if (member.memberEpoch() != assignmentEpoch || !member.assigned().equals(member.target())
                    || !member.pendingRevocation().isEmpty()) {
                return "Reconciling";
            }
        }
        return "Stable";
    }

    public Map<String, Member> membersView() {
        return members;
    }
}
