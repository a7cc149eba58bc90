package io.brook.client.internal;

import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ListOffsetsPartition;
import io.brook.api.v1.ListOffsetsPartitionResponse;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListOffsetsTopic;
import io.brook.api.v1.ListOffsetsTopicResponse;
import io.brook.client.BrookException;
import io.brook.client.OffsetAndTimestamp;
import io.brook.client.OffsetSpec;
import io.brook.client.PartitionInfo;
import io.brook.client.TimeoutException;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Looks offsets up at each partition's leader (ListOffsets), refreshing metadata and retrying
 * leadership and propagation errors with backoff until the timeout. Used by the consumer (seeks,
 * resets) and the admin client.
 */
public final class OffsetLookup {
    private final Metadata metadata;
    private final Clock clock;
    private final Backoff backoff;
    private final long requestTimeoutMs;
    private static final int UNKNOWN_TOPIC_ATTEMPTS = 4;

    public OffsetLookup(Metadata metadata, Clock clock, Backoff backoff, long requestTimeoutMs) {
        this.metadata = metadata;
        this.clock = clock;
        this.backoff = backoff;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    /** The offsets for {@code specs}, within {@code timeoutMs}. */
    public Map<TopicPartition, OffsetAndTimestamp> lookup(Map<TopicPartition, OffsetSpec> specs, long timeoutMs) {
        Map<TopicPartition, OffsetAndTimestamp> found = new HashMap<>();
        Map<TopicPartition, OffsetSpec> pending = new LinkedHashMap<>(specs);
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        BrookException last = null;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds());
            if (remainingMs <= 0) {
                throw new TimeoutException("timed out after " + timeoutMs + " ms looking up offsets of "
                        + pending.keySet() + (last == null ? "" : ": " + last.getMessage()), false, last);
            }
            Set<String> topics = pending.keySet().stream().map(TopicPartition::topic).collect(Collectors.toSet());
            ClusterView view;
            try {
                view = metadata.await(topics, v -> pending.keySet().stream().allMatch(tp -> known(v, tp)
                        || unknown(v, tp) != null), remainingMs, "the leaders of " + pending.keySet());
            } catch (TimeoutException e) {
                throw last != null && !last.retriable() ? last : e;
            }
            Map<Integer, Map<TopicPartition, OffsetSpec>> byLeader = new HashMap<>();
            boolean retry = false;
            for (Map.Entry<TopicPartition, OffsetSpec> entry : pending.entrySet()) {
                BrookException unknown = unknown(view, entry.getKey());
                if (unknown != null) {
                    // Right after a topic is created, a broker may not know it yet: ask a few times.
                    if (attempt >= UNKNOWN_TOPIC_ATTEMPTS) {
                        throw unknown;
                    }
                    last = unknown;
                    retry = true;
                    continue;
                }
                PartitionInfo info = view.partition(entry.getKey().topic(), entry.getKey().partition());
                byLeader.computeIfAbsent(info.leader(), l -> new LinkedHashMap<>()).put(entry.getKey(), entry.getValue());
            }
            for (Map.Entry<Integer, Map<TopicPartition, OffsetSpec>> entry : byLeader.entrySet()) {
                Connection connection = metadata.connection(entry.getKey());
                try {
                    ListOffsetsResponse response = Futures.get(connection.listOffsets(request(entry.getValue()),
                            Math.min(requestTimeoutMs, Math.max(1, remainingMs))), requestTimeoutMs, "ListOffsets");
                    for (ListOffsetsTopicResponse topic : response.getTopicsList()) {
                        for (ListOffsetsPartitionResponse p : topic.getPartitionsList()) {
                            TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                            if (p.getErrorCode() == ErrorCode.NONE) {
                                found.put(tp, new OffsetAndTimestamp(p.getOffset(), p.getTimestamp()));
                                pending.remove(tp);
                            } else {
                                BrookException error = Errors.exception(p.getErrorCode(), p.getErrorMessage());
                                if (!error.retriable()) {
                                    throw error;
                                }
                                last = error;
                                retry = true;
                            }
                        }
                    }
                } catch (BrookException e) {
                    if (!e.retriable()) {
                        throw e;
                    }
                    last = e;
                    retry = true;
                }
            }
            if (retry) {
                metadata.refresh(topics);
                long wait = Math.min(backoff.delayMs(attempt), TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()));
                if (wait > 0) {
                    Futures.delay(wait);
                }
            }
        }
        return found;
    }

    private static boolean known(ClusterView view, TopicPartition tp) {
        PartitionInfo info = view.partition(tp.topic(), tp.partition());
        return info != null && !info.offline();
    }

    /** The error for a partition the view says does not exist, or null. */
    static BrookException unknown(ClusterView view, TopicPartition tp) {
        ClusterView.TopicView topic = view.topic(tp.topic());
        if (topic != null && topic.error() != ErrorCode.NONE) {
            return Errors.exception(topic.error(), "Topic '" + tp.topic() + "': " + topic.errorMessage());
        }
        if (topic != null && (tp.partition() < 0 || tp.partition() >= topic.partitions().size())) {
            return Errors.exception(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Partition " + tp.partition()
                    + " of topic '" + tp.topic() + "' does not exist (it has " + topic.partitions().size() + ").");
        }
        return null;
    }

    private static ListOffsetsRequest request(Map<TopicPartition, OffsetSpec> specs) {
        Map<String, ListOffsetsTopic.Builder> topics = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, OffsetSpec> entry : specs.entrySet()) {
            topics.computeIfAbsent(entry.getKey().topic(), t -> ListOffsetsTopic.newBuilder().setTopic(t))
                    .addPartitions(ListOffsetsPartition.newBuilder().setPartition(entry.getKey().partition())
                            .setTimestamp(entry.getValue().wireTimestamp()).setCurrentLeaderEpoch(-1));
        }
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder();
        topics.values().forEach(request::addTopics);
        return request.build();
    }
}
