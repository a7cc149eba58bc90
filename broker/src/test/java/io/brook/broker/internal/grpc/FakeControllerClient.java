package io.brook.broker.internal.grpc;

import com.google.protobuf.Message;
import io.brook.api.internal.controller.AddRaftVoterRequest;
import io.brook.api.internal.controller.AddRaftVoterResponse;
import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.internal.controller.AllocateProducerIdsResponse;
import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.AlterPartitionResponse;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreateAclsRequest;
import io.brook.api.internal.controller.CreateAclsResponse;
import io.brook.api.internal.controller.CreatePartitionsRequest;
import io.brook.api.internal.controller.CreatePartitionsResponse;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.DeleteAclsRequest;
import io.brook.api.internal.controller.DeleteAclsResponse;
import io.brook.api.internal.controller.DeleteTopicsRequest;
import io.brook.api.internal.controller.DeleteTopicsResponse;
import io.brook.api.internal.controller.DescribeQuorumRequest;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.ElectLeadersResponse;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.internal.controller.RemoveRaftVoterRequest;
import io.brook.api.internal.controller.RemoveRaftVoterResponse;
import io.brook.metadata.ControllerClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A {@link ControllerClient} for tests: records every request and answers with the future set
 * for that response type ({@link #answer}, {@link #answerWith}, {@link #failWith}, {@link #throwOnCall}).
 * A call without a canned answer gets a future failed with "no canned answer", so a test that
 * forgot one sees a timeout-shaped outcome rather than a hang.
 *
 * <p>Thread-safe (the in-process server may call it from its own threads).
 */
final class FakeControllerClient implements ControllerClient {
    private final List<Message> requests = new CopyOnWriteArrayList<>();
    private final Map<Class<?>, Supplier<CompletableFuture<?>>> answers = new ConcurrentHashMap<>();

    /** Answers every call returning {@code type} with this future (the same one each time). */
    <R extends Message> FakeControllerClient answer(Class<R> type, CompletableFuture<R> future) {
        answers.put(type, () -> future);
        return this;
    }

    <R extends Message> FakeControllerClient answerWith(R response) {
        answers.put(response.getClass(), () -> CompletableFuture.completedFuture(response));
        return this;
    }

    /** Calls returning {@code type} get a future failed with {@code failure}: no controller answered. */
    <R extends Message> FakeControllerClient failWith(Class<R> type, Throwable failure) {
        answers.put(type, () -> CompletableFuture.failedFuture(failure));
        return this;
    }

    /** Calls returning {@code type} throw {@code failure} instead of returning a future (a broken client). */
    <R extends Message> FakeControllerClient throwOnCall(Class<R> type, RuntimeException failure) {
        answers.put(type, () -> {
            throw failure;
        });
        return this;
    }

    List<Message> requests() {
        return List.copyOf(requests);
    }

    /** The only request recorded; fails the test when there is not exactly one of this type. */
    <Q extends Message> Q onlyRequest(Class<Q> type) {
        List<Q> matching = requests.stream().filter(type::isInstance).map(type::cast).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", got " + requests);
        }
        return matching.get(0);
    }

    @SuppressWarnings("unchecked")
    private <R> CompletableFuture<R> call(Message request, Class<R> responseType) {
        requests.add(request);
        Supplier<CompletableFuture<?>> answer = answers.get(responseType);
        if (answer == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no canned answer for "
                    + responseType.getSimpleName()));
        }
        return (CompletableFuture<R>) answer.get();
    }

    @Override
    public CompletableFuture<RegisterBrokerResponse> registerBroker(RegisterBrokerRequest request) {
        return call(request, RegisterBrokerResponse.class);
    }

    @Override
    public CompletableFuture<BrokerHeartbeatResponse> brokerHeartbeat(BrokerHeartbeatRequest request) {
        return call(request, BrokerHeartbeatResponse.class);
    }

    @Override
    public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
        return call(request, CreateTopicsResponse.class);
    }

    @Override
    public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
        return call(request, DeleteTopicsResponse.class);
    }

    @Override
    public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request) {
        return call(request, CreatePartitionsResponse.class);
    }

    @Override
    public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest request) {
        return call(request, AlterPartitionResponse.class);
    }

    @Override
    public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest request) {
        return call(request, ElectLeadersResponse.class);
    }

    @Override
    public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
            IncrementalAlterConfigsRequest request) {
        return call(request, IncrementalAlterConfigsResponse.class);
    }

    @Override
    public CompletableFuture<CreateAclsResponse> createAcls(CreateAclsRequest request) {
        return call(request, CreateAclsResponse.class);
    }

    @Override
    public CompletableFuture<DeleteAclsResponse> deleteAcls(DeleteAclsRequest request) {
        return call(request, DeleteAclsResponse.class);
    }

    @Override
    public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(AllocateProducerIdsRequest request) {
        return call(request, AllocateProducerIdsResponse.class);
    }

    @Override
    public CompletableFuture<DescribeQuorumResponse> describeQuorum() {
        return call(DescribeQuorumRequest.getDefaultInstance(), DescribeQuorumResponse.class);
    }

    @Override
    public CompletableFuture<AddRaftVoterResponse> addRaftVoter(AddRaftVoterRequest request) {
        return call(request, AddRaftVoterResponse.class);
    }

    @Override
    public CompletableFuture<RemoveRaftVoterResponse> removeRaftVoter(RemoveRaftVoterRequest request) {
        return call(request, RemoveRaftVoterResponse.class);
    }

    @Override
    public void close() {
    }
}
