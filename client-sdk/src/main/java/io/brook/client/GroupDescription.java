package io.brook.client;

import java.util.List;
import java.util.Objects;

/**
 * A consumer group as {@link BrookAdmin#describeGroups} describes it: what its coordinator knows
 * (state, epochs, members and their assignments, committed offsets) and the lag of each of its
 * partitions, computed by the admin client from the partitions' log end offsets.
 *
 * <p>A group that does not exist is described with state {@link GroupState#DEAD}, no members and
 * no partitions.
 *
 * @param groupEpoch the epoch of the group's membership and subscriptions (bumped on every change)
 * @param assignmentEpoch the group epoch the current target assignment was computed for
 * @param coordinatorId the broker that coordinates the group
 * @param coordinatorAddress that broker's {@code host:port}, as this client reached it
 * @param assignor the server-side assignor ({@code "uniform"}); empty for a group that does not exist
 * @param members in the coordinator's order
 * @param partitions every partition the group has an offset for or a member owns, by topic then partition
 */
public record GroupDescription(String groupId, GroupState state, int groupEpoch, int assignmentEpoch,
        int coordinatorId, String coordinatorAddress, String assignor, List<MemberDescription> members,
        List<PartitionLag> partitions) {
    public GroupDescription {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(state, "state");
        coordinatorAddress = coordinatorAddress == null ? "" : coordinatorAddress;
        assignor = assignor == null ? "" : assignor;
        members = List.copyOf(members);
        partitions = List.copyOf(partitions);
    }

    /** Whether the group exists (its state is not {@link GroupState#DEAD}). */
    public boolean exists() {
        return state != GroupState.DEAD;
    }
}
