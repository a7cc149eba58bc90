package io.brook.group;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.OffsetCommitPartition;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopic;
import io.brook.api.v1.TopicPartitions;
import io.brook.common.ManualClock;
import io.brook.group.internal.Partitions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * A shard with what the broker gives it, in memory: a "partition" (the list of records written, in
 * order), a manual clock, topics that tests change. Every operation's records are appended and
 * replayed before its answer is returned, as the broker does once they are committed.
 */
final class ShardHarness {
    final ManualClock clock = new ManualClock();
    final Map<String, Integer> topics = new TreeMap<>();
    final List<GroupRecord> log = new ArrayList<>();
    final GroupConfig config;
    GroupCoordinatorShard shard;

    ShardHarness(GroupConfig config) {
        this.config = config;
        this.shard = newShard();
    }

    static GroupConfig testConfig() {
        return new GroupConfig(50, (short) 3, 7 * 24 * 3_600_000L, 60_000, 4096, 10_000, 1_000, 60_000, 500,
                Integer.MAX_VALUE);
    }

    private GroupCoordinatorShard newShard() {
        return new GroupCoordinatorShard(1, config, () -> Map.copyOf(topics), new Random(42));
    }

    long now() {
        return clock.milliseconds();
    }

    <T> T apply(GroupCoordinatorShard.Result<T> result) {
        write(result.records());
        return result.response();
    }

    void write(List<GroupRecord> records) {
        for (GroupRecord record : records) {
            // Through the bytes, as the partition keeps them.
            GroupRecord read = GroupRecord.parse(record.keyBytes(), record.valueBytes());
            log.add(read);
            shard.replay(read, now());
        }
    }

    /** Runs the shard's timers. */
    List<GroupRecord> poll() {
        List<GroupRecord> records = shard.poll(now());
        write(records);
        return records;
    }

    /** A new coordinator: a fresh shard that replays the whole log (as a new leader loads the partition). */
    void failover() {
        shard = newShard();
        for (GroupRecord record : log) {
            shard.replay(record, now());
        }
    }

    ConsumerGroupHeartbeatResponse join(String group, String member, List<String> topicNames) {
        return join(group, member, "", topicNames);
    }

    ConsumerGroupHeartbeatResponse join(String group, String member, String instance, List<String> topicNames) {
        return apply(shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder().setGroupId(group).setMemberId(member)
                .setMemberEpoch(0).setInstanceId(instance).setRebalanceTimeoutMs(30_000).setSubscriptionChanged(true)
                .addAllSubscribedTopicNames(topicNames).setOwnedChanged(true).setClientId("client-" + member).build(),
                "/127.0.0.1", now()));
    }

    /** A heartbeat that reports {@code owned} (null: not reported). */
    ConsumerGroupHeartbeatResponse heartbeat(String group, String member, int epoch,
            Map<String, ? extends Set<Integer>> owned) {
        ConsumerGroupHeartbeatRequest.Builder request = ConsumerGroupHeartbeatRequest.newBuilder().setGroupId(group)
                .setMemberId(member).setMemberEpoch(epoch);
        if (owned != null) {
            request.setOwnedChanged(true).addAllOwnedPartitions(Partitions.toProto(owned));
        }
        return apply(shard.heartbeat(request.build(), "/127.0.0.1", now()));
    }

    OffsetCommitResponse commit(String group, String member, int epoch, String topic, int partition, long offset) {
        return apply(shard.commitOffsets(OffsetCommitRequest.newBuilder().setGroupId(group).setMemberId(member)
                .setMemberEpoch(epoch).addTopics(OffsetCommitTopic.newBuilder().setTopic(topic)
                        .addPartitions(OffsetCommitPartition.newBuilder().setPartition(partition).setOffset(offset)
                                .setLeaderEpoch(-1)))
                .build(), now()));
    }

    static SortedMap<String, SortedSet<Integer>> assignment(ConsumerGroupHeartbeatResponse response) {
        return Partitions.fromProto(response.getAssignmentList());
    }

    static Map<String, Set<Integer>> tp(String topic, Integer... partitions) {
        return Map.of(topic, Set.of(partitions));
    }

    static List<TopicPartitions> none() {
        return List.of();
    }
}
