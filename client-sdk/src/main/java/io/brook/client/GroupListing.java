package io.brook.client;

import java.util.Objects;

/**
 * One group as {@link BrookAdmin#listGroups()} lists it: its id, state, type ({@code "consumer"})
 * and the id of the broker that coordinates it.
 */
public record GroupListing(String groupId, GroupState state, String type, int coordinatorId) {
    public GroupListing {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(type, "type");
    }
}
