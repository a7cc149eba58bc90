package io.brook.broker.internal.grpc;

import io.brook.api.internal.controller.AlterConfigOp;
import io.brook.api.internal.controller.AlterConfigsResource;
import io.brook.api.internal.controller.AlterConfigsResourceResult;
import io.brook.api.internal.controller.AlterableConfig;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreatableTopicResult;
import io.brook.api.internal.controller.CreatePartitionsTopic;
import io.brook.api.internal.controller.CreatePartitionsTopicResult;
import io.brook.api.internal.controller.DeletableTopicResult;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.v1.AlterConfigEntry;
import io.brook.api.v1.AlterConfigsResourceRequest;
import io.brook.api.v1.AlterConfigsResult;
import io.brook.api.v1.ConfigResourceKind;
import io.brook.api.v1.ConfigResourceRef;
import io.brook.api.v1.CreatePartitionsResult;
import io.brook.api.v1.CreateTopicResult;
import io.brook.api.v1.DeleteTopicResult;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.NewPartitions;
import io.brook.api.v1.NewTopic;
import io.brook.metadata.Uuids;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The admin service's translations between the public API ({@code brook.v1}, imported here) and
 * the controller's internal messages ({@code brook.internal.controller}, written out in full
 * where the simple names clash). Pure and stateless.
 *
 * <p>Answers come back per item (topic or config resource): the controller's per-item code and
 * message pass through unchanged; a top-level controller error other than {@code NONE} (for
 * example {@code NOT_CONTROLLER} when no controller took the request) becomes every requested
 * item's outcome; an item the controller's answer does not mention gets
 * {@code UNKNOWN_SERVER_ERROR}, so that every requested item is answered.
 *
 * <p>Config resources: {@code TOPIC} is {@code CONFIG_RESOURCE_TOPIC}; {@code BROKER} with a
 * broker id is {@code CONFIG_RESOURCE_BROKER}, and {@code BROKER} with an empty name (the
 * cluster-wide broker default, as admin.proto defines it) is {@code CONFIG_RESOURCE_CLUSTER}.
 */
final class AdminTranslations {
    private AdminTranslations() {}

    // ------------------------------------------------------------------------------ create topics

    static io.brook.api.internal.controller.CreateTopicsRequest toController(
            io.brook.api.v1.CreateTopicsRequest request) {
        var out = io.brook.api.internal.controller.CreateTopicsRequest.newBuilder()
                .setValidateOnly(request.getValidateOnly());
        for (NewTopic topic : request.getTopicsList()) {
            out.addTopics(CreatableTopic.newBuilder()
                    .setName(topic.getName())
                    .setNumPartitions(topic.getNumPartitions())
                    .setReplicationFactor(topic.getReplicationFactor())
                    .putAllConfigs(topic.getConfigsMap()));
        }
        return out.build();
    }

    static io.brook.api.v1.CreateTopicsResponse fromController(io.brook.api.v1.CreateTopicsRequest request,
            io.brook.api.internal.controller.CreateTopicsResponse answer) {
        var error = answer.getError();
        if (error.getCode() != ErrorCode.NONE) {
            return createTopicsFailed(request, error.getCode(), controllerMessage(error));
        }
        var out = io.brook.api.v1.CreateTopicsResponse.newBuilder();
        Set<String> answered = new HashSet<>();
        for (CreatableTopicResult result : answer.getTopicsList()) {
            answered.add(result.getName());
            CreateTopicResult.Builder topic = CreateTopicResult.newBuilder()
                    .setName(result.getName())
                    .setErrorCode(result.getErrorCode())
                    .setErrorMessage(result.getErrorMessage())
                    .setNumPartitions(result.getNumPartitions())
                    .setReplicationFactor(result.getReplicationFactor());
            if (result.hasTopicId()) {
                topic.setTopicId(MetadataResponses.topicId(Uuids.fromProto(result.getTopicId())));
            }
            out.addTopics(topic);
        }
        addUnanswered(request.getTopicsList(), NewTopic::getName, answered,
                (name, message) -> out.addTopics(createTopicResult(name, ErrorCode.UNKNOWN_SERVER_ERROR, message)));
        return out.build();
    }

    static io.brook.api.v1.CreateTopicsResponse createTopicsFailed(io.brook.api.v1.CreateTopicsRequest request,
            ErrorCode code, String message) {
        var out = io.brook.api.v1.CreateTopicsResponse.newBuilder();
        request.getTopicsList().forEach(topic -> out.addTopics(createTopicResult(topic.getName(), code, message)));
        return out.build();
    }

    private static CreateTopicResult createTopicResult(String name, ErrorCode code, String message) {
        return CreateTopicResult.newBuilder().setName(name).setErrorCode(code).setErrorMessage(message).build();
    }

    // ------------------------------------------------------------------------------ delete topics

    static io.brook.api.internal.controller.DeleteTopicsRequest toController(
            io.brook.api.v1.DeleteTopicsRequest request) {
        return io.brook.api.internal.controller.DeleteTopicsRequest.newBuilder()
                .addAllNames(request.getNamesList())
                .build();
    }

