package io.brook.client;

import java.util.Locale;

/**
 * The state of a consumer group as its coordinator reports it (KIP-848's consumer protocol).
 * {@link #toString()} is the name on the wire and in Kafka's tools ({@code "Stable"}); a state
 * this client does not know parses to {@link #UNKNOWN}, so a newer broker does not break it.
 */
public enum GroupState {
    /** No members; the group may still have committed offsets. */
    EMPTY("Empty"),
    /** The assignor is computing a new target assignment. */
    ASSIGNING("Assigning"),
    /** Members are moving towards the target assignment (revoking, then taking partitions). */
    RECONCILING("Reconciling"),
    /** Every member owns what the target assignment gives it. */
    STABLE("Stable"),
    /** No such group (or one being deleted). */
    DEAD("Dead"),
    /** A state this client has no name for. */
    UNKNOWN("Unknown");

    private final String wireName;

    GroupState(String wireName) {
        this.wireName = wireName;
    }

    /** The state named {@code name} (case-insensitive), {@link #UNKNOWN} for any other name. */
    public static GroupState parse(String name) {
        for (GroupState state : values()) {
            if (state.wireName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return state;
            }
        }
        return UNKNOWN;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
