package io.brook.metadata;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One topic: its name, id and partitions (partition id to state, ids 0..n-1).
 */
public record TopicImage(String name, UUID id, Map<Integer, PartitionRegistration> partitions) {
    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        partitions = Map.copyOf(partitions);
    }

    public PartitionRegistration partition(int partitionId) {
        return partitions.get(partitionId);
    }

    public int partitionCount() {
        return partitions.size();
    }
}
