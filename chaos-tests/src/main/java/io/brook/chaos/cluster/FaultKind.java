package io.brook.chaos.cluster;

/** The faults the {@link Nemesis} injects; each knows its heal. */
public enum FaultKind {
    /** SIGKILL of a node; healed by restarting it on its directories. */
    KILL,
    /** SIGSTOP of a node; healed by SIGCONT. */
    PAUSE,
    /** Links between nodes cut (network namespaces only); healed by restoring them. */
    PARTITION
}
