package io.brook.client;

import com.google.protobuf.ByteString;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.Record;
import io.brook.api.v1.RecordList;
import io.brook.api.v1.TopicProduceData;
import io.brook.broker.LocalCluster;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * An in-process {@link LocalCluster} for the admin tests, with test timings (heartbeats every
 * 200 ms, a 3 s session), the bootstrap list, admin clients on it, and a raw-gRPC produce to a
 * partition's leader (the SDK's producer is not used here).
 */
final class AdminTestCluster implements AutoCloseable {
    private static final Map<String, String> TEST_TIMINGS = Map.of(
            "broker.heartbeat.interval.ms", "200",
            "broker.session.timeout.ms", "3000");

    private final LocalCluster cluster;

    private AdminTestCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    static AdminTestCluster start(Path dir, int size) throws Exception {
        return new AdminTestCluster(LocalCluster.start(dir, size, new HashMap<>(TEST_TIMINGS)));
    }

    LocalCluster cluster() {
        return cluster;
    }

    /** Every broker's {@code host:port}, comma-separated. */
    String bootstrapServers() {
        return String.join(",", IntStream.rangeClosed(1, cluster.size()).mapToObj(cluster::brokerAddress).toList());
    }

    BrookAdmin admin() {
        return admin(Map.of());
    }

    /** An admin on every broker, with {@code overrides}. */
    BrookAdmin admin(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        config.putAll(overrides);
        return new BrookAdmin(config);
    }

    /**
     * Produces one batch of {@code values} with acks=all to the partition's leader, each record with
     * the matching timestamp, retrying while the leader is not ready; returns the base offset.
     */
    long produce(BrookAdmin admin, TopicPartition tp, List<String> values, List<Long> timestamps) {
        RecordList.Builder records = RecordList.newBuilder().setProducerId(-1).setProducerEpoch(-1).setBaseSequence(-1);
        for (int i = 0; i < values.size(); i++) {
            records.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(values.get(i)))
                    .setTimestampMs(timestamps.get(i)));
        }
        ProduceRequest request = ProduceRequest.newBuilder().setAcks(-1).setTimeoutMs(10_000)
                .addTopics(TopicProduceData.newBuilder().setTopic(tp.topic()).addPartitions(
                        PartitionProduceData.newBuilder().setPartition(tp.partition()).setRecords(records)))
                .build();
        long[] baseOffset = {-1};
        LocalCluster.await("a produce to " + tp + " succeeds", Duration.ofSeconds(60), () -> {
            int leader = admin.describeTopics(List.of(tp.topic())).get(tp.topic()).partitions().get(tp.partition()).leader();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cluster.node(leader).brokerPort())
                    .usePlaintext().build();
            try {
                PartitionProduceResponse answer = BrokerServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS).produce(request).getTopics(0).getPartitions(0);
                baseOffset[0] = answer.getBaseOffset();
                return answer.getErrorCode() == ErrorCode.NONE;
            } finally {
                channel.shutdownNow();
            }
        });
        return baseOffset[0];
    }

    @Override
    public void close() {
        cluster.close();
    }
}
