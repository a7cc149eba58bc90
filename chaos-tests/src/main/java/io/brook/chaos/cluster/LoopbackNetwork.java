package io.brook.chaos.cluster;

import io.brook.common.LoopbackPorts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every node on 127.0.0.1 with ports of its own, for hosts without network namespaces (not
 * root): kill and pause faults work, partitions are refused with {@link #PARTITIONS_NEED_NAMESPACES}.
 * Immutable.
 */
final class LoopbackNetwork implements ClusterNetwork {
    static final String PARTITIONS_NEED_NAMESPACES = "network partitions need Linux network namespaces: run as "
            + "root (CAP_NET_ADMIN and CAP_SYS_ADMIN) on a host with iproute2's `ip netns`; this cluster runs on "
            + "loopback (no network namespaces), where kill and pause faults work but links cannot be cut";
    private static final String HOST = "127.0.0.1";

    private final Map<Integer, int[]> ports = new HashMap<>();

    LoopbackNetwork(List<Integer> nodes) {
        int[] free = LoopbackPorts.free(3 * nodes.size());
        for (int k = 0; k < nodes.size(); k++) {
            ports.put(nodes.get(k), new int[] {free[3 * k], free[3 * k + 1], free[3 * k + 2]});
        }
    }

    @Override
    public String host(int node) {
        return HOST;
    }

    @Override
    public int brokerPort(int node) {
        return ports.get(node)[0];
    }

    @Override
    public int controllerPort(int node) {
        return ports.get(node)[1];
    }

    @Override
    public int raftPort(int node) {
        return ports.get(node)[2];
    }

    @Override
    public List<String> launchPrefix(int node) {
        return List.of();
    }

    @Override
    public boolean supportsPartitions() {
        return false;
    }

    @Override
    public void apply(Partition partition) {
        if (!partition.cut().isEmpty()) {
            throw new UnsupportedOperationException(PARTITIONS_NEED_NAMESPACES + " (asked for " + partition + ")");
        }
    }

    @Override
    public Partition current() {
        return Partition.NONE;
    }

    @Override
    public String describe() {
        return "loopback " + HOST + " (no network namespaces: partitions are refused)";
    }

    @Override
    public void close() {}
}
