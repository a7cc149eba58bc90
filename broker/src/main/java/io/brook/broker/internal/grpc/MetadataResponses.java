package io.brook.broker.internal.grpc;

import com.google.protobuf.ByteString;
import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicDescription;
import io.brook.api.v1.TopicListing;
import io.brook.api.v1.TopicMetadata;
import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.ClusterImage;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Pure functions from the broker's {@link MetadataImage} to the public API's metadata messages
 * ({@code brook.v1} {@code MetadataResponse}, {@code TopicDescription}, {@code TopicListing}).
 * Stateless and thread-safe: the image is immutable and every call builds new messages.
 *
 * <p>Choices made here:
 * <ul>
 *   <li>Topics come out sorted by name when every topic is asked for, and in request order (each
 *       name once) when names are given; partitions by id; brokers by id.
 *   <li>A requested topic the image does not know gets a {@code TopicMetadata} with
 *       {@code UNKNOWN_TOPIC_OR_PARTITION}, a message naming it, and no id or partitions.
 *   <li>A partition without a leader carries {@code LEADER_NOT_AVAILABLE} with a message; its
 *       replicas and ISR are still given.
 *   <li>A replica is offline when its broker is fenced or not registered (a broker in controlled
 *       shutdown is still online).
 *   <li>Live brokers are the registered, unfenced ones (controlled shutdown included, as in
 *       Kafka). A live broker without a listener of the requested name is left out: a client
 *       could not reach it on this listener anyway.
 *   <li>Internal topics are those whose name starts with {@code "__"} (for example
 *       {@code __consumer_offsets}).
 * </ul>
 */
public final class MetadataResponses {
    /** The prefix that makes a topic internal. */
    public static final String INTERNAL_TOPIC_PREFIX = "__";

    private MetadataResponses() {}

    /**
     * The answer to {@code GetMetadata}.
     *
     * @param controllerId the active controller's node id, -1 when unknown
     * @param topics the topics asked for; empty: every topic
     * @param listenerName whose endpoint each broker is given with (for example {@code "PLAINTEXT"})
     */
    public static MetadataResponse metadata(MetadataImage image, String clusterId, int controllerId,
            List<String> topics, String listenerName) {
        MetadataResponse.Builder response = MetadataResponse.newBuilder()
                .setClusterId(clusterId)
                .setControllerId(controllerId);
        image.cluster().brokers().values().stream()
                .filter(broker -> !broker.fenced())
                .sorted(Comparator.comparingInt(BrokerRegistration::id))
                .forEach(broker -> brokerEndpoint(broker, listenerName).ifPresent(response::addBrokers));
        for (String name : topicNames(image, topics)) {
            response.addTopics(topicMetadata(image, name));
        }
        return response.build();
    }

    /**
     * The names to describe: the requested ones in order without repeats, or, when none are
     * requested, every topic of the image sorted by name.
     */
    public static List<String> topicNames(MetadataImage image, List<String> requested) {
        if (requested.isEmpty()) {
            return image.topics().topicsByName().keySet().stream().sorted().toList();
        }
        return List.copyOf(new LinkedHashSet<>(requested));
    }

    /** One topic's metadata; {@code UNKNOWN_TOPIC_OR_PARTITION} when the image has no such topic. */
    public static TopicMetadata topicMetadata(MetadataImage image, String name) {
        TopicImage topic = image.topics().topic(name);
        if (topic == null) {
            return TopicMetadata.newBuilder()
                    .setName(name)
                    .setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                    .setErrorMessage("Topic '" + name + "' does not exist (in this broker's metadata).")
                    .build();
        }
        TopicMetadata.Builder metadata = TopicMetadata.newBuilder()
                .setName(topic.name())
                .setTopicId(topicId(topic.id()))
                .setErrorCode(ErrorCode.NONE);
        topic.partitions().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(p -> metadata.addPartitions(
                        partitionMetadata(image.cluster(), topic.name(), p.getKey(), p.getValue())));
        return metadata.build();
    }

    /** One partition: leader, epochs, replicas, ISR, offline replicas; an error when it has no leader. */
    public static PartitionMetadata partitionMetadata(ClusterImage cluster, String topicName, int partitionId,
            PartitionRegistration partition) {
        PartitionMetadata.Builder metadata = PartitionMetadata.newBuilder()
                .setPartition(partitionId)
                .setErrorCode(ErrorCode.NONE)
                .setLeaderId(partition.leader())
                .setLeaderEpoch(partition.leaderEpoch())
                .addAllReplicas(partition.replicas())
                .addAllIsr(partition.isr());
        for (int replica : partition.replicas()) {
            if (!cluster.isUnfenced(replica)) {
                metadata.addOfflineReplicas(replica);
            }
        }
        if (!partition.hasLeader()) {
            metadata.setLeaderId(PartitionRegistration.NO_LEADER)
                    .setErrorCode(ErrorCode.LEADER_NOT_AVAILABLE)
                    .setErrorMessage("Partition " + topicName + "-" + partitionId + " has no leader: no in-sync "
                            + "replica is available (offline replicas: " + metadata.getOfflineReplicasList() + ").");
        }
        return metadata.build();
    }

    /** {@code DescribeTopics}' answer for one topic: its metadata and its own config entries. */
    public static TopicDescription topicDescription(MetadataImage image, String name) {
        TopicDescription.Builder description = TopicDescription.newBuilder().setMetadata(topicMetadata(image, name));
        if (image.topics().topic(name) != null) {
            description.putAllConfigs(image.configs().configs(ConfigResource.topic(name)));
        }
        return description.build();
    }

    /** {@code DescribeTopics}' answer: the named topics in request order, or every topic by name. */
    public static List<TopicDescription> topicDescriptions(MetadataImage image, List<String> names) {
        List<TopicDescription> descriptions = new ArrayList<>();
        for (String name : topicNames(image, names)) {
            descriptions.add(topicDescription(image, name));
        }
        return descriptions;
    }

    /** {@code ListTopics}' answer: every topic sorted by name, internal ones only when asked for. */
    public static List<TopicListing> topicListings(MetadataImage image, boolean includeInternal) {
        return image.topics().topicsByName().values().stream()
                .filter(topic -> includeInternal || !isInternal(topic.name()))
                .sorted(Comparator.comparing(TopicImage::name))
                .map(MetadataResponses::topicListing)
                .toList();
    }

    public static TopicListing topicListing(TopicImage topic) {
        return TopicListing.newBuilder()
                .setName(topic.name())
                .setTopicId(topicId(topic.id()))
                .setPartitions(topic.partitionCount())
                .setInternal(isInternal(topic.name()))
                .build();
    }

    public static boolean isInternal(String topicName) {
        return topicName.startsWith(INTERNAL_TOPIC_PREFIX);
    }

    /** A topic id as the public API carries it: 16 bytes, most significant half first. */
    public static ByteString topicId(UUID id) {
        return ByteString.copyFrom(ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array());
    }

    /** The broker's endpoint on the named listener; empty when it has no such listener. */
    public static Optional<BrokerEndpoint> brokerEndpoint(BrokerRegistration broker, String listenerName) {
        for (Endpoint endpoint : broker.endpoints()) {
            if (endpoint.getName().equals(listenerName)) {
                return Optional.of(BrokerEndpoint.newBuilder()
                        .setBrokerId(broker.id())
                        .setHost(endpoint.getHost())
                        .setPort(endpoint.getPort())
                        .setRack(broker.rack().orElse(""))
                        .build());
            }
        }
        return Optional.empty();
    }
}
