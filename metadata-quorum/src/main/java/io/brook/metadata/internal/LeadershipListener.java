package io.brook.metadata.internal;

/**
 * Told by the quorum when this node becomes the active controller and when it stops being it.
 * Calls arrive in order on one thread.
 */
public interface LeadershipListener {

    /**
     * This node leads {@code term} and has applied every entry committed before the term began:
     * the last image published to this node's publishers is the latest committed metadata.
     */
    void becomeLeader(long term);

    /**
     * This node no longer leads (another node leads {@code newLeaderId}, or -1 when unknown).
     * Appends of the old term may still complete or fail.
     */
    void resign(long term, int newLeaderId);
}
