package io.brook.broker.internal.grpc;

import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.VoterState;
import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.BrokerState;
import io.brook.api.v1.ConfigResourceRef;
import io.brook.api.v1.CreatePartitionsRequest;
import io.brook.api.v1.CreatePartitionsResponse;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.DeleteTopicsRequest;
import io.brook.api.v1.DeleteTopicsResponse;
import io.brook.api.v1.DescribeClusterRequest;
import io.brook.api.v1.DescribeClusterResponse;
import io.brook.api.v1.DescribeConfigsRequest;
import io.brook.api.v1.DescribeConfigsResponse;
import io.brook.api.v1.DescribeTopicsRequest;
import io.brook.api.v1.DescribeTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.IncrementalAlterConfigsRequest;
import io.brook.api.v1.IncrementalAlterConfigsResponse;
import io.brook.api.v1.ListTopicsRequest;
import io.brook.api.v1.ListTopicsResponse;
import io.brook.api.v1.QuorumVoter;
import io.brook.broker.NodeConfig;
import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public admin service ({@code brook.v1.AdminService}) of a broker. Changes (create and
 * delete topics, create partitions, alter configs) are translated to the controller's requests
 * ({@link AdminTranslations}), forwarded through the {@link ControllerClient}, and answered per
 * item when the controller has committed them. Descriptions (list and describe topics, describe
 * configs) come from the broker's current {@link MetadataImage}, so they may lag a change that was
 * just acknowledged by the time this broker has applied it. DescribeCluster combines the image
 * (brokers, partition counts) with the controller's {@code DescribeQuorum}.
 *
 * <p>Thread-safe: it keeps no mutable state; the image supplier must be safe to call from gRPC
 * threads (the broker publishes its image through a volatile field or similar).
 *
 * <p>Outcomes, as admin.proto promises, are per item: every requested item gets an answer.
 * <ul>
 *   <li>The controller's per-item code and message pass through; a top-level controller error
 *       applies to every item.
 *   <li>When the controller client's future fails (no controller answered before its timeout, or
 *       the client is closed) every item is {@code REQUEST_TIMED_OUT} with a message saying that
 *       the outcome is unknown: the change may still be committed.
 *   <li>An unexpected exception while handling a call makes every item
 *       {@code UNKNOWN_SERVER_ERROR}; only if even that answer cannot be built does the call end
 *       with gRPC status {@code INTERNAL}.
 * </ul>
 * Every call completes its {@link StreamObserver} exactly once, and no handler throws.
 */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(AdminGrpcService.class);

    private final ControllerClient controller;
    private final Supplier<MetadataImage> image;
    private final String clusterId;
    private final String listenerName;
    private final ConfigDescriptions configs;

    /**
     * @param controller forwards changes to the active controller and describes the quorum
     * @param image the broker's current metadata image
     * @param clusterId this cluster's id
     * @param listenerName the listener whose endpoints DescribeCluster reports (for example
     *     {@code "PLAINTEXT"}, the one this service is served on)
     */
    public AdminGrpcService(ControllerClient controller, Supplier<MetadataImage> image, String clusterId,
            String listenerName) {
        this.controller = Objects.requireNonNull(controller, "controller");
        this.image = Objects.requireNonNull(image, "image");
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
        this.configs = new ConfigDescriptions(NodeConfig.TOPIC_DEFINITIONS, NodeConfig.DEFINITIONS);
    }

    // ------------------------------------------------------------------ forwarded to the controller

    @Override
    public void createTopics(CreateTopicsRequest request, StreamObserver<CreateTopicsResponse> out) {
        forward("create-topics", out,
                () -> controller.createTopics(AdminTranslations.toController(request)),
                answer -> AdminTranslations.fromController(request, answer),
                (code, message) -> AdminTranslations.createTopicsFailed(request, code, message));
    }

    @Override
    public void deleteTopics(DeleteTopicsRequest request, StreamObserver<DeleteTopicsResponse> out) {
        forward("delete-topics", out,
                () -> controller.deleteTopics(AdminTranslations.toController(request)),
                answer -> AdminTranslations.fromController(request, answer),
                (code, message) -> AdminTranslations.deleteTopicsFailed(request, code, message));
    }

    @Override
    public void createPartitions(CreatePartitionsRequest request, StreamObserver<CreatePartitionsResponse> out) {
        forward("create-partitions", out,
                () -> controller.createPartitions(AdminTranslations.toController(request)),
                answer -> AdminTranslations.fromController(request, answer),
                (code, message) -> AdminTranslations.createPartitionsFailed(request, code, message));
    }

    @Override
    public void incrementalAlterConfigs(IncrementalAlterConfigsRequest request,
            StreamObserver<IncrementalAlterConfigsResponse> out) {
        BiFunction<ErrorCode, String, IncrementalAlterConfigsResponse> everyItem =
                (code, message) -> AdminTranslations.alterConfigsFailed(request, code, message);
        Optional<String> unknownOperation;
        try {
            unknownOperation = Optional.ofNullable(AdminTranslations.unknownOperation(request));
        } catch (RuntimeException e) {
            answer(out, () -> {
                throw e;
            }, everyItem);
            return;
        }
        if (unknownOperation.isPresent()) {
            answer(out, () -> everyItem.apply(ErrorCode.INVALID_REQUEST, unknownOperation.get()), everyItem);
            return;
        }
        forward("alter-configs", out,
                () -> controller.incrementalAlterConfigs(AdminTranslations.toController(request)),
                answer -> AdminTranslations.fromController(request, answer),
                everyItem);
    }

    // ------------------------------------------------------------------------ from the image

    @Override
    public void listTopics(ListTopicsRequest request, StreamObserver<ListTopicsResponse> out) {
        answer(out, () -> ListTopicsResponse.newBuilder()
                        .addAllTopics(MetadataResponses.topicListings(image.get(), request.getIncludeInternal()))
                        .build(),
                null);
    }

    @Override
    public void describeTopics(DescribeTopicsRequest request, StreamObserver<DescribeTopicsResponse> out) {
        answer(out, () -> DescribeTopicsResponse.newBuilder()
                        .addAllTopics(MetadataResponses.topicDescriptions(image.get(), request.getNamesList()))
                        .build(),
                null);
    }

    @Override
    public void describeConfigs(DescribeConfigsRequest request, StreamObserver<DescribeConfigsResponse> out) {
        answer(out, () -> {
            MetadataImage current = image.get();
            var keys = new HashSet<>(request.getKeysList());
            DescribeConfigsResponse.Builder response = DescribeConfigsResponse.newBuilder();
            for (ConfigResourceRef resource : request.getResourcesList()) {
                response.addResults(configs.describe(current, resource, keys, request.getIncludeDocumentation()));
            }
            return response.build();
        }, (code, message) -> {
            DescribeConfigsResponse.Builder response = DescribeConfigsResponse.newBuilder();
            request.getResourcesList().forEach(resource -> response.addResults(
                    io.brook.api.v1.DescribeConfigsResult.newBuilder().setResource(resource)
                            .setErrorCode(code).setErrorMessage(message)));
            return response.build();
        });
    }

    /**
     * Brokers and partition counts from the image; the controller, its term and the voters' lag
     * from the quorum. When the quorum does not answer (or answers with an error) the image's
     * part is still given, with controller id -1, term -1, no voters, and the error in the
     * response's error fields.
     */
    @Override
    public void describeCluster(DescribeClusterRequest request, StreamObserver<DescribeClusterResponse> out) {
        MetadataImage current;
        CompletableFuture<DescribeQuorumResponse> quorum;
        try {
            current = image.get();
            quorum = Objects.requireNonNull(controller.describeQuorum(), "describeQuorum() returned null");
        } catch (RuntimeException e) {
            log.warn("DescribeCluster failed", e);
            complete(out, null, e);
            return;
        }
        quorum.whenComplete((answer, failure) -> answer(out, () -> describeCluster(current, answer, failure), null));
    }

    private DescribeClusterResponse describeCluster(MetadataImage current, DescribeQuorumResponse quorum,
            Throwable failure) {
        DescribeClusterResponse.Builder response = DescribeClusterResponse.newBuilder()
                .setErrorCode(ErrorCode.NONE)
                .setClusterId(clusterId)
                .setControllerId(-1)
                .setControllerTerm(-1);
        if (failure != null) {
            response.setErrorCode(ErrorCode.REQUEST_TIMED_OUT).setErrorMessage("The controller quorum did not answer ("
                    + describe(failure) + "); controller, term and voters are unknown; brokers and partition "
                    + "counts are from this broker's metadata.");
        } else if (quorum.getError().getCode() != ErrorCode.NONE) {
            response.setErrorCode(quorum.getError().getCode()).setErrorMessage("The controller quorum answered "
                    + quorum.getError().getCode() + " (" + quorum.getError().getMessage() + "); brokers and "
                    + "partition counts are from this broker's metadata.");
        } else {
            response.setControllerId(quorum.getLeaderId()).setControllerTerm(quorum.getTerm());
            quorum.getVotersList().stream().sorted(Comparator.comparingInt(VoterState::getNodeId)).forEach(voter ->
                    response.addVoters(QuorumVoter.newBuilder().setNodeId(voter.getNodeId()).setLag(voter.getLag())));
        }
        current.cluster().brokers().values().stream()
                .sorted(Comparator.comparingInt(BrokerRegistration::id))
                .forEach(broker -> response.addBrokers(BrokerState.newBuilder()
                        .setEndpoint(MetadataResponses.brokerEndpoint(broker, listenerName).orElseGet(() ->
                                BrokerEndpoint.newBuilder().setBrokerId(broker.id())
                                        .setRack(broker.rack().orElse("")).build()))
                        .setFenced(broker.fenced())
                        .setInControlledShutdown(broker.inControlledShutdown())));
        int underReplicated = 0;
        int offline = 0;
        for (var topic : current.topics().topicsById().values()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.isr().size() < partition.replicas().size()) {
                    underReplicated++;
                }
                if (!partition.hasLeader()) {
                    offline++;
                }
            }
        }
        return response.setUnderReplicatedPartitions(underReplicated).setOfflinePartitions(offline).build();
    }

    // ---------------------------------------------------------------------------------- plumbing

    /**
     * Sends one request to the controller and answers with its translation; {@code everyItem}
     * builds the answer in which every requested item has the same code and message.
     */
    private <C, R> void forward(String operation, StreamObserver<R> out, Supplier<CompletableFuture<C>> call,
            Function<C, R> translate, BiFunction<ErrorCode, String, R> everyItem) {
        CompletableFuture<C> future;
        try {
            future = Objects.requireNonNull(call.get(), "the controller client returned no future");
        } catch (RuntimeException e) {
            log.warn("Could not send the {} request to the controller", operation, e);
            answer(out, () -> everyItem.apply(ErrorCode.UNKNOWN_SERVER_ERROR, "The broker failed to send the "
                    + operation + " request to the controller (" + describe(e) + "); nothing was changed."), null);
            return;
        }
        future.whenComplete((answer, failure) -> {
            if (failure != null) {
                log.debug("The {} request got no controller answer", operation, failure);
                answer(out, () -> everyItem.apply(ErrorCode.REQUEST_TIMED_OUT, "No active controller answered the "
                        + operation + " request in time (" + describe(failure) + "); its outcome is unknown: it may "
                        + "or may not have been applied. Check the current state before retrying."), everyItem);
            } else {
                answer(out, () -> translate.apply(answer), everyItem);
            }
        });
    }

    /**
     * Completes {@code out} with {@code response}'s value. If building it throws, answers
     * {@code everyItem(UNKNOWN_SERVER_ERROR, ...)} instead (when given), and if that fails too,
     * ends the call with gRPC status {@code INTERNAL}.
     */
    private static <R> void answer(StreamObserver<R> out, Supplier<R> response,
            BiFunction<ErrorCode, String, R> everyItem) {
        R value;
        try {
            value = response.get();
        } catch (RuntimeException e) {
            log.warn("Admin request failed", e);
            if (everyItem == null) {
                complete(out, null, e);
                return;
            }
            try {
                value = everyItem.apply(ErrorCode.UNKNOWN_SERVER_ERROR, "The broker failed to handle the request: "
                        + describe(e) + ".");
            } catch (RuntimeException second) {
                e.addSuppressed(second);
                complete(out, null, e);
                return;
            }
        }
        complete(out, value, null);
    }

    /** Sends the value, or the failure as {@code INTERNAL}; a cancelled call's observer may throw, which is logged. */
    private static <R> void complete(StreamObserver<R> out, R value, Throwable failure) {
        try {
            if (failure != null) {
                out.onError(Status.INTERNAL.withDescription(describe(failure)).withCause(failure).asRuntimeException());
            } else {
                out.onNext(value);
                out.onCompleted();
            }
        } catch (RuntimeException e) {
            log.debug("Could not send the admin answer (the call was probably cancelled)", e);
        }
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
