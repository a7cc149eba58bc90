package io.brook.broker.internal.groups;

import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.v1.ErrorCode;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.ReplicaManager;
import io.brook.common.Clock;
import io.brook.group.GroupConfig;
import io.brook.group.GroupCoordinatorShard;
import io.brook.group.GroupRecord;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.TopicImage;
import io.brook.storage.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's group coordinators: one {@link ShardRunner} for each partition of
 * {@code __consumer_offsets} it leads, loaded from the partition when it becomes leader and dropped
 * when it stops. Every shard's work runs on one thread ({@code brook-groups-<id>}), which also ticks
 * the shards' timers every {@value #TICK_MS} ms and follows leadership changes.
 */
public final class GroupCoordinatorRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinatorRuntime.class);
    public static final String TOPIC = "__consumer_offsets";
    static final long TICK_MS = 100;

    private final int brokerId;
    private final GroupConfig config;
    private final ReplicaManager replicas;
    private final ControllerClient controller;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Map<Integer, ShardRunner> shards = new ConcurrentHashMap<>();
    private final AtomicBoolean creatingTopic = new AtomicBoolean();
    private final Random random = new Random();
    private volatile MetadataImage topicsFrom;
    private volatile Map<String, Integer> topics = Map.of();

    public GroupCoordinatorRuntime(int brokerId, GroupConfig config, ReplicaManager replicas,
            ControllerClient controller, Clock clock) {
        this.brokerId = brokerId;
        this.config = config;
        this.replicas = replicas;
        this.controller = controller;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-groups-" + brokerId);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    public GroupConfig config() {
        return config;
    }

    /** The partition of {@code __consumer_offsets} coordinating {@code groupId} (its real count once it exists). */
    public int partitionFor(String groupId) {
        TopicImage topic = replicas.image().topics().topic(TOPIC);
        int count = topic == null ? config.offsetsTopicPartitions() : topic.partitionCount();
        return GroupConfig.partitionFor(groupId, count);
    }

    /**
     * Runs {@code op} on the shard coordinating {@code groupId}: writes its records, replays them once
     * committed, then completes with its answer. {@code error} builds the answer for a coordinator
     * error (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, ...).
     */
    public <T> CompletableFuture<T> write(String groupId, Function<GroupCoordinatorShard, GroupCoordinatorShard.Result<T>> op,
            ErrorAnswer<T> error) {
        ShardRunner runner = shards.get(partitionFor(groupId));
        if (runner == null) {
            return CompletableFuture.completedFuture(error.answer(ErrorCode.NOT_COORDINATOR, "Broker " + brokerId
                    + " is not the coordinator of group " + groupId + "; find the coordinator again."));
        }
        return runner.submit(op, error);
    }

    /**
     * Runs a read-only {@code op} on the shard coordinating {@code groupId}, after the writes before
     * it, and answers once a {@link GroupRecord#readBarrier} written after it is committed: proof
     * that this broker still led the partition when it read (the ISR it replicates to cannot have
     * elected another leader meanwhile, or the barrier would not commit). Without it, a coordinator
     * cut off from the cluster answered OffsetFetch with the offsets it last knew while the group
     * committed newer ones at the new coordinator.
     */
    public <T> CompletableFuture<T> read(String groupId, Function<GroupCoordinatorShard, T> op, ErrorAnswer<T> error) {
        return write(groupId, shard -> new GroupCoordinatorShard.Result<>(List.of(GroupRecord.readBarrier()),
                op.apply(shard)), error);
    }

    /** Runs {@code op} on every shard here that is serving; the answers of those that were. */
    public <T> CompletableFuture<List<T>> readAll(Function<GroupCoordinatorShard, T> op) {
        List<CompletableFuture<Optional<T>>> answers = new ArrayList<>();
        for (ShardRunner runner : shards.values()) {
            answers.add(runner.submit(shard -> GroupCoordinatorShard.Result.of(Optional.of(op.apply(shard))),
                    (code, message) -> Optional.empty()));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<T> out = new ArrayList<>();
            answers.forEach(a -> a.join().ifPresent(out::add));
            return out;
        });
    }

    /** Builds an answer carrying a coordinator error. */
    @FunctionalInterface
    public interface ErrorAnswer<T> {
        T answer(ErrorCode code, String message);
    }

    /**
     * Asks the controller to create {@code __consumer_offsets} (once at a time): its partitions,
     * compacted, replicated min(offsets.topic.replication.factor, live brokers) times.
     */
    public void ensureTopic() {
        if (replicas.image().topics().topic(TOPIC) != null || !creatingTopic.compareAndSet(false, true)) {
            return;
        }
        MetadataImage image = replicas.image();
        long live = image.cluster().brokers().keySet().stream().filter(id -> image.cluster().isUnfenced(id)).count();
        int replicationFactor = (int) Math.max(1, Math.min(config.offsetsTopicReplicationFactor(), live));
        CreateTopicsRequest request = CreateTopicsRequest.newBuilder().addTopics(CreatableTopic.newBuilder()
                .setName(TOPIC).setNumPartitions(config.offsetsTopicPartitions()).setReplicationFactor(replicationFactor)
                .putConfigs("cleanup.policy", "compact").putConfigs("segment.bytes", "104857600")).build();
        log.info("Broker {} creates {} ({} partitions, replication factor {})", brokerId, TOPIC,
                config.offsetsTopicPartitions(), replicationFactor);
        controller.createTopics(request).whenComplete((response, error) -> {
            creatingTopic.set(false);
            if (error != null) {
                log.warn("Broker {}: creating {} failed: {}", brokerId, TOPIC, error.toString());
            } else if (response.getTopicsCount() > 0 && response.getTopics(0).getErrorCode() != ErrorCode.NONE
                    && response.getTopics(0).getErrorCode() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                log.warn("Broker {}: creating {} failed: {} {}", brokerId, TOPIC, response.getTopics(0).getErrorCode(),
                        response.getTopics(0).getErrorMessage());
            }
        });
    }

    /** The topics groups may subscribe to: every topic but the internal ones, with its partition count. */
    Map<String, Integer> topics() {
        MetadataImage image = replicas.image();
        if (image != topicsFrom) {
            Map<String, Integer> fresh = new HashMap<>();
            for (TopicImage topic : image.topics().topicsById().values()) {
                if (!topic.name().startsWith("__")) {
                    fresh.put(topic.name(), topic.partitionCount());
                }
            }
            topics = Map.copyOf(fresh);
            topicsFrom = image;
        }
        return topics;
    }

    private void tick() {
        try {
            TopicImage topic = replicas.image().topics().topic(TOPIC);
            int count = topic == null ? 0 : topic.partitionCount();
            for (int p = 0; p < count; p++) {
                Optional<Partition> partition = replicas.partition(new TopicPartition(TOPIC, p));
                Optional<Partition.LeaderView> leader = partition.flatMap(Partition::leaderView);
                ShardRunner current = shards.get(p);
                if (leader.isPresent()) {
                    if (current == null || current.leaderEpoch() != leader.get().leaderEpoch()
                            || current.partition() != partition.get()) {
                        if (current != null) {
                            current.close();
                        }
                        ShardRunner runner = new ShardRunner(brokerId, partition.get(), leader.get().leaderEpoch(),
                                () -> new GroupCoordinatorShard(brokerId, config, this::topics, random), clock, executor);
                        shards.put(p, runner);
                        runner.load();
                    }
                } else if (current != null) {
                    shards.remove(p);
                    current.close();
                }
            }
            for (Map.Entry<Integer, ShardRunner> entry : shards.entrySet()) {
                if (entry.getKey() >= count) {
                    shards.remove(entry.getKey()).close();
                } else {
                    entry.getValue().tick();
                }
            }
        } catch (RuntimeException e) {
            log.warn("Broker {}: the group coordinator tick failed", brokerId, e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        shards.values().forEach(ShardRunner::close);
        shards.clear();
    }
}
