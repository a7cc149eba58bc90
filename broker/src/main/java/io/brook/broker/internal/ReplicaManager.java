package io.brook.broker.internal;

import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.PartitionIsrChange;
import io.brook.api.internal.controller.PartitionIsrResult;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import io.brook.replication.PartitionLeaderState;
import io.brook.replication.PartitionLeaderState.IsrChange;
import io.brook.replication.ReplicationConfig;
import io.brook.storage.LogManager;
import io.brook.storage.PartitionLog;
import io.brook.storage.TopicPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's replicas, kept as the committed metadata says: a {@link Partition} for every
 * partition assigned here whose log exists, made leader or follower per its registration (a new
 * leadership records its epoch at the log end; a committed ISR change of the same epoch reaches the
 * leader state; a follower of a new leader or epoch is handed to the {@link ReplicaFetchers}).
 * It also runs the leaders' ISR checks every {@code min(replica.lag.time.max.ms / 2, 1 s)} and sends
 * their proposals to the controller (AlterPartition with the partition epoch), retrying a proposal
 * whose answer was lost for as long as it is pending: an expansion whose outcome is unknown must
 * not be dropped, or the HW could pass a replica the controller put in the ISR.
 *
 * <p>Roles are taken only once this broker process is unfenced ({@link #activate}).
 * {@link #onMetadataUpdate} runs on the metadata follower's publishing thread, after
 * {@code LocalLogs} created the logs; everything else is thread-safe.
 */
public final class ReplicaManager implements MetadataPublisher, Partition.Events, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);
    private static final long ALTER_PARTITION_RETRY_MS = 200;

    /** Starts and stops followers' fetching (the gRPC streams to leaders). */
    public interface ReplicaFetchers {
        /** {@code partition} follows {@code leaderId} now (a new leader or epoch): reconcile and fetch. */
        void follow(Partition partition, int leaderId);

        /** {@code partition} no longer follows anyone here. */
        void unfollow(Partition partition);
    }

    private final int brokerId;
    private final LogManager logs;
    private final int defaultMinInsyncReplicas;
    private final long replicaLagTimeMaxMs;
    private final boolean flushOnAck;
    private final Clock clock;
    private final GroupCommit groupCommit;
    private final ControllerClient controller;
    private final LongSupplier brokerEpoch;
    private final ScheduledExecutorService timer;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private volatile ReplicaFetchers fetchers = new ReplicaFetchers() {
        @Override
        public void follow(Partition partition, int leaderId) {}

        @Override
        public void unfollow(Partition partition) {}
    };
    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Whether roles are taken from the metadata yet ({@link #activate}); guarded by this. */
    private boolean active;

    public ReplicaManager(int brokerId, LogManager logs, int defaultMinInsyncReplicas, long replicaLagTimeMaxMs,
            boolean flushOnAck, ControllerClient controller, LongSupplier brokerEpoch, Clock clock) {
        this.brokerId = brokerId;
        this.logs = logs;
        this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
        this.replicaLagTimeMaxMs = replicaLagTimeMaxMs;
        this.flushOnAck = flushOnAck;
        this.controller = controller;
        this.brokerEpoch = brokerEpoch;
        this.clock = clock;
        this.groupCommit = new GroupCommit("brook-flush-" + brokerId, 2);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-replicas-" + brokerId);
            t.setDaemon(true);
            return t;
        });
        long checkEvery = Math.max(10, Math.min(replicaLagTimeMaxMs / 2, 1000));
        timer.scheduleWithFixedDelay(this::checkIsr, checkEvery, checkEvery, TimeUnit.MILLISECONDS);
    }

    public void setFetchers(ReplicaFetchers fetchers) {
        this.fetchers = fetchers;
    }

    public int brokerId() {
        return brokerId;
    }

    public GroupCommit groupCommit() {
        return groupCommit;
    }

    /** The metadata image the replicas were last brought in line with. */
    public MetadataImage image() {
        return image;
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    public Map<TopicPartition, Partition> partitions() {
        return partitions;
    }

    public Optional<PartitionLeaderState> leaderState(TopicPartition tp) {
        return partition(tp).flatMap(Partition::leaderState);
    }

    @Override
    public synchronized void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage) {
        image = newImage;
        if (!active) {
            return;
        }
        Set<TopicPartition> touched = new HashSet<>();
        if (delta.base().equals(MetadataImage.EMPTY)) {
            touched.addAll(everyPartition(newImage));
        } else {
            for (TopicImage removed : delta.removedTopics().values()) {
                removed.partitions().keySet().forEach(p -> touched.add(new TopicPartition(removed.name(), p)));
            }
            for (Map.Entry<UUID, Set<Integer>> changed : delta.changedTopics().entrySet()) {
                TopicImage topic = newImage.topics().topic(changed.getKey());
                changed.getValue().forEach(p -> touched.add(new TopicPartition(topic.name(), p)));
            }
        }
        apply(touched, newImage);
        for (ConfigResource resource : delta.changedConfigResources()) {
            TopicImage topic = resource.type() == io.brook.api.internal.metadata.ConfigResourceType.CONFIG_RESOURCE_TOPIC
                    ? newImage.topics().topic(resource.name()) : null;
            if (topic != null) {
                int minInsync = minInsyncReplicas(newImage, topic.name());
                for (int p : topic.partitions().keySet()) {
                    Partition partition = partitions.get(new TopicPartition(topic.name(), p));
                    if (partition != null) {
                        partition.onMinInsyncReplicasChanged(minInsync);
                    }
                }
            }
        }
    }

    /**
     * Starts acting on the metadata: called once this broker's registration (this process) is
     * unfenced. Before that the image may still hold the roles of the previous process with this
     * id — leading in an epoch whose log this process may have partly lost in a crash — and
     * acting on them could let two histories share one epoch. Once the controller has fenced the
     * old process (or it shut down in a controlled way) and unfenced this one, every leadership in
     * the image was given after the restart, in a new epoch.
     */
    public synchronized void activate() {
        if (active) {
            return;
        }
        active = true;
        log.info("Broker {} takes its replica roles from the metadata", brokerId);
        apply(everyPartition(image), image);
    }

    private Set<TopicPartition> everyPartition(MetadataImage newImage) {
        Set<TopicPartition> all = new HashSet<>(partitions.keySet());
        for (TopicImage topic : newImage.topics().topicsById().values()) {
            topic.partitions().keySet().forEach(p -> all.add(new TopicPartition(topic.name(), p)));
        }
        return all;
    }

    private void apply(Set<TopicPartition> touched, MetadataImage newImage) {
        for (TopicPartition tp : touched) {
            TopicImage topic = newImage.topics().topic(tp.topic());
            PartitionRegistration registration = topic == null ? null : topic.partition(tp.partition());
            Optional<PartitionLog> partitionLog = logs.get(tp);
            Partition current = partitions.get(tp);
            if (current != null && (registration == null || !registration.replicas().contains(brokerId)
                    || partitionLog.isEmpty() || partitionLog.get() != current.log()
                    || !current.topicId().equals(topic.id()))) {
                partitions.remove(tp);
                fetchers.unfollow(current);
                current.close();
                current = null;
            }
            if (registration == null || !registration.replicas().contains(brokerId) || partitionLog.isEmpty()) {
                continue;
            }
            if (current == null) {
                current = new Partition(tp, topic.id(), brokerId, partitionLog.get(), flushOnAck, groupCommit, clock,
                        this);
                partitions.put(tp, current);
            }
            boolean follow = current.applyRegistration(registration, minInsyncReplicas(newImage, tp.topic()),
                    replicaLagTimeMaxMs);
            if (registration.leader() == brokerId || registration.leader() == PartitionRegistration.NO_LEADER) {
                fetchers.unfollow(current);
            } else if (follow) {
                fetchers.follow(current, registration.leader());
            }
        }
    }

    private int minInsyncReplicas(MetadataImage image, String topic) {
        String value = image.configs().configs(ConfigResource.topic(topic))
                .get(ReplicationConfig.MIN_INSYNC_REPLICAS.name());
        return value != null ? ReplicationConfig.MIN_INSYNC_REPLICAS.parse(value) : defaultMinInsyncReplicas;
    }

    private void checkIsr() {
        try {
            for (Partition partition : partitions.values()) {
                partition.maybeChangeIsr();
            }
        } catch (RuntimeException e) {
            log.warn("Broker {}: the ISR check failed", brokerId, e);
        }
    }

    @Override
    public void isrChangeProposed(Partition partition, IsrChange change) {
        AlterPartitionRequest request = AlterPartitionRequest.newBuilder().setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch.getAsLong())
                .addPartitions(PartitionIsrChange.newBuilder().setTopicId(Uuids.toProto(partition.topicId()))
                        .setPartition(partition.topicPartition().partition()).setLeaderEpoch(change.leaderEpoch())
                        .setPartitionEpoch(change.partitionEpoch()).addAllNewIsr(change.newIsr()))
                .build();
        controller.alterPartition(request).whenComplete((response, error) -> {
            if (error != null || response.getError().getCode() != ErrorCode.NONE || response.getPartitionsCount() == 0) {
                // Unknown outcome (or the controller could not take it now): ask again while pending.
                if (partition.isPending(change) && !timer.isShutdown()) {
                    log.debug("Broker {}: AlterPartition for {} unanswered ({}); retrying", brokerId,
                            partition.topicPartition(), error != null ? error.toString() : response.getError());
                    timer.schedule(() -> isrChangeProposed(partition, change), ALTER_PARTITION_RETRY_MS,
                            TimeUnit.MILLISECONDS);
                }
                return;
            }
            PartitionIsrResult result = response.getPartitions(0);
            List<Integer> isr = result.getIsrList();
            partition.onIsrChangeResult(change, result.getErrorCode(), isr, result.getLeaderEpoch(),
                    result.getPartitionEpoch());
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Partition partition : partitions.values()) {
            partition.close();
        }
        groupCommit.close();
    }
}
