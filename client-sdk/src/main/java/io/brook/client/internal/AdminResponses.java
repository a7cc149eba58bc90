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
import io.brook.api.v1.CommittedOffset;
import io.brook.api.v1.GroupMemberDescription;
import io.brook.api.v1.IncrementalAlterConfigsResponse;
import io.brook.api.v1.OffsetCommitPartition;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitTopic;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.api.v1.TopicMetadata;
import io.brook.api.v1.TopicPartitions;
import io.brook.client.ClusterDescription;
import io.brook.client.ConfigEntry;
import io.brook.client.ConfigResource;
import io.brook.client.CreatedTopic;
import io.brook.client.GroupListing;
import io.brook.client.GroupState;
import io.brook.client.MemberDescription;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.TopicDescription;
import io.brook.client.TopicListing;
import io.brook.client.TopicPartition;
import io.brook.client.internal.AdminCaller.ItemResult;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    // ---------------------------------------------------------------------------------- groups

    public static GroupListing groupListing(io.brook.api.v1.GroupListing group) {
        return new GroupListing(group.getGroupId(), GroupState.parse(group.getState()), group.getGroupType(),
                group.getCoordinatorId());
    }

    public static MemberDescription member(GroupMemberDescription member) {
        return new MemberDescription(member.getMemberId(), optional(member.getInstanceId()), member.getClientId(),
                member.getClientHost(), member.getMemberEpoch(), member.getSubscribedTopicNamesList(),
                optional(member.getSubscribedTopicRegex()), partitions(member.getAssignmentList()),
                partitions(member.getTargetAssignmentList()));
    }

    /** Topic-partition lists as one set in topic-then-partition order. */
    public static Set<TopicPartition> partitions(List<TopicPartitions> topics) {
        Set<TopicPartition> partitions = new TreeSet<>();
        for (TopicPartitions topic : topics) {
            topic.getPartitionsList().forEach(p -> partitions.add(new TopicPartition(topic.getTopic(), p)));
        }
        return Collections.unmodifiableSet(partitions);
    }

    /** A commit of {@code offsets} by no member (empty member id, epoch -1), by topic then partition. */
    public static OffsetCommitRequest commitWithoutMember(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<String, OffsetCommitTopic.Builder> topics = new TreeMap<>();
        new TreeMap<>(offsets).forEach((tp, offset) -> topics.computeIfAbsent(tp.topic(),
                name -> OffsetCommitTopic.newBuilder().setTopic(name)).addPartitions(OffsetCommitPartition.newBuilder()
                        .setPartition(tp.partition()).setOffset(offset.offset())
                        .setLeaderEpoch(offset.leaderEpoch().orElse(-1)).setMetadata(offset.metadata())));
        OffsetCommitRequest.Builder request = OffsetCommitRequest.newBuilder().setGroupId(group).setMemberId("")
                .setMemberEpoch(-1);
        topics.values().forEach(request::addTopics);
        return request.build();
    }

    /** The committed offsets of an answer without a group-level error, by topic then partition; -1 (none) left out. */
    public static Map<TopicPartition, OffsetAndMetadata> committed(OffsetFetchResponse response) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>();
        for (CommittedOffset offset : response.getOffsetsList()) {
            if (offset.getOffset() >= 0) {
                offsets.put(new TopicPartition(offset.getTopic(), offset.getPartition()),
                        new OffsetAndMetadata(offset.getOffset(), offset.getLeaderEpoch() >= 0
                                ? Optional.of(offset.getLeaderEpoch()) : Optional.empty(), offset.getMetadata()));
            }
        }
        return Collections.unmodifiableMap(offsets);
    }

    private static Optional<String> optional(String text) {
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
