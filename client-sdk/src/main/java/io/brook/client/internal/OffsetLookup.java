package io.brook.client.internal;

import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ListOffsetsPartition;
import io.brook.api.v1.ListOffsetsPartitionResponse;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListOffsetsTopic;
import io.brook.api.v1.ListOffsetsTopicResponse;
import io.brook.client.BrookException;
import io.brook.client.ListOffsetsResultInfo;
import io.brook.client.PartitionInfo;
import io.brook.client.TimeoutException;
import io.brook.client.TopicPartition;
import io.brook.client.UnknownTopicOrPartitionException;
import io.brook.common.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Looks offsets up on each partition's leader ({@code ListOffsets} is answered by the leader
 * only), found through {@link Metadata}. Thread-safe (it keeps no state of its own).
 *
 * <p>Each round refreshes the metadata of the topics still pending, sends one request per leader,
 * and keeps a partition pending when its leader is unknown, its request failed in transit, or it
 * was answered with a retriable code — {@code NOT_LEADER_OR_FOLLOWER} after a leader change, or
 * {@code UNKNOWN_TOPIC_OR_PARTITION} from a leader that has not applied the topic's metadata yet.
 * A topic or partition the metadata says does not exist fails at once.
 */
public final class OffsetLookup {
    private final Metadata metadata;
    private final Clock clock;
    private final long requestTimeoutMs;
    private final Backoff backoff;

    public OffsetLookup(Metadata metadata, Clock clock, long requestTimeoutMs, Backoff backoff) {
        this.metadata = metadata;
        this.clock = clock;
        this.requestTimeoutMs = requestTimeoutMs;
        this.backoff = backoff;
    }

    /**
     * @param timestamps per partition: -2 earliest, -1 latest, otherwise a timestamp in ms
     * @throws UnknownTopicOrPartitionException if a topic or partition does not exist
     * @throws TimeoutException (not indeterminate: nothing changes) if some partition had no answer in time
     * @throws BrookException a partition's non-retriable error
     */
    public Map<TopicPartition, ListOffsetsResultInfo> listOffsets(Map<TopicPartition, Long> timestamps, long timeoutMs) {
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<TopicPartition, Long> pending = new TreeMap<>(timestamps);
        Map<TopicPartition, ListOffsetsResultInfo> results = new HashMap<>();
        Map<TopicPartition, String> lastError = new TreeMap<>();
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds());
                if (remainingMs <= 0) {
                    throw new TimeoutException("Could not list the offsets of " + pending.keySet() + " within "
                            + timeoutMs + " ms (last error: " + lastError.values().stream().distinct().toList() + ").",
                            false);
                }
                Futures.delay(Math.min(backoff.delayMs(attempt - 1), remainingMs));
            }
            long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()));
            ClusterView view;
            try {
                view = Futures.get(metadata.refresh(new TreeSet<>(pending.keySet().stream().map(TopicPartition::topic)
                        .toList())), remainingMs, "metadata of " + pending.keySet());
            } catch (BrookException e) {
                if (!e.retriable()) {
                    throw e;
                }
                pending.keySet().forEach(tp -> lastError.put(tp, e.getMessage()));
                continue;
            }
            Map<Integer, List<TopicPartition>> byLeader = new TreeMap<>();
            for (TopicPartition tp : pending.keySet()) {
                PartitionInfo partition = existing(view, tp);
                if (partition.leader() < 0 || metadata.connection(partition.leader()) == null) {
                    lastError.put(tp, "no leader for " + tp);
                } else {
                    byLeader.computeIfAbsent(partition.leader(), id -> new ArrayList<>()).add(tp);
                }
            }
            Map<Integer, CompletableFuture<ListOffsetsResponse>> answers = new TreeMap<>();
            long attemptMs = Math.max(1, Math.min(requestTimeoutMs, remainingMs));
            byLeader.forEach((leader, partitions) -> answers.put(leader, metadata.connection(leader)
                    .listOffsets(request(partitions, pending), attemptMs)));
            for (Map.Entry<Integer, CompletableFuture<ListOffsetsResponse>> answer : answers.entrySet()) {
                ListOffsetsResponse response;
                try {
                    response = Futures.get(answer.getValue(), attemptMs, "list offsets on broker " + answer.getKey());
                } catch (BrookException e) {
                    if (!e.retriable()) {
                        throw e;
                    }
                    byLeader.get(answer.getKey()).forEach(tp -> lastError.put(tp, e.getMessage()));
                    continue;
                }
                for (ListOffsetsTopicResponse topic : response.getTopicsList()) {
                    for (ListOffsetsPartitionResponse p : topic.getPartitionsList()) {
                        TopicPartition tp = new TopicPartition(topic.getTopic(), p.getPartition());
                        if (!pending.containsKey(tp)) {
                            continue;
                        }
                        if (p.getErrorCode() == ErrorCode.NONE) {
                            results.put(tp, new ListOffsetsResultInfo(p.getOffset(), p.getTimestamp(), p.getLeaderEpoch()));
                            pending.remove(tp);
                        } else if (Errors.retriable(p.getErrorCode())) {
                            lastError.put(tp, p.getErrorCode() + " from broker " + answer.getKey() + " for " + tp);
                        } else {
                            throw Errors.exception(p.getErrorCode(), "Could not list the offsets of " + tp + ": "
                                    + p.getErrorMessage());
                        }
                    }
                }
            }
        }
        return results;
    }

    /** The partition's metadata; throws when the view says the topic or the partition does not exist. */
    private static PartitionInfo existing(ClusterView view, TopicPartition tp) {
        ClusterView.TopicView topic = view.topic(tp.topic());
        if (topic == null || topic.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw new UnknownTopicOrPartitionException("Topic '" + tp.topic() + "' does not exist.");
        }
        if (topic.error() != ErrorCode.NONE) {
            throw Errors.exception(topic.error(), "Could not list the offsets of " + tp + ": " + topic.errorMessage());
        }
        PartitionInfo partition = view.partition(tp.topic(), tp.partition());
        if (partition == null) {
            throw new UnknownTopicOrPartitionException("Partition " + tp + " does not exist: topic '" + tp.topic()
                    + "' has " + topic.partitions().size() + " partition" + (topic.partitions().size() == 1 ? "" : "s")
                    + ".");
        }
        return partition;
    }

    private static ListOffsetsRequest request(List<TopicPartition> partitions, Map<TopicPartition, Long> timestamps) {
        Map<String, ListOffsetsTopic.Builder> topics = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            topics.computeIfAbsent(tp.topic(), name -> ListOffsetsTopic.newBuilder().setTopic(name))
                    .addPartitions(ListOffsetsPartition.newBuilder().setPartition(tp.partition())
                            .setTimestamp(timestamps.get(tp)).setCurrentLeaderEpoch(-1));
        }
        ListOffsetsRequest.Builder request = ListOffsetsRequest.newBuilder();
        topics.values().forEach(request::addTopics);
        return request.build();
    }
}
