package io.brook.chaos.cluster;

/** How the {@link Nemesis} picks the node a fault is aimed at (for a partition: the node cut off). */
public enum TargetChoice {
    /** A node drawn from the seed. */
    RANDOM_NODE,
    /** The leader of one of the workload's partitions (drawn from the seed), as the cluster reports it then. */
    PARTITION_LEADER,
    /** The active controller, as the cluster reports it then. */
    ACTIVE_CONTROLLER
}
