package io.brook.broker;

import io.brook.common.Clock;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.replication.PartitionFollowerState;
import io.brook.replication.PartitionLeaderState;
import io.brook.replication.ReplicationConfig;
import io.brook.storage.LogManager;
import io.brook.storage.PartitionLog;
import io.brook.storage.TopicPartition;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this broker the leader or a follower of each partition assigned to it, as the committed
 * metadata says: a new leadership (or a new leader epoch) records the epoch at the log end
 * ({@link PartitionLog#assignLeaderEpoch}) and starts a {@link PartitionLeaderState}; a committed
 * ISR change of the same epoch reaches the leader state; a follower gets a
 * {@link PartitionFollowerState} that reconciles with each new leader before it fetches.
 *
 * <p>Runs on the metadata follower's publishing thread, after {@link LocalLogs} created the logs.
 * The states are read from other threads (thread-safe maps); the fetch streams that drive them come
 * with the replication work.
 */
final class ReplicaManager implements MetadataPublisher {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    private final int brokerId;
    private final LogManager logs;
    private final int defaultMinInsyncReplicas;
    private final long replicaLagTimeMaxMs;
    private final Clock clock;
    private final Map<TopicPartition, PartitionLeaderState> leading = new ConcurrentHashMap<>();
    private final Map<TopicPartition, PartitionFollowerState> following = new ConcurrentHashMap<>();

    ReplicaManager(int brokerId, LogManager logs, int defaultMinInsyncReplicas, long replicaLagTimeMaxMs, Clock clock) {
        this.brokerId = brokerId;
        this.logs = logs;
        this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
        this.replicaLagTimeMaxMs = replicaLagTimeMaxMs;
        this.clock = clock;
    }

    Optional<PartitionLeaderState> leaderState(TopicPartition partition) {
        return Optional.ofNullable(leading.get(partition));
    }

    Optional<PartitionFollowerState> followerState(TopicPartition partition) {
        return Optional.ofNullable(following.get(partition));
    }

    @Override
    public void onMetadataUpdate(MetadataDelta delta, MetadataImage image) {
        Set<TopicPartition> touched = new HashSet<>();
        if (delta.base().equals(MetadataImage.EMPTY)) {
            touched.addAll(leading.keySet());
            touched.addAll(following.keySet());
            for (TopicImage topic : image.topics().topicsById().values()) {
                topic.partitions().keySet().forEach(p -> touched.add(new TopicPartition(topic.name(), p)));
            }
        } else {
            for (TopicImage removed : delta.removedTopics().values()) {
                removed.partitions().keySet().forEach(p -> touched.add(new TopicPartition(removed.name(), p)));
            }
            for (Map.Entry<UUID, Set<Integer>> changed : delta.changedTopics().entrySet()) {
                TopicImage topic = image.topics().topic(changed.getKey());
                changed.getValue().forEach(p -> touched.add(new TopicPartition(topic.name(), p)));
            }
        }
        for (TopicPartition tp : touched) {
            TopicImage topic = image.topics().topic(tp.topic());
            PartitionRegistration registration = topic == null ? null : topic.partition(tp.partition());
            Optional<PartitionLog> partitionLog = logs.get(tp);
            if (registration == null || !registration.replicas().contains(brokerId) || partitionLog.isEmpty()) {
                leading.remove(tp);
                following.remove(tp);
            } else if (registration.leader() == brokerId) {
                lead(image, tp, registration, partitionLog.get());
            } else {
                follow(tp, registration);
            }
        }
    }

    private void lead(MetadataImage image, TopicPartition tp, PartitionRegistration registration, PartitionLog partitionLog) {
        following.remove(tp);
        PartitionLeaderState current = leading.get(tp);
        if (current == null || current.leaderEpoch() < registration.leaderEpoch()) {
            partitionLog.assignLeaderEpoch(registration.leaderEpoch());
            long logEnd = partitionLog.logEndOffset();
            leading.put(tp, new PartitionLeaderState(brokerId, registration.replicas(), registration.isr(),
                    registration.leaderEpoch(), registration.partitionEpoch(), minInsyncReplicas(image, tp.topic()),
                    replicaLagTimeMaxMs, logEnd, Math.min(partitionLog.highWatermark(), logEnd),
                    clock.monotonicMilliseconds()));
            log.info("Broker {} leads {} in epoch {} (ISR {})", brokerId, tp, registration.leaderEpoch(),
                    registration.isr());
        } else if (current.partitionEpoch() < registration.partitionEpoch()) {
            current.onIsrChangeCommitted(registration.isr(), registration.partitionEpoch());
        }
    }

    private void follow(TopicPartition tp, PartitionRegistration registration) {
        leading.remove(tp);
        PartitionFollowerState current = following.get(tp);
        if (current == null) {
            following.put(tp, new PartitionFollowerState(registration.leader(), registration.leaderEpoch()));
            log.info("Broker {} follows {} (leader {}, epoch {})", brokerId, tp, registration.leader(),
                    registration.leaderEpoch());
        } else if (registration.leaderEpoch() >= current.leaderEpoch()) {
            current.onLeaderChange(registration.leader(), registration.leaderEpoch());
        }
    }

    private int minInsyncReplicas(MetadataImage image, String topic) {
        String value = image.configs().configs(ConfigResource.topic(topic)).get(ReplicationConfig.MIN_INSYNC_REPLICAS.name());
        return value != null ? ReplicationConfig.MIN_INSYNC_REPLICAS.parse(value) : defaultMinInsyncReplicas;
    }
}
