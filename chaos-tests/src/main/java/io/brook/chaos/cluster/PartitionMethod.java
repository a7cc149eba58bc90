package io.brook.chaos.cluster;

/**
 * How {@link NamespaceNetwork} cuts a link between nodes i and j. Both methods act inside both
 * namespaces (i's packets to j and j's packets to i), so traffic stops in both directions, and
 * both stall established TCP connections (the segments are retransmitted and the connection
 * resumes after the heal, as after a real partition). They differ for new connections.
 */
public enum PartitionMethod {
    /**
     * A permanent neighbour (ARP) entry for the peer's address with a MAC address no interface
     * has: every packet to the peer leaves with that destination, the bridge floods it and every
     * receiver discards it. Nobody reports an error, so a new {@code connect()} hangs in SYN
     * retries as it does across a real partition. The default.
     */
    SILENT_DROP,

    /**
     * {@code ip route add blackhole PEER/32}. Packets to the peer are discarded, but the sender's
     * kernel knows it: a new {@code connect()} fails at once with EINVAL ("Invalid argument"),
     * which a client sees as a local error rather than as a partition.
     */
    BLACKHOLE_ROUTE
}
