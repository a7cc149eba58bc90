package io.brook.replication;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;

/** Replication's configuration keys (Kafka's names and defaults). */
public final class ReplicationConfig {
    private ReplicationConfig() {}

    /** Broker default and topic-level override (same name, as in Kafka). */
    public static final ConfigKey<Integer> MIN_INSYNC_REPLICAS = ConfigKey.intKey("min.insync.replicas")
            .defaultValue(1).validator(ConfigValidator.atLeast(1))
            .doc("With acks=all, a produce is refused (NOT_ENOUGH_REPLICAS) while the ISR has fewer replicas than "
                    + "this, and the high watermark does not advance.").build();
    public static final ConfigKey<Long> REPLICA_LAG_TIME_MAX_MS = ConfigKey.longKey("replica.lag.time.max.ms")
            .defaultValue(30_000L).validator(ConfigValidator.atLeast(1L))
            .doc("A follower that has not caught up with the leader's log end for this long leaves the ISR.")
            .restartRequired().build();

    /** Node-level keys. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(MIN_INSYNC_REPLICAS, REPLICA_LAG_TIME_MAX_MS);

    /** Topic-level keys. */
    public static final ConfigDefinitions TOPIC_DEFINITIONS = ConfigDefinitions.of(MIN_INSYNC_REPLICAS);
}