    static io.brook.api.v1.DeleteTopicsResponse fromController(io.brook.api.v1.DeleteTopicsRequest request,
            io.brook.api.internal.controller.DeleteTopicsResponse answer) {
        var error = answer.getError();
        if (error.getCode() != ErrorCode.NONE) {
            return deleteTopicsFailed(request, error.getCode(), controllerMessage(error));
        }
        var out = io.brook.api.v1.DeleteTopicsResponse.newBuilder();
        Set<String> answered = new HashSet<>();
        for (DeletableTopicResult result : answer.getTopicsList()) {
            answered.add(result.getName());
            out.addTopics(deleteTopicResult(result.getName(), result.getErrorCode(), result.getErrorMessage()));
        }
        addUnanswered(request.getNamesList(), Function.identity(), answered,
                (name, message) -> out.addTopics(deleteTopicResult(name, ErrorCode.UNKNOWN_SERVER_ERROR, message)));
        return out.build();
    }

    static io.brook.api.v1.DeleteTopicsResponse deleteTopicsFailed(io.brook.api.v1.DeleteTopicsRequest request,
            ErrorCode code, String message) {
        var out = io.brook.api.v1.DeleteTopicsResponse.newBuilder();
        request.getNamesList().forEach(name -> out.addTopics(deleteTopicResult(name, code, message)));
        return out.build();
    }

    private static DeleteTopicResult deleteTopicResult(String name, ErrorCode code, String message) {
        return DeleteTopicResult.newBuilder().setName(name).setErrorCode(code).setErrorMessage(message).build();
    }

    // -------------------------------------------------------------------------- create partitions

    static io.brook.api.internal.controller.CreatePartitionsRequest toController(
            io.brook.api.v1.CreatePartitionsRequest request) {
        var out = io.brook.api.internal.controller.CreatePartitionsRequest.newBuilder()
                .setValidateOnly(request.getValidateOnly());
        for (NewPartitions topic : request.getTopicsList()) {
            out.addTopics(CreatePartitionsTopic.newBuilder().setName(topic.getTopic()).setCount(topic.getCount()));
        }
        return out.build();
    }

    static io.brook.api.v1.CreatePartitionsResponse fromController(io.brook.api.v1.CreatePartitionsRequest request,
            io.brook.api.internal.controller.CreatePartitionsResponse answer) {
        var error = answer.getError();
        if (error.getCode() != ErrorCode.NONE) {
            return createPartitionsFailed(request, error.getCode(), controllerMessage(error));
        }
        var out = io.brook.api.v1.CreatePartitionsResponse.newBuilder();
        Set<String> answered = new HashSet<>();
        for (CreatePartitionsTopicResult result : answer.getTopicsList()) {
            answered.add(result.getName());
            out.addTopics(createPartitionsResult(result.getName(), result.getErrorCode(), result.getErrorMessage()));
        }
        addUnanswered(request.getTopicsList(), NewPartitions::getTopic, answered,
                (name, message) -> out.addTopics(createPartitionsResult(name, ErrorCode.UNKNOWN_SERVER_ERROR, message)));
        return out.build();
    }

    static io.brook.api.v1.CreatePartitionsResponse createPartitionsFailed(
            io.brook.api.v1.CreatePartitionsRequest request, ErrorCode code, String message) {
        var out = io.brook.api.v1.CreatePartitionsResponse.newBuilder();
        request.getTopicsList().forEach(topic -> out.addTopics(createPartitionsResult(topic.getTopic(), code, message)));
        return out.build();
    }

    private static CreatePartitionsResult createPartitionsResult(String topic, ErrorCode code, String message) {
        return CreatePartitionsResult.newBuilder().setTopic(topic).setErrorCode(code).setErrorMessage(message).build();
    }

    // ---------------------------------------------------------------------------- alter configs

    /**
     * The first entry whose operation this broker does not know (a newer client), described; null
     * when every operation is known. Such a request is refused as a whole rather than guessed at.
     */
    static String unknownOperation(io.brook.api.v1.IncrementalAlterConfigsRequest request) {
        for (AlterConfigsResourceRequest resource : request.getResourcesList()) {
            for (AlterConfigEntry entry : resource.getEntriesList()) {
                if (entry.getOp() == AlterConfigEntry.Op.UNRECOGNIZED) {
                    return "Unknown operation " + entry.getOpValue() + " for config '" + entry.getName() + "' of "
                            + describe(resource.getResource()) + "; nothing was changed.";
                }
            }
        }
        return null;
    }

