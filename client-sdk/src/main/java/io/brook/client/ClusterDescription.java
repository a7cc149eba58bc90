package io.brook.client;

import java.util.List;
import java.util.Optional;

/**
 * The cluster as {@link BrookAdmin#describeCluster} describes it: the controller quorum (the
 * active controller, its Raft term, each voter's lag behind it), every registered broker, and how
 * many partitions are under-replicated (ISR smaller than the replicas) or offline (no leader).
 *
 * <p>When the quorum could not be asked, {@code quorumError} says why; the controller id and term
 * are then -1 and {@code voters} is empty, while brokers and counts still come from the answering
 * broker's metadata.
 */
public record ClusterDescription(String clusterId, int controllerId, long controllerTerm, List<Voter> voters,
        List<Broker> brokers, int underReplicatedPartitions, int offlinePartitions, Optional<String> quorumError) {

    public ClusterDescription {
        voters = List.copyOf(voters);
        brokers = List.copyOf(brokers);
    }

    /** A controller in the quorum; {@code lag} is how many log entries it is behind the leader, -1 when unknown. */
    public record Voter(int nodeId, long lag) {}

    /**
     * A registered broker. A fenced broker has missed its heartbeats (or has not caught up yet): it
     * leads no partition and is not in any ISR. {@code rack} is empty when it has none; host and
     * port are empty and 0 when it has no client listener.
     */
    public record Broker(int id, String host, int port, Optional<String> rack, boolean fenced,
            boolean inControlledShutdown) {
        /** Registered and not fenced: it serves clients and replicas. */
        public boolean alive() {
            return !fenced;
        }
    }
}
