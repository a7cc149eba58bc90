package io.brook.client.internal;

import io.brook.api.v1.FindCoordinatorRequest;
import io.brook.api.v1.FindCoordinatorResponse;
import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.api.v1.ListGroupsRequest;
import io.brook.api.v1.ListGroupsResponse;
import io.brook.api.v1.DescribeGroupsRequest;
import io.brook.api.v1.DescribeGroupsResponse;
import io.brook.api.v1.DeleteGroupsRequest;
import io.brook.api.v1.DeleteGroupsResponse;
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
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.IncrementalAlterConfigsRequest;
import io.brook.api.v1.IncrementalAlterConfigsResponse;
import io.brook.api.v1.InitProducerIdRequest;
import io.brook.api.v1.InitProducerIdResponse;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListTopicsRequest;
import io.brook.api.v1.ListTopicsResponse;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.ProduceStreamRequest;
import io.brook.api.v1.ProduceStreamResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The client's seam to one broker: every call of the public {@code brook.v1} API as a future of
 * its response. A transport failure completes the future with a {@link io.brook.client.BrookException}
 * ({@link io.brook.client.TimeoutException} or {@link io.brook.client.NetworkException}, indeterminate
 * when the request may have been processed). Implemented over gRPC in {@code internal.grpc}; tests
 * wrap it to lose answers.
 */
public interface Connection {

    /** The {@code host:port} this connection talks to. */
    String address();

    CompletableFuture<MetadataResponse> metadata(MetadataRequest request, long timeoutMs);

    CompletableFuture<FetchResponse> fetch(FetchRequest request, long timeoutMs);

    CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request, long timeoutMs);

    CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest request, long timeoutMs);

    /**
     * Opens a produce stream: requests sent on it are appended in order; {@code onResponse} gets each
     * answer (by correlation id), {@code onClosed} once when the stream ends, with the error or null.
     */
    ProduceStream openProduceStream(Consumer<ProduceStreamResponse> onResponse, Consumer<Throwable> onClosed);

    CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request, long timeoutMs);

    CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request, long timeoutMs);

    CompletableFuture<ListTopicsResponse> listTopics(ListTopicsRequest request, long timeoutMs);

    CompletableFuture<DescribeTopicsResponse> describeTopics(DescribeTopicsRequest request, long timeoutMs);

    CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request, long timeoutMs);

    CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request, long timeoutMs);

    CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(IncrementalAlterConfigsRequest request,
            long timeoutMs);

    CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest request, long timeoutMs);

    CompletableFuture<FindCoordinatorResponse> findCoordinator(FindCoordinatorRequest request, long timeoutMs);

    CompletableFuture<ConsumerGroupHeartbeatResponse> consumerGroupHeartbeat(ConsumerGroupHeartbeatRequest request,
            long timeoutMs);

    CompletableFuture<OffsetCommitResponse> offsetCommit(OffsetCommitRequest request, long timeoutMs);

    CompletableFuture<OffsetFetchResponse> offsetFetch(OffsetFetchRequest request, long timeoutMs);

    CompletableFuture<ListGroupsResponse> listGroups(ListGroupsRequest request, long timeoutMs);

    CompletableFuture<DescribeGroupsResponse> describeGroups(DescribeGroupsRequest request, long timeoutMs);

    CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest request, long timeoutMs);

    /** One open produce stream. */
    interface ProduceStream {
        void send(ProduceStreamRequest request);

        /** Ends the stream from this side (answers still in flight may be lost). */
        void cancel();
    }
}