    /** Call only when {@link #unknownOperation} found none. */
    static io.brook.api.internal.controller.IncrementalAlterConfigsRequest toController(
            io.brook.api.v1.IncrementalAlterConfigsRequest request) {
        var out = io.brook.api.internal.controller.IncrementalAlterConfigsRequest.newBuilder()
                .setValidateOnly(request.getValidateOnly());
        for (AlterConfigsResourceRequest resource : request.getResourcesList()) {
            AlterConfigsResource.Builder target = AlterConfigsResource.newBuilder()
                    .setResourceType(resourceType(resource.getResource()))
                    .setResourceName(resource.getResource().getName());
            for (AlterConfigEntry entry : resource.getEntriesList()) {
                target.addConfigs(AlterableConfig.newBuilder()
                        .setName(entry.getName())
                        .setOp(entry.getOp() == AlterConfigEntry.Op.DELETE
                                ? AlterConfigOp.ALTER_CONFIG_DELETE : AlterConfigOp.ALTER_CONFIG_SET)
                        .setValue(entry.getValue()));
            }
            out.addResources(target);
        }
        return out.build();
    }

    static io.brook.api.v1.IncrementalAlterConfigsResponse fromController(
            io.brook.api.v1.IncrementalAlterConfigsRequest request,
            io.brook.api.internal.controller.IncrementalAlterConfigsResponse answer) {
        var error = answer.getError();
        if (error.getCode() != ErrorCode.NONE) {
            return alterConfigsFailed(request, error.getCode(), controllerMessage(error));
        }
        var out = io.brook.api.v1.IncrementalAlterConfigsResponse.newBuilder();
        Set<ConfigResourceRef> answered = new HashSet<>();
        for (AlterConfigsResourceResult result : answer.getResourcesList()) {
            ConfigResourceRef resource = resourceRef(result.getResourceType(), result.getResourceName());
            answered.add(resource);
            out.addResults(alterConfigsResult(resource, result.getErrorCode(), result.getErrorMessage()));
        }
        for (AlterConfigsResourceRequest resource : request.getResourcesList()) {
            ConfigResourceRef asAnswered = resourceRef(resourceType(resource.getResource()), resource.getResource().getName());
            if (answered.add(asAnswered)) {
                out.addResults(alterConfigsResult(resource.getResource(), ErrorCode.UNKNOWN_SERVER_ERROR,
                        notAnswered(describe(resource.getResource()))));
            }
        }
        return out.build();
    }

    static io.brook.api.v1.IncrementalAlterConfigsResponse alterConfigsFailed(
            io.brook.api.v1.IncrementalAlterConfigsRequest request, ErrorCode code, String message) {
        var out = io.brook.api.v1.IncrementalAlterConfigsResponse.newBuilder();
        request.getResourcesList().forEach(r -> out.addResults(alterConfigsResult(r.getResource(), code, message)));
        return out.build();
    }

    private static AlterConfigsResult alterConfigsResult(ConfigResourceRef resource, ErrorCode code, String message) {
        return AlterConfigsResult.newBuilder().setResource(resource).setErrorCode(code).setErrorMessage(message).build();
    }

    /** The controller's resource type for a public resource (see the class comment). */
    static ConfigResourceType resourceType(ConfigResourceRef resource) {
        return switch (resource.getKind()) {
            case TOPIC -> ConfigResourceType.CONFIG_RESOURCE_TOPIC;
            case BROKER -> resource.getName().isEmpty()
                    ? ConfigResourceType.CONFIG_RESOURCE_CLUSTER : ConfigResourceType.CONFIG_RESOURCE_BROKER;
            default -> ConfigResourceType.CONFIG_RESOURCE_UNKNOWN;
        };
    }

    /** The public resource for a controller resource type and name (the inverse of {@link #resourceType}). */
    static ConfigResourceRef resourceRef(ConfigResourceType type, String name) {
        return switch (type) {
            case CONFIG_RESOURCE_TOPIC -> ConfigResourceRef.newBuilder().setKind(ConfigResourceKind.TOPIC).setName(name).build();
            case CONFIG_RESOURCE_BROKER -> ConfigResourceRef.newBuilder().setKind(ConfigResourceKind.BROKER).setName(name).build();
            case CONFIG_RESOURCE_CLUSTER -> ConfigResourceRef.newBuilder().setKind(ConfigResourceKind.BROKER).setName("").build();
            default -> ConfigResourceRef.newBuilder().setKind(ConfigResourceKind.CONFIG_RESOURCE_KIND_UNKNOWN)
                    .setName(name).build();
        };
    }

    static String describe(ConfigResourceRef resource) {
        return switch (resource.getKind()) {
            case TOPIC -> "topic " + resource.getName();
            case BROKER -> resource.getName().isEmpty() ? "the cluster-wide broker default" : "broker " + resource.getName();
            default -> "resource " + resource.getName() + " of unknown kind " + resource.getKindValue();
        };
    }

    // ---------------------------------------------------------------------------------- helpers

    private static String controllerMessage(io.brook.api.internal.controller.ControllerError error) {
        return error.getMessage().isEmpty() ? "The controller answered " + error.getCode() + "." : error.getMessage();
    }

    private static String notAnswered(String item) {
        return "The controller's answer did not mention '" + item + "'; its outcome is unknown.";
    }

    private static <T> void addUnanswered(List<T> requested, Function<T, String> nameOf, Set<String> answered,
            BiConsumer<String, String> add) {
        for (T item : requested) {
            String name = nameOf.apply(item);
            if (answered.add(name)) {
                add.accept(name, notAnswered(name));
            }
        }
    }
}
