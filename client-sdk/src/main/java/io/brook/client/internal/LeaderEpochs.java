package io.brook.client.internal;

import com.google.protobuf.ByteString;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest leader epoch the client has seen for each partition, and the rule that keeps a
 * metadata answer from an out-of-date broker from taking the client back (Kafka's KIP-320 rule).
 *
 * <p>A broker cut off from the controller still answers metadata with what it last knew: itself
 * the leader of a partition in an old epoch, its log shorter than the real leader's. A consumer
 * that believed it would fetch there at its committed offset, be told the offset is out of range,
 * and reset to {@code auto.offset.reset} — rewinding the group (earliest) or skipping records
 * (latest). So a partition in an answer, in an epoch older than one already seen, is not taken:
 * the view keeps what it knew of the newer epoch, or, when it knew only the number, marks the
 * leader unknown, which makes the fetcher refresh again ({@link Metadata} then asks another broker).
 *
 * <p>Epochs belong to one incarnation of a topic: an answer naming another topic id (the topic was
 * deleted and created again) starts the partition's epochs afresh. An epoch learnt from a committed
 * offset, which names no topic id, may belong to an earlier incarnation (a group keeps its offsets
 * when a topic is deleted): it holds until as many answers in a row as the cluster has brokers
 * said otherwise, then the answers win. An epoch learnt from an answer always holds. Not
 * thread-safe; {@link Metadata} guards it.
 */
final class LeaderEpochs {
    /** The newest epoch, the topic id it belongs to (empty: unknown), whether an answer named it, stale answers since. */
    private record Seen(ByteString topicId, int epoch, boolean answered, int staleAnswers) {}

    private final Map<TopicPartition, Seen> seen = new HashMap<>();

    /** The result of {@link #accept}: the view to keep, and whether some partition of the answer was stale. */
    record Accepted(ClusterView view, boolean stale) {}

    /**
     * Takes {@code fresh} (an answer) against {@code current} (the view so far): every partition
     * of it in an epoch at least the newest seen is taken and its epoch remembered; an older one is
     * replaced by the current view's partition when that one is of the newest epoch, else by the
     * same partition without a leader.
     */
    Accepted accept(ClusterView current, ClusterView fresh) {
        boolean stale = false;
        ClusterView accepted = fresh;
        for (ClusterView.TopicView topic : fresh.topics().values()) {
            List<PartitionInfo> partitions = new ArrayList<>(topic.partitions().size());
            boolean changed = false;
            for (PartitionInfo partition : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition.partition());
                Seen before = seen.get(tp);
                boolean otherIncarnation = before != null && !before.topicId().isEmpty()
                        && !before.topicId().equals(topic.topicId());
                boolean outvoted = before != null && !before.answered()
                        && before.staleAnswers() + 1 >= Math.max(1, fresh.brokers().size());
                if (before == null || partition.leaderEpoch() >= before.epoch() || otherIncarnation || outvoted) {
                    seen.put(tp, new Seen(topic.topicId(), partition.leaderEpoch(), true, 0));
                    partitions.add(partition);
                    continue;
                }
                seen.put(tp, new Seen(topic.topicId(), before.epoch(), before.answered(), before.staleAnswers() + 1));
                stale = true;
                changed = true;
                PartitionInfo known = current.partition(topic.name(), partition.partition());
                boolean knownIsNewest = known != null && known.leaderEpoch() == before.epoch() && !known.offline()
                        && current.topic(topic.name()).topicId().equals(topic.topicId());
                partitions.add(knownIsNewest ? known : withoutLeader(partition, before.epoch()));
            }
            if (changed) {
                accepted = withPartitions(accepted, topic, partitions);
            }
        }
        return new Accepted(accepted, stale);
    }

    /**
     * Remembers {@code epoch} of {@code partition}, read with a committed offset, when newer than
     * the newest seen; returns {@code current} with that partition's leader unknown when the view
     * has it in an older epoch, else {@code current} itself.
     */
    ClusterView observe(ClusterView current, TopicPartition partition, int epoch) {
        Seen before = seen.get(partition);
        if (epoch < 0 || (before != null && before.epoch() >= epoch)) {
            return current;
        }
        ClusterView.TopicView topic = current.topic(partition.topic());
        seen.put(partition, new Seen(topic == null ? ByteString.EMPTY : topic.topicId(), epoch, false, 0));
        PartitionInfo known = current.partition(partition.topic(), partition.partition());
        if (known == null || known.leaderEpoch() >= epoch) {
            return current;
        }
        List<PartitionInfo> partitions = new ArrayList<>(topic.partitions());
        partitions.set(partition.partition(), withoutLeader(known, epoch));
        return withPartitions(current, topic, partitions);
    }

    /** {@code view} with {@code topic}'s partitions replaced by {@code partitions}. */
    private static ClusterView withPartitions(ClusterView view, ClusterView.TopicView topic,
            List<PartitionInfo> partitions) {
        Map<String, ClusterView.TopicView> topics = new HashMap<>(view.topics());
        topics.put(topic.name(), new ClusterView.TopicView(topic.name(), topic.topicId(), topic.error(),
                topic.errorMessage(), List.copyOf(partitions)));
        return new ClusterView(view.clusterId(), view.brokers(), Map.copyOf(topics), view.fetchedAtNanos());
    }

    private static PartitionInfo withoutLeader(PartitionInfo partition, int epoch) {
        return new PartitionInfo(partition.topic(), partition.partition(), -1, epoch, partition.replicas(),
                partition.isr(), partition.offlineReplicas());
    }
}
