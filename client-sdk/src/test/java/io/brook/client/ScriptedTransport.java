package io.brook.client;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.InitProducerIdResponse;
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
import java.lang.reflect.Proxy;
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

    /** Serves metadata, producer ids and produce streams; any other call fails as not scripted. */
    @Override
    public Connection connection(String host, int port) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "address", "toString" -> host + ":" + port;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "metadata" -> CompletableFuture.completedFuture(metadata(host, port));
                    case "initProducerId" -> CompletableFuture.completedFuture(InitProducerIdResponse.newBuilder()
                            .setErrorCode(ErrorCode.NONE).setProducerId(42).setProducerEpoch(0).build());
                    case "openProduceStream" -> produceStream(uncheckedConsumer(args[0]));
                    default -> CompletableFuture.failedFuture(new UnsupportedOperationException("not scripted: "
                            + method.getName()));
                });
    }

    private MetadataResponse metadata(String host, int port) {
        TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName("t").setErrorCode(ErrorCode.NONE);
        for (int p = 0; p < partitions; p++) {
            topic.addPartitions(PartitionMetadata.newBuilder().setPartition(p).setErrorCode(ErrorCode.NONE)
                    .setLeaderId(1).setLeaderEpoch(0).addReplicas(1).addIsr(1));
        }
        return MetadataResponse.newBuilder().setClusterId("c")
                .addBrokers(BrokerEndpoint.newBuilder().setBrokerId(1).setHost(host).setPort(port))
                .addTopics(topic).build();
    }

    private Connection.ProduceStream produceStream(Consumer<ProduceStreamResponse> onResponse) {
        return new Connection.ProduceStream() {
            @Override
            public void send(ProduceStreamRequest request) {
                requests.add(new Sent(request, onResponse));
            }

            @Override
            public void cancel() {}
        };
    }

    @SuppressWarnings("unchecked")
    private static Consumer<ProduceStreamResponse> uncheckedConsumer(Object consumer) {
        return (Consumer<ProduceStreamResponse>) consumer;
    }

    @Override
    public void close() {}
}
