package io.brook.metadata.internal.ratis;

import java.util.List;

/**
 * One controller's view of the quorum. Replication figures of other voters are known only on the
 * leader; elsewhere they are -1.
 *
 * @param nodeId            this controller
 * @param role              LEADER, FOLLOWER, CANDIDATE or LISTENER
 * @param leaderId          the leader as far as this controller knows, or -1
 * @param currentTerm       this controller's current Raft term
 * @param lastAppliedIndex  the last log index applied to this controller's image
 * @param commitIndex       the last log index this controller knows to be committed
 * @param lastSnapshotIndex the index of this controller's newest snapshot, or -1
 * @param logStartIndex     the first index still in this controller's log (raises when it is purged)
 * @param voters            the voters of the current configuration, by id
 */
public record QuorumStatus(int nodeId, String role, int leaderId, long currentTerm, long lastAppliedIndex,
        long commitIndex, long lastSnapshotIndex, long logStartIndex, List<VoterStatus> voters) {

    /**
     * One voter as seen from the leader.
     *
     * @param id          node id
     * @param address     host:port
     * @param matchIndex  the highest index known to be replicated to it (leader view), or -1
     * @param commitIndex the commit index it last reported (leader view), or -1
     * @param lag         the leader's last log index minus {@code matchIndex}, or -1
     */
    public record VoterStatus(int id, String address, long matchIndex, long commitIndex, long lag) {}

    public boolean isLeader() {
        return "LEADER".equals(role);
    }
}
