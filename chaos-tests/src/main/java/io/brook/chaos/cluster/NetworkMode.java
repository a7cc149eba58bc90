package io.brook.chaos.cluster;

/** Where a {@link ChaosCluster}'s nodes run. */
public enum NetworkMode {
    /**
     * One Linux network namespace per node behind a bridge: partitions possible. Needs root
     * (CAP_NET_ADMIN and CAP_SYS_ADMIN). The default.
     */
    NAMESPACES,

    /** Every node on 127.0.0.1 with its own ports: kill and pause only, partitions are refused. */
    LOOPBACK
}
