package io.brook.client.internal;

import com.google.protobuf.ByteString;
import io.brook.api.v1.BrokerState;
import io.brook.api.v1.ConfigResourceKind;
import io.brook.api.v1.ConfigResourceRef;
import io.brook.api.v1.CreatePartitionsResponse;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.DeleteTopicsResponse;
import io.brook.api.v1.DescribeClusterResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.IncrementalAlterConfigsResponse;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.ClusterDescription;
import io.brook.client.ConfigEntry;
import io.brook.client.ConfigResource;
import io.brook.client.CreatedTopic;
import io.brook.client.TopicDescription;
import io.brook.client.TopicListing;
import io.brook.client.internal.AdminCaller.ItemResult;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The admin API's answers ({@code brook.v1} messages) as the SDK's public types. Pure and stateless. */
public final class AdminResponses {
    private AdminResponses() {}

    /** The prefix of the cluster's own topics' names, as the brokers define it. */
    public static final String INTERNAL_TOPIC_PREFIX = "__";

    /** A topic id from its 16 bytes (most significant half first); the zero id when absent. */
    public static UUID topicId(ByteString bytes) {
        if (bytes.size() != 16) {
            return new UUID(0, 0);
        }
        ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
        return new UUID(buffer.getLong(), buffer.getLong());
    }

    public static List<ItemResult<CreatedTopic>> created(CreateTopicsResponse response) {
        return response.getTopicsList().stream().map(t -> new ItemResult<>(t.getName(), t.getErrorCode(),
                t.getErrorMessage(), new CreatedTopic(t.getName(), topicId(t.getTopicId()), t.getNumPartitions(),
                        t.getReplicationFactor()))).toList();
    }

    public static List<ItemResult<Boolean>> deleted(DeleteTopicsResponse response) {
        return response.getTopicsList().stream().map(t -> new ItemResult<>(t.getName(), t.getErrorCode(),
                t.getErrorMessage(), true)).toList();
    }

    public static List<ItemResult<Boolean>> partitionsCreated(CreatePartitionsResponse response) {
        return response.getTopicsList().stream().map(t -> new ItemResult<>(t.getTopic(), t.getErrorCode(),
                t.getErrorMessage(), true)).toList();
    }

    /** The answer for {@code resource}, keyed by its {@link ConfigResource#toString()}. */
    public static List<ItemResult<Boolean>> altered(IncrementalAlterConfigsResponse response, ConfigResource resource) {
        ConfigResourceRef ref = ref(resource);
        return response.getResultsList().stream().filter(r -> r.getResource().equals(ref))
                .map(r -> new ItemResult<>(resource.toString(), r.getErrorCode(), r.getErrorMessage(), true)).toList();
    }

    public static TopicListing listing(io.brook.api.v1.TopicListing topic) {
        return new TopicListing(topic.getName(), topicId(topic.getTopicId()), topic.getPartitions(), topic.getInternal());
    }

    /** Call for a topic described without error. */
    public static TopicDescription description(io.brook.api.v1.TopicDescription topic) {
        TopicMetadata metadata = topic.getMetadata();
        return new TopicDescription(metadata.getName(), topicId(metadata.getTopicId()),
                metadata.getName().startsWith(INTERNAL_TOPIC_PREFIX), ClusterView.partitions(metadata),
                topic.getConfigsMap());
    }

    public static ConfigEntry configEntry(io.brook.api.v1.ConfigEntry entry) {
        ConfigEntry.Source source = switch (entry.getSource()) {
            case DEFAULT -> ConfigEntry.Source.DEFAULT;
            case STATIC -> ConfigEntry.Source.STATIC;
            case DYNAMIC -> ConfigEntry.Source.DYNAMIC;
            case DYNAMIC_DEFAULT -> ConfigEntry.Source.DYNAMIC_DEFAULT;
            default -> ConfigEntry.Source.UNKNOWN;
        };
        return new ConfigEntry(entry.getName(), entry.hasValue() ? Optional.of(entry.getValue()) : Optional.empty(),
                source, entry.getReadOnly(), entry.getDocumentation());
    }

    /** The source a value set on {@code resource} itself is reported with. */
    public static ConfigEntry.Source ownSource(ConfigResource resource) {
        return resource.type() == ConfigResource.Type.BROKER && resource.name().isEmpty()
                ? ConfigEntry.Source.DYNAMIC_DEFAULT : ConfigEntry.Source.DYNAMIC;
    }

    public static ConfigResourceRef ref(ConfigResource resource) {
        return ConfigResourceRef.newBuilder().setKind(switch (resource.type()) {
            case TOPIC -> ConfigResourceKind.TOPIC;
            case BROKER -> ConfigResourceKind.BROKER;
        }).setName(resource.name()).build();
    }

    public static ClusterDescription cluster(DescribeClusterResponse response) {
        List<ClusterDescription.Voter> voters = response.getVotersList().stream()
                .map(v -> new ClusterDescription.Voter(v.getNodeId(), v.getLag())).toList();
        List<ClusterDescription.Broker> brokers = response.getBrokersList().stream().map(AdminResponses::broker).toList();
        Optional<String> quorumError = response.getErrorCode() == ErrorCode.NONE ? Optional.empty()
                : Optional.of(response.getErrorMessage().isEmpty() ? response.getErrorCode().name()
                        : response.getErrorMessage());
        return new ClusterDescription(response.getClusterId(), response.getControllerId(),
                response.getControllerTerm(), voters, brokers, response.getUnderReplicatedPartitions(),
                response.getOfflinePartitions(), quorumError);
    }

    private static ClusterDescription.Broker broker(BrokerState state) {
        var endpoint = state.getEndpoint();
        return new ClusterDescription.Broker(endpoint.getBrokerId(), endpoint.getHost(), endpoint.getPort(),
                endpoint.getRack().isEmpty() ? Optional.empty() : Optional.of(endpoint.getRack()), state.getFenced(),
                state.getInControlledShutdown());
    }
}
