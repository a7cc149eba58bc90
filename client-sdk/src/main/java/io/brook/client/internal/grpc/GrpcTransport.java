package io.brook.client.internal.grpc;

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
import io.brook.api.v1.GroupServiceGrpc;
import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerServiceGrpc;
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
import io.brook.api.v1.ErrorCode;
import io.brook.client.BrookException;
import io.brook.client.NetworkException;
import io.brook.client.RecordTooLargeException;
import io.brook.client.TimeoutException;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * {@link Transport} over gRPC: one plaintext HTTP/2 channel per broker address (gRPC multiplexes
 * every call on it), keepalive so that a dead peer is noticed, inbound messages up to
 * {@code maxInboundBytes} (fetch responses).
 */
public final class GrpcTransport implements Transport {
    private final int maxInboundBytes;
    private final Map<String, GrpcConnection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public GrpcTransport(int maxInboundBytes) {
        this.maxInboundBytes = maxInboundBytes;
    }

    @Override
    public Connection connection(String host, int port) {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        return connections.computeIfAbsent(host + ":" + port, address -> new GrpcConnection(address,
                NettyChannelBuilder.forAddress(host, port).usePlaintext().maxInboundMessageSize(maxInboundBytes)
                        .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS).build()));
    }

    @Override
    public void close() {
        closed = true;
        for (GrpcConnection connection : connections.values()) {
            connection.channel.shutdownNow();
        }
        for (GrpcConnection connection : connections.values()) {
            try {
                connection.channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A gRPC failure as the client's exception: every failure after sending is indeterminate. */
    static BrookException translate(String address, Throwable error) {
        Status status = Status.fromThrowable(error);
        String where = " (broker " + address + ")";
        return switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> new TimeoutException("no answer in time" + where, true, error);
            case RESOURCE_EXHAUSTED -> new RecordTooLargeException("the request or its answer is over the gRPC "
                    + "message limit" + where + ": " + status.getDescription());
            case UNAVAILABLE, CANCELLED, ABORTED, UNKNOWN, INTERNAL -> new NetworkException(
                    "connection to " + address + " failed: " + status.getCode()
                            + (status.getDescription() == null ? "" : " " + status.getDescription()), true, error);
            default -> new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, "broker " + address + " refused the call: "
                    + status.getCode() + " " + status.getDescription(), error);
        };
    }

    private static final class GrpcConnection implements Connection {
        private final String address;
        private final ManagedChannel channel;
        private final BrokerServiceGrpc.BrokerServiceStub broker;
        private final AdminServiceGrpc.AdminServiceStub admin;
        private final GroupServiceGrpc.GroupServiceStub groups;

        GrpcConnection(String address, ManagedChannel channel) {
            this.address = address;
            this.channel = channel;
            this.broker = BrokerServiceGrpc.newStub(channel);
            this.admin = AdminServiceGrpc.newStub(channel);
            this.groups = GroupServiceGrpc.newStub(channel);
        }

        @Override
        public String address() {
            return address;
        }

        private <Q, R> CompletableFuture<R> unary(BiConsumer<Q, StreamObserver<R>> call, Q request) {
            CompletableFuture<R> future = new CompletableFuture<>();
            try {
                call.accept(request, new StreamObserver<>() {
                    @Override
                    public void onNext(R value) {
                        future.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        future.completeExceptionally(translate(address, t));
                    }

                    @Override
                    public void onCompleted() {
                        future.completeExceptionally(new NetworkException("broker " + address
                                + " ended the call without an answer", true, null));
                    }
                });
            } catch (StatusRuntimeException | IllegalStateException e) {
                future.completeExceptionally(translate(address, e));
            }
            return future;
        }

        private BrokerServiceGrpc.BrokerServiceStub broker(long timeoutMs) {
            return broker.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        }

        private AdminServiceGrpc.AdminServiceStub admin(long timeoutMs) {
            return admin.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        }

        private GroupServiceGrpc.GroupServiceStub groups(long timeoutMs) {
            return groups.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletableFuture<MetadataResponse> metadata(MetadataRequest request, long timeoutMs) {
            return unary(broker(timeoutMs)::getMetadata, request);
        }

        @Override
        public CompletableFuture<FetchResponse> fetch(FetchRequest request, long timeoutMs) {
            return unary(broker(timeoutMs)::fetch, request);
        }

        @Override
        public CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request, long timeoutMs) {
            return unary(broker(timeoutMs)::listOffsets, request);
        }

        @Override
        public CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest request, long timeoutMs) {
            return unary(broker(timeoutMs)::initProducerId, request);
        }

        @Override
        public ProduceStream openProduceStream(Consumer<ProduceStreamResponse> onResponse, Consumer<Throwable> onClosed) {
            ClientResponseObserver<ProduceStreamRequest, ProduceStreamResponse> observer = new ClientResponseObserver<>() {
                private ClientCallStreamObserver<ProduceStreamRequest> requests;

                @Override
                public void beforeStart(ClientCallStreamObserver<ProduceStreamRequest> requestStream) {
                    this.requests = requestStream;
                }

                @Override
                public void onNext(ProduceStreamResponse value) {
                    onResponse.accept(value);
                }

                @Override
                public void onError(Throwable t) {
                    onClosed.accept(translate(address, t));
                }

                @Override
                public void onCompleted() {
                    onClosed.accept(new NetworkException("broker " + address + " closed the produce stream", true, null));
                }
            };
            StreamObserver<ProduceStreamRequest> requests = broker.produceStream(observer);
            return new ProduceStream() {
                @Override
                public synchronized void send(ProduceStreamRequest request) {
                    requests.onNext(request);
                }

                @Override
                public synchronized void cancel() {
                    requests.onError(Status.CANCELLED.withDescription("client ended the stream").asRuntimeException());
                }
            };
        }

        @Override
        public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request, long timeoutMs) {
            return unary(admin(timeoutMs)::createTopics, request);
        }

        @Override
        public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request, long timeoutMs) {
            return unary(admin(timeoutMs)::deleteTopics, request);
        }

        @Override
        public CompletableFuture<ListTopicsResponse> listTopics(ListTopicsRequest request, long timeoutMs) {
            return unary(admin(timeoutMs)::listTopics, request);
        }

        @Override
        public CompletableFuture<DescribeTopicsResponse> describeTopics(DescribeTopicsRequest request, long timeoutMs) {
            return unary(admin(timeoutMs)::describeTopics, request);
        }

        @Override
        public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request,
                long timeoutMs) {
            return unary(admin(timeoutMs)::createPartitions, request);
        }

        @Override
        public CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request,
                long timeoutMs) {
            return unary(admin(timeoutMs)::describeConfigs, request);
        }

        @Override
        public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
                IncrementalAlterConfigsRequest request, long timeoutMs) {
            return unary(admin(timeoutMs)::incrementalAlterConfigs, request);
        }

        @Override
        public CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest request,
                long timeoutMs) {
            return unary(admin(timeoutMs)::describeCluster, request);
        }
        @Override
        public CompletableFuture<FindCoordinatorResponse> findCoordinator(FindCoordinatorRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::findCoordinator, request);
        }

        @Override
        public CompletableFuture<ConsumerGroupHeartbeatResponse> consumerGroupHeartbeat(ConsumerGroupHeartbeatRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::consumerGroupHeartbeat, request);
        }

        @Override
        public CompletableFuture<OffsetCommitResponse> offsetCommit(OffsetCommitRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::offsetCommit, request);
        }

        @Override
        public CompletableFuture<OffsetFetchResponse> offsetFetch(OffsetFetchRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::offsetFetch, request);
        }

        @Override
        public CompletableFuture<ListGroupsResponse> listGroups(ListGroupsRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::listGroups, request);
        }

        @Override
        public CompletableFuture<DescribeGroupsResponse> describeGroups(DescribeGroupsRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::describeGroups, request);
        }

        @Override
        public CompletableFuture<DeleteGroupsResponse> deleteGroups(DeleteGroupsRequest request, long timeoutMs) {
            return unary(groups(timeoutMs)::deleteGroups, request);
        }
    }
}
