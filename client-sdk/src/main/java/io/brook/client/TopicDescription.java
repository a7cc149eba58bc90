package io.brook.client;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One topic as {@link BrookAdmin#describeTopics} describes it: its partitions in partition order
 * (leader, replicas, ISR, offline replicas) and the configs set on the topic itself (defaults are
 * left out: {@link BrookAdmin#describeConfigs} has every key).
 */
public record TopicDescription(String name, UUID topicId, boolean internal, List<PartitionInfo> partitions,
        Map<String, String> configs) {
    public TopicDescription {
        partitions = List.copyOf(partitions);
        configs = Map.copyOf(configs);
    }
}
