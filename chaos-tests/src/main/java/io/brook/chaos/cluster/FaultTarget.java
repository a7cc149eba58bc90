package io.brook.chaos.cluster;

import java.util.List;
import java.util.OptionalInt;

/**
 * What the {@link Nemesis} drives: {@link ChaosCluster}, or a fake in tests. Implementations must
 * be thread-safe (the nemesis calls from its own thread while the workload runs).
 */
public interface FaultTarget {
    /** Every node id (brokers and controllers), ascending. */
    List<Integer> nodeIds();

    /** SIGKILL, and wait until the process is gone. */
    void kill(int node);

    /** Start a killed node again on its directories and addresses; returns once it serves. */
    void restart(int node);

    /** SIGSTOP. */
    void pause(int node);

    /** SIGCONT. */
    void resume(int node);

    /** Whether links can be cut ({@link #partition} refuses otherwise). */
    boolean supportsPartitions();

    /** Cut exactly the links of {@code partition} (restoring any other cut link). */
    void partition(Partition partition);

    /** Restore every cut link. */
    void heal();

    /** Undo every fault: restore links, resume paused nodes, restart killed ones. */
    void healAll();

    /** The active controller as the freshest reachable view says, if any. */
    OptionalInt activeController();

    /** The partition's leader as the freshest reachable view says, if any. */
    OptionalInt leaderOf(String topic, int partition);
}
