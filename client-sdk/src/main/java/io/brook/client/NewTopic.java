package io.brook.client;

import java.util.Map;
import java.util.Objects;

/**
 * A topic to create with {@link BrookAdmin#createTopics}: its name, partition count, replication
 * factor and topic configs ({@code retention.ms}, {@code cleanup.policy}, ...). A count of
 * {@link #BROKER_DEFAULT} takes the cluster's {@code num.partitions} or
 * {@code default.replication.factor}. Values are checked by the controller, not here.
 */
public record NewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
    /** Partitions or replication factor: the cluster's default. */
    public static final int BROKER_DEFAULT = -1;

    public NewTopic {
        Objects.requireNonNull(name, "name");
        configs = Map.copyOf(configs);
    }

    /** A topic without configs of its own. */
    public NewTopic(String name, int partitions, int replicationFactor) {
        this(name, partitions, replicationFactor, Map.of());
    }

    /** A topic with the cluster's default partition count and replication factor. */
    public static NewTopic withDefaults(String name) {
        return new NewTopic(name, BROKER_DEFAULT, BROKER_DEFAULT);
    }

    /** This topic with {@code configs} as its topic configs. */
    public NewTopic withConfigs(Map<String, String> configs) {
        return new NewTopic(name, partitions, replicationFactor, configs);
    }
}
