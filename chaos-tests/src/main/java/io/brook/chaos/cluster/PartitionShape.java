package io.brook.chaos.cluster;

/**
 * The shapes of the {@link Nemesis}'s partitions, around a target node T (see {@link TargetChoice})
 * and the other nodes in an order drawn from the seed.
 */
public enum PartitionShape {
    /** {T} | everyone else. */
    ISOLATE_ONE,
    /**
     * A minority of (n-1)/2 nodes (at least 1) holding T, against the majority: {T} | {a,b} with 3
     * nodes, {T,a} | {b,c,d} with 5.
     */
    MAJORITY_MINORITY,
    /**
     * Two halves that reach each other only through one bridge node B (not T), T in the first
     * half: {T} &lt;B&gt; {a} with 3 nodes, {T,a} &lt;B&gt; {b,c} with 5.
     */
    BRIDGE
}
