package io.brook.client.internal;

import com.google.protobuf.ByteString;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.PartitionInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable snapshot of the cluster as a metadata answer described it: brokers by id and the
 * partitions of the topics asked for. A topic the answer named with an error is kept with it, so
 * that "does not exist" can be told apart from "not asked yet".
 */
public record ClusterView(String clusterId, Map<Integer, BrokerEndpoint> brokers, Map<String, TopicView> topics,
        long fetchedAtNanos) {

    public static final ClusterView EMPTY = new ClusterView("", Map.of(), Map.of(), Long.MIN_VALUE);

    /** One topic: its id (empty when unknown), its error (NONE when it exists) and its partitions in partition order. */
    public record TopicView(String name, ByteString topicId, ErrorCode error, String errorMessage,
            List<PartitionInfo> partitions) {}

    static ClusterView of(MetadataResponse response, long nowNanos) {
        Map<Integer, BrokerEndpoint> brokers = new HashMap<>();
        for (BrokerEndpoint broker : response.getBrokersList()) {
            brokers.put(broker.getBrokerId(), broker);
        }
        Map<String, TopicView> topics = new HashMap<>();
        for (TopicMetadata topic : response.getTopicsList()) {
            topics.put(topic.getName(), new TopicView(topic.getName(), topic.getTopicId(), topic.getErrorCode(),
                    topic.getErrorMessage(), partitions(topic)));
        }
        return new ClusterView(response.getClusterId(), Map.copyOf(brokers), Map.copyOf(topics), nowNanos);
    }

    /** A topic's partitions in partition order; a partition answered with an error has leader -1. */
    public static List<PartitionInfo> partitions(TopicMetadata topic) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (PartitionMetadata p : topic.getPartitionsList()) {
            partitions.add(new PartitionInfo(topic.getName(), p.getPartition(),
                    p.getErrorCode() == ErrorCode.NONE ? p.getLeaderId() : -1, p.getLeaderEpoch(),
                    p.getReplicasList(), p.getIsrList(), p.getOfflineReplicasList()));
        }
        partitions.sort(Comparator.comparingInt(PartitionInfo::partition));
        return List.copyOf(partitions);
    }

    /** This view with the topics of {@code newer} replaced (brokers from {@code newer}). */
    ClusterView merge(ClusterView newer) {
        Map<String, TopicView> merged = new HashMap<>(topics);
        merged.putAll(newer.topics);
        return new ClusterView(newer.clusterId, newer.brokers, Map.copyOf(merged), newer.fetchedAtNanos);
    }

    /** The topic's view, or null when it was never asked about. */
    public TopicView topic(String name) {
        return topics.get(name);
    }

    /** The partition's info, or null when unknown. */
    public PartitionInfo partition(String topic, int partition) {
        TopicView view = topics.get(topic);
        if (view == null || partition < 0 || partition >= view.partitions().size()) {
            return null;
        }
        PartitionInfo info = view.partitions().get(partition);
        return info.partition() == partition ? info : null;
    }
}
