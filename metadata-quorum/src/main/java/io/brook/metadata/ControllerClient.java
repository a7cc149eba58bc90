package io.brook.metadata;

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
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.ElectLeadersResponse;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RemoveRaftVoterRequest;
import io.brook.api.internal.controller.RemoveRaftVoterResponse;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.metadata.internal.grpc.GrpcControllerClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Talks to the controller quorum for brokers and admin tools: each request goes to the active
 * controller, found by trying the given controller addresses in turn and following
 * {@code NOT_CONTROLLER} answers, until the request's timeout. The answer carries the outcome in
 * its error fields; the future fails only when no controller answered in time (the outcome of a
 * write is then unknown).
 *
 * <p>Thread-safe. Close it to release its connections.
 */
public interface ControllerClient extends AutoCloseable {

    /** A client for the controllers' RPC listeners ({@code host:port} each); attempts of 2 s (see below). */
    static ControllerClient connect(List<String> controllerAddresses, Duration requestTimeout) {
        return connect(controllerAddresses, requestTimeout, Duration.ofSeconds(2));
    }

    /**
     * A client for the controllers' RPC listeners ({@code host:port} each). Requests that are safe
     * to apply twice (heartbeats, registration, ISR changes, producer-id blocks, quorum
     * descriptions) give up on one controller after {@code attemptTimeout} and try the next, so a
     * controller that went silent does not hold them for the whole {@code requestTimeout}; the
     * others wait on each controller for all the time left.
     */
    static ControllerClient connect(List<String> controllerAddresses, Duration requestTimeout, Duration attemptTimeout) {
        return GrpcControllerClient.connect(controllerAddresses, requestTimeout, attemptTimeout);
    }

    CompletableFuture<RegisterBrokerResponse> registerBroker(RegisterBrokerRequest request);

    CompletableFuture<BrokerHeartbeatResponse> brokerHeartbeat(BrokerHeartbeatRequest request);

    CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request);

    CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request);

    CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request);

    CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest request);

    CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest request);

    CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(IncrementalAlterConfigsRequest request);

    CompletableFuture<CreateAclsResponse> createAcls(CreateAclsRequest request);

    CompletableFuture<DeleteAclsResponse> deleteAcls(DeleteAclsRequest request);

    CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(AllocateProducerIdsRequest request);

    /** The quorum as the active controller sees it (voters' lag included). */
    CompletableFuture<DescribeQuorumResponse> describeQuorum();

    /** Adds a controller started as a joining node to the voters (on the Raft leader). */
    CompletableFuture<AddRaftVoterResponse> addRaftVoter(AddRaftVoterRequest request);

    /** Removes a voter (on the Raft leader). */
    CompletableFuture<RemoveRaftVoterResponse> removeRaftVoter(RemoveRaftVoterRequest request);

    @Override
    void close();
}
