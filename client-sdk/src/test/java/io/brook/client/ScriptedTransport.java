package io.brook.client;

import io.brook.api.v1.BrokerEndpoint;
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
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceResponse;
import io.brook.api.v1.ProduceStreamRequest;
import io.brook.api.v1.ProduceStreamResponse;
import io.brook.api.v1.TopicMetadata;
import io.brook.api.v1.TopicProduceData;
import io.brook.api.v1.TopicProduceResponse;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * A one-broker cluster in memory for unit tests: metadata names topic {@code t} with
 * {@code partitions} partitions led by broker 1; produce requests wait in {@link #requests} until
 * the test answers them with {@link #answer}. Nothing else is served.
 */
final class ScriptedTransport implements Transport {
    final BlockingQueue<Sent> requests = new LinkedBlockingQueue<>();
    private final int partitions;

    record Sent(ProduceStreamRequest request, Consumer<ProduceStreamResponse> reply) {}

    ScriptedTransport(int partitions) {
        this.partitions = partitions;
    }

    /** Answers {@code sent} with {@code code} for every partition in it, offsets from {@code baseOffset}. */
    static void answer(Sent sent, ErrorCode code, long baseOffset) {
        ProduceResponse.Builder response = ProduceResponse.newBuilder();
        for (TopicProduceData topic : sent.request().getRequest().getTopicsList()) {
            TopicProduceResponse.Builder t = TopicProduceResponse.newBuilder().setTopic(topic.getTopic());
            topic.getPartitionsList().forEach(p -> t.addPartitions(PartitionProduceResponse.newBuilder()
                    .setPartition(p.getPartition()).setErrorCode(code).setBaseOffset(baseOffset).setLogAppendTimeMs(-1)));
            response.addTopics(t);
        }
        sent.reply().accept(ProduceStreamResponse.newBuilder().setCorrelationId(sent.request().getCorrelationId())
                .setResponse(response).build());
    }

    @Override
    public Connection connection(String host, int port) {
        return new Connection() {
            @Override
            public String address() {
                return host + ":" + port;
            }

            @Override
            public CompletableFuture<MetadataResponse> metadata(MetadataRequest request, long timeoutMs) {
                TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName("t").setErrorCode(ErrorCode.NONE);
                for (int p = 0; p < partitions; p++) {
                    topic.addPartitions(PartitionMetadata.newBuilder().setPartition(p).setErrorCode(ErrorCode.NONE)
                            .setLeaderId(1).setLeaderEpoch(0).addReplicas(1).addIsr(1));
                }
                return CompletableFuture.completedFuture(MetadataResponse.newBuilder().setClusterId("c")
                        .addBrokers(BrokerEndpoint.newBuilder().setBrokerId(1).setHost(host).setPort(port))
                        .addTopics(topic).build());
            }

            @Override
            public CompletableFuture<InitProducerIdResponse> initProducerId(InitProducerIdRequest request, long timeoutMs) {
                return CompletableFuture.completedFuture(InitProducerIdResponse.newBuilder().setErrorCode(ErrorCode.NONE)
                        .setProducerId(42).setProducerEpoch(0).build());
            }

            @Override
            public ProduceStream openProduceStream(Consumer<ProduceStreamResponse> onResponse,
                    Consumer<Throwable> onClosed) {
                return new ProduceStream() {
                    @Override
                    public void send(ProduceStreamRequest request) {
                        requests.add(new Sent(request, onResponse));
                    }

                    @Override
                    public void cancel() {}
                };
            }

            private <T> CompletableFuture<T> unsupported() {
                return CompletableFuture.failedFuture(new UnsupportedOperationException("not scripted"));
            }

            @Override
            public CompletableFuture<FetchResponse> fetch(FetchRequest request, long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<ListOffsetsResponse> listOffsets(ListOffsetsRequest request, long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request, long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request, long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<ListTopicsResponse> listTopics(ListTopicsRequest request, long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<DescribeTopicsResponse> describeTopics(DescribeTopicsRequest request,
                    long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request,
                    long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<DescribeConfigsResponse> describeConfigs(DescribeConfigsRequest request,
                    long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(
                    IncrementalAlterConfigsRequest request, long timeoutMs) {
                return unsupported();
            }

            @Override
            public CompletableFuture<DescribeClusterResponse> describeCluster(DescribeClusterRequest request,
                    long timeoutMs) {
                return unsupported();
            }
        };
    }

    @Override
    public void close() {}
}
