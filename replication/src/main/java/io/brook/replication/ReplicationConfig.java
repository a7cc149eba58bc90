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

    /**
     * Brook's own key (Kafka has none): with it, acks=all means every in-sync replica has also
     * fsynced the batch (group commit: one fsync serves every batch appended meanwhile). Without
     * it, as Kafka, replicas have the batch in the page cache and durability rests on replication.
     */
    public static final ConfigKey<Boolean> LOG_FLUSH_ON_ACK = ConfigKey.booleanKey("log.flush.on.ack")
            .defaultValue(true)
            .doc("Whether an acks=all produce waits until the leader and every in-sync follower have flushed the "
                    + "batch to disk (group commit across partitions). false: page cache only, as Kafka.")
            .restartRequired().build();

    /** Node-level keys. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(MIN_INSYNC_REPLICAS, REPLICA_LAG_TIME_MAX_MS,
            LOG_FLUSH_ON_ACK);

    /** Topic-level keys. */
    public static final ConfigDefinitions TOPIC_DEFINITIONS = ConfigDefinitions.of(MIN_INSYNC_REPLICAS);
}
