package io.brook.chaos.cluster;

import java.util.List;

/**
 * Where the nodes of a {@link ChaosCluster} listen and how the harness cuts the links between
 * them: {@link NamespaceNetwork} (one Linux network namespace per node, partitions possible) or
 * {@link LoopbackNetwork} (127.0.0.1 with distinct ports, no partitions).
 *
 * <p>Implementations are thread-safe. {@link #close()} removes whatever the network created and
 * may be called more than once.
 */
interface ClusterNetwork extends AutoCloseable {
    /** The address node {@code node} binds and advertises, reachable from the harness. */
    String host(int node);

    int brokerPort(int node);

    int controllerPort(int node);

    int raftPort(int node);

    /** The command words that run a program in the node's network ({@code ip netns exec NS}), or none. */
    List<String> launchPrefix(int node);

    /** Whether {@link #apply} can cut links. */
    boolean supportsPartitions();

    /**
     * Makes exactly {@code partition}'s links cut: links cut before and not in it are restored.
     *
     * @throws UnsupportedOperationException when this network cannot cut links and the partition cuts one
     */
    void apply(Partition partition);

    /** The partition in force. */
    Partition current();

    /** One line for logs: the network's kind and addresses. */
    String describe();

    @Override
    void close();
}
