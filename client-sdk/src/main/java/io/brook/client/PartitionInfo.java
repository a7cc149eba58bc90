package io.brook.client;

import java.util.List;

/**
 * What the metadata says about one partition. {@code leader} is -1 when the partition has none
 * (offline); {@code offlineReplicas} are replicas on brokers that are not alive.
 */
public record PartitionInfo(String topic, int partition, int leader, int leaderEpoch, List<Integer> replicas,
        List<Integer> isr, List<Integer> offlineReplicas) {
    public PartitionInfo {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        offlineReplicas = List.copyOf(offlineReplicas);
    }

    /** No leader: nothing can be written or read. */
    public boolean offline() {
        return leader < 0;
    }

    /** Fewer in-sync replicas than replicas. */
    public boolean underReplicated() {
        return isr.size() < replicas.size();
    }
}
