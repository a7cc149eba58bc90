package io.brook.metadata.internal.grpc;

import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.DescribeQuorumRequest;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.WatchMetadataRequest;
import io.brook.metadata.internal.QuorumAdmin;
import io.brook.metadata.internal.controller.QuorumController;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller service over gRPC: every unary call goes to the {@link QuorumController}'s event
 * loop and is answered when its future completes. Outcomes are in the response's error fields;
 * a gRPC error status means the call itself failed (controller shut down, internal error).
 */
public final class ControllerGrpcService extends ControllerServiceGrpc.ControllerServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ControllerGrpcService.class);

    private final QuorumController controller;
    private final QuorumAdmin admin;
    private final BiConsumer<WatchMetadataRequest, StreamObserver<MetadataUpdate>> watch;

    public ControllerGrpcService(QuorumController controller, QuorumAdmin admin,
            BiConsumer<WatchMetadataRequest, StreamObserver<MetadataUpdate>> watch) {
        this.controller = controller;
        this.admin = admin;
        this.watch = watch;
    }

    private static <T> void reply(CompletableFuture<T> future, StreamObserver<T> out) {
        future.whenComplete((response, error) -> {
            if (error != null) {
                log.debug("Controller call failed", error);
                out.onError(Status.UNAVAILABLE.withDescription(String.valueOf(error.getMessage()))
                        .withCause(error).asRuntimeException());
            } else {
                out.onNext(response);
                out.onCompleted();
            }
        });
    }

    @Override
    public void registerBroker(io.brook.api.internal.controller.RegisterBrokerRequest request,
            StreamObserver<io.brook.api.internal.controller.RegisterBrokerResponse> out) {
        reply(controller.registerBroker(request), out);
    }

    @Override
    public void brokerHeartbeat(io.brook.api.internal.controller.BrokerHeartbeatRequest request,
            StreamObserver<io.brook.api.internal.controller.BrokerHeartbeatResponse> out) {
        reply(controller.brokerHeartbeat(request), out);
    }

    @Override
    public void createTopics(io.brook.api.internal.controller.CreateTopicsRequest request,
            StreamObserver<io.brook.api.internal.controller.CreateTopicsResponse> out) {
        reply(controller.createTopics(request), out);
    }

    @Override
    public void deleteTopics(io.brook.api.internal.controller.DeleteTopicsRequest request,
            StreamObserver<io.brook.api.internal.controller.DeleteTopicsResponse> out) {
        reply(controller.deleteTopics(request), out);
    }

    @Override
    public void createPartitions(io.brook.api.internal.controller.CreatePartitionsRequest request,
            StreamObserver<io.brook.api.internal.controller.CreatePartitionsResponse> out) {
        reply(controller.createPartitions(request), out);
    }

    @Override
    public void alterPartition(io.brook.api.internal.controller.AlterPartitionRequest request,
            StreamObserver<io.brook.api.internal.controller.AlterPartitionResponse> out) {
        reply(controller.alterPartition(request), out);
    }

    @Override
    public void electLeaders(io.brook.api.internal.controller.ElectLeadersRequest request,
            StreamObserver<io.brook.api.internal.controller.ElectLeadersResponse> out) {
        reply(controller.electLeaders(request), out);
    }

    @Override
    public void incrementalAlterConfigs(io.brook.api.internal.controller.IncrementalAlterConfigsRequest request,
            StreamObserver<io.brook.api.internal.controller.IncrementalAlterConfigsResponse> out) {
        reply(controller.incrementalAlterConfigs(request), out);
    }

    @Override
    public void createAcls(io.brook.api.internal.controller.CreateAclsRequest request,
            StreamObserver<io.brook.api.internal.controller.CreateAclsResponse> out) {
        reply(controller.createAcls(request), out);
    }

    @Override
    public void deleteAcls(io.brook.api.internal.controller.DeleteAclsRequest request,
            StreamObserver<io.brook.api.internal.controller.DeleteAclsResponse> out) {
        reply(controller.deleteAcls(request), out);
    }

    @Override
    public void allocateProducerIds(io.brook.api.internal.controller.AllocateProducerIdsRequest request,
            StreamObserver<io.brook.api.internal.controller.AllocateProducerIdsResponse> out) {
        reply(controller.allocateProducerIds(request), out);
    }

    @Override
    public void describeQuorum(DescribeQuorumRequest request, StreamObserver<DescribeQuorumResponse> out) {
        try {
            out.onNext(admin.describeQuorum());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void addRaftVoter(io.brook.api.internal.controller.AddRaftVoterRequest request,
            StreamObserver<io.brook.api.internal.controller.AddRaftVoterResponse> out) {
        reply(admin.addVoter(request), out);
    }

    @Override
    public void removeRaftVoter(io.brook.api.internal.controller.RemoveRaftVoterRequest request,
            StreamObserver<io.brook.api.internal.controller.RemoveRaftVoterResponse> out) {
        reply(admin.removeVoter(request), out);
    }

    @Override
    public void watchMetadata(WatchMetadataRequest request, StreamObserver<MetadataUpdate> out) {
        watch.accept(request, out);
    }
}
