package io.brook.broker.internal.grpc;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.Coordinator;
import io.brook.api.v1.DeleteGroupResult;
import io.brook.api.v1.DeleteGroupsRequest;
import io.brook.api.v1.DeleteGroupsResponse;
import io.brook.api.v1.DescribeGroupsRequest;
import io.brook.api.v1.DescribeGroupsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FindCoordinatorRequest;
import io.brook.api.v1.FindCoordinatorResponse;
import io.brook.api.v1.GroupDescription;
import io.brook.api.v1.GroupServiceGrpc;
import io.brook.api.v1.ListGroupsRequest;
import io.brook.api.v1.ListGroupsResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.broker.internal.groups.GroupCoordinatorRuntime;
import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public {@code brook.v1.GroupService}: finds coordinators, and hands every group call to the
 * {@link GroupCoordinatorRuntime} (which answers NOT_COORDINATOR for groups it does not coordinate).
 */
final class GroupGrpcService extends GroupServiceGrpc.GroupServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(GroupGrpcService.class);
    private static final Context.Key<String> CLIENT_HOST = Context.key("brook-client-host");

    private final GroupCoordinatorRuntime groups;
    private final Supplier<MetadataImage> image;
    private final String listenerName;
    private final LongSupplier nowMs;

    GroupGrpcService(GroupCoordinatorRuntime groups, Supplier<MetadataImage> image, String listenerName,
            LongSupplier nowMs) {
        this.groups = groups;
        this.image = image;
        this.listenerName = listenerName;
        this.nowMs = nowMs;
    }

    /** The service with the caller's address made available to the handlers (shown as members' host). */
    ServerServiceDefinition withClientHost() {
        return ServerInterceptors.intercept(this, new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                String host = remote == null ? "" : remote.toString().replaceFirst(":\\d+$", "");
                return Contexts.interceptCall(Context.current().withValue(CLIENT_HOST, host), call, headers, next);
            }
        });
    }

    @Override
    public void findCoordinator(FindCoordinatorRequest request, StreamObserver<FindCoordinatorResponse> out) {
        MetadataImage current = image.get();
        TopicImage topic = current.topics().topic(GroupCoordinatorRuntime.TOPIC);
        FindCoordinatorResponse.Builder response = FindCoordinatorResponse.newBuilder();
        if (topic == null) {
            groups.ensureTopic();
        }
        for (String groupId : request.getGroupIdsList()) {
            Coordinator.Builder coordinator = Coordinator.newBuilder().setGroupId(groupId).setNodeId(-1);
            if (groupId.isEmpty()) {
                coordinator.setErrorCode(ErrorCode.INVALID_GROUP_ID).setErrorMessage("The group id must not be empty.");
            } else if (topic == null) {
                coordinator.setErrorCode(ErrorCode.COORDINATOR_NOT_AVAILABLE).setErrorMessage(
                        GroupCoordinatorRuntime.TOPIC + " is being created; try again shortly.");
            } else {
                int partition = groups.partitionFor(groupId);
                PartitionRegistration registration = topic.partition(partition);
                int leader = registration == null ? PartitionRegistration.NO_LEADER : registration.leader();
                BrokerRegistration broker = leader == PartitionRegistration.NO_LEADER ? null
                        : current.cluster().broker(leader);
                Optional<BrokerEndpoint> endpoint = broker == null ? Optional.empty()
                        : MetadataResponses.brokerEndpoint(broker, listenerName);
                if (endpoint.isEmpty()) {
                    coordinator.setErrorCode(ErrorCode.COORDINATOR_NOT_AVAILABLE).setErrorMessage("Partition "
                            + partition + " of " + GroupCoordinatorRuntime.TOPIC + " has no leader right now.");
                } else {
                    coordinator.setErrorCode(ErrorCode.NONE).setNodeId(leader).setHost(endpoint.get().getHost())
                            .setPort(endpoint.get().getPort());
                }
            }
            response.addCoordinators(coordinator);
        }
        reply(out, CompletableFuture.completedFuture(response.build()));
    }

    @Override
    public void consumerGroupHeartbeat(ConsumerGroupHeartbeatRequest request,
            StreamObserver<ConsumerGroupHeartbeatResponse> out) {
        String host = CLIENT_HOST.get() == null ? "" : CLIENT_HOST.get();
        reply(out, groups.write(request.getGroupId(), shard -> shard.heartbeat(request, host, now()),
                (code, message) -> ConsumerGroupHeartbeatResponse.newBuilder().setErrorCode(code)
                        .setErrorMessage(message).build()));
    }

    @Override
    public void offsetCommit(OffsetCommitRequest request, StreamObserver<OffsetCommitResponse> out) {
        reply(out, groups.write(request.getGroupId(), shard -> shard.commitOffsets(request, now()),
                (code, message) -> OffsetCommitResponse.newBuilder().setErrorCode(code).setErrorMessage(message)
                        .build()));
    }

    @Override
    public void offsetFetch(OffsetFetchRequest request, StreamObserver<OffsetFetchResponse> out) {
        reply(out, groups.read(request.getGroupId(), shard -> shard.fetchOffsets(request),
                (code, message) -> OffsetFetchResponse.newBuilder().setErrorCode(code).setErrorMessage(message)
                        .build()));
    }

    @Override
    public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> out) {
        reply(out, groups.readAll(shard -> shard.listGroups(request.getStatesList())).thenApply(lists -> {
            ListGroupsResponse.Builder response = ListGroupsResponse.newBuilder().setErrorCode(ErrorCode.NONE);
            lists.forEach(response::addAllGroups);
            return response.build();
        }));
    }

    @Override
    public void describeGroups(DescribeGroupsRequest request, StreamObserver<DescribeGroupsResponse> out) {
        List<CompletableFuture<GroupDescription>> answers = new ArrayList<>();
        for (String groupId : request.getGroupIdsList()) {
            answers.add(groups.read(groupId, shard -> shard.describe(groupId),
                    (code, message) -> GroupDescription.newBuilder().setGroupId(groupId).setErrorCode(code)
                            .setErrorMessage(message).build()));
        }
        reply(out, CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v ->
                DescribeGroupsResponse.newBuilder().addAllGroups(answers.stream().map(CompletableFuture::join).toList())
                        .build()));
    }

    @Override
    public void deleteGroups(DeleteGroupsRequest request, StreamObserver<DeleteGroupsResponse> out) {
        List<CompletableFuture<DeleteGroupResult>> answers = new ArrayList<>();
        for (String groupId : request.getGroupIdsList()) {
            answers.add(groups.write(groupId, shard -> shard.deleteGroup(groupId),
                    (code, message) -> DeleteGroupResult.newBuilder().setGroupId(groupId).setErrorCode(code)
                            .setErrorMessage(message).build()));
        }
        reply(out, CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v ->
                DeleteGroupsResponse.newBuilder().addAllResults(answers.stream().map(CompletableFuture::join).toList())
                        .build()));
    }

    private long now() {
        return nowMs.getAsLong();
    }

    private static <R> void reply(StreamObserver<R> out, CompletableFuture<R> answer) {
        answer.whenComplete((value, failure) -> {
            try {
                if (failure != null) {
                    log.warn("A group request failed", failure);
                    out.onError(Status.INTERNAL.withDescription(String.valueOf(failure.getMessage()))
                            .withCause(failure).asRuntimeException());
                } else {
                    out.onNext(value);
                    out.onCompleted();
                }
            } catch (RuntimeException e) {
                log.debug("Could not send the group answer (the call was probably cancelled)", e);
            }
        });
    }
}
