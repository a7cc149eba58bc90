package io.brook.client;

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
import io.brook.api.v1.ProduceStreamResponse;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The real gRPC transport, except that every {@code lossEvery}-th produce answer is thrown away
 * after the broker has acted on the request, and its stream is broken: the producer sees an
 * indeterminate failure for a write that happened, and must retry without duplicating it.
 */
final class LossyTransport implements Transport {
    private final GrpcTransport real = new GrpcTransport(16 << 20);
    private final int lossEvery;
    private final AtomicInteger answers = new AtomicInteger();
    final AtomicInteger lost = new AtomicInteger();

    LossyTransport(int lossEvery) {
        this.lossEvery = lossEvery;
    }

    @Override
    public Connection connection(String host, int port) {
        Connection connection = real.connection(host, port);
        return new Connection() {
            @Override
            public String address() {
                return connection.address();
            }

            @Override
            public ProduceStream openProduceStream(Consumer<ProduceStreamResponse> onResponse,
                    Consumer<Throwable> onClosed) {
                AtomicBoolean broken = new AtomicBoolean();
                ProduceStream[] stream = new ProduceStream[1];
                stream[0] = connection.openProduceStream(response -> {
                    if (broken.get()) {
                        return;
                    }
                    if (answers.incrementAndGet() % lossEvery == 0 && broken.compareAndSet(false, true)) {
                        lost.incrementAndGet();
                        stream[0].cancel();
                        onClosed.accept(new NetworkException("injected: the answer was lost", true, null));
                        return;
                    }
                    onResponse.accept(response);
                }, error -> {
                    if (broken.compareAndSet(false, true)) {
                        onClosed.accept(error);
                    }
                });
                return stream[0];
            }

            @Override
            public CompletableFuture<MetadataResponse> metadata(MetadataRequest request, long timeoutMs) {
                return connection.metadata(request, timeoutMs);
            }

            @Override
            public CompletableFuture<FetchResponse> fetch(FetchRequest request, long timeoutMs) {
                return connection.fetch(request, timeoutMs);
            }

            @Override
            public CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request, long timeoutMs) {
                return connection.listOffsets(request, timeoutMs);
            }

            @Override
            public CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest request, long timeoutMs) {
                return connection.initProducerId(request, timeoutMs);
            }

            @Override
            public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request, long timeoutMs) {
                return connection.createTopics(request, timeoutMs);
            }

            @Override
            public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request, long timeoutMs) {
                return connection.deleteTopics(request, timeoutMs);
            }

            @Override
            public CompletableFuture<ListTopicsResponse> listTopics(ListTopicsRequest request, long timeoutMs) {
                return connection.listTopics(request, timeoutMs);
            }

            @Override
            public CompletableFuture<DescribeTopicsResponse> describeTopics(DescribeTopicsRequest request,
                    long timeoutMs) {
                return connection.describeTopics(request, timeoutMs);
            }

            @Override
            public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request,
                    long timeoutMs) {
                return connection.createPartitions(request, timeoutMs);
            }

            @Override
            public CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request,
                    long timeoutMs) {
                return connection.describeConfigs(request, timeoutMs);
            }

            @Override
            public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
                    IncrementalAlterConfigsRequest request, long timeoutMs) {
                return connection.incrementalAlterConfigs(request, timeoutMs);
            }

            @Override
            public CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest request,
                    long timeoutMs) {
                return connection.describeCluster(request, timeoutMs);
            }
        };
    }

    @Override
    public void close() {
        real.close();
    }
}
