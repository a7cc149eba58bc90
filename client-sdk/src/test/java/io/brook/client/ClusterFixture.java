package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionMetadata;
import io.brook.broker.LocalCluster;
import io.brook.client.internal.Connection;
import io.brook.client.internal.grpc.GrpcTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A real in-process cluster for the SDK's tests (Ratis, gRPC on loopback, files), with the test
 * timings (heartbeats every 200 ms, a 3 s broker session), topic creation and a raw reader of a
 * partition that does not go through the SDK under test.
 */
final class ClusterFixture implements AutoCloseable {
    private static final Map<String, String> TEST_TIMINGS = Map.of(
            "broker.heartbeat.interval.ms", "200",
            "broker.session.timeout.ms", "3000",
            // Groups: a small __consumer_offsets, fast heartbeats, short sessions allowed.
            "offsets.topic.num.partitions", "5",
            "group.consumer.heartbeat.interval.ms", "200",
            "group.consumer.min.session.timeout.ms", "500");

    final LocalCluster cluster;
    private final GrpcTransport transport = new GrpcTransport(64 << 20);

    private ClusterFixture(LocalCluster cluster) {
        this.cluster = cluster;
    }

    static ClusterFixture start(Path dir, int size) throws Exception {
        return new ClusterFixture(LocalCluster.start(dir, size, new HashMap<>(TEST_TIMINGS)));
    }

    /** Every running broker's address, comma-separated. */
    String bootstrap() {
        StringJoiner joiner = new StringJoiner(",");
        for (int id = 1; id <= cluster.size(); id++) {
            if (cluster.isRunning(id)) {
                joiner.add(cluster.brokerAddress(id));
            }
        }
        return joiner.toString();
    }

    BrookAdmin admin() {
        return admin(Map.of());
    }

    /** An admin on every running broker, with {@code overrides}. */
    BrookAdmin admin(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap());
        config.putAll(overrides);
        return new BrookAdmin(config);
    }

    /**
     * Writes {@code values} to the partition with acks=all, each with the matching timestamp, in
     * order; returns the first one's offset.
     */
    long produce(TopicPartition tp, List<String> values, List<Long> timestamps) throws Exception {
        try (BrookProducer producer = new BrookProducer(Map.of("bootstrap.servers", bootstrap()))) {
            List<java.util.concurrent.CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                sent.add(producer.send(new ProducerRecord(tp.topic(), tp.partition(), timestamps.get(i), null,
                        values.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of())));
            }
            long first = sent.get(0).get(60, java.util.concurrent.TimeUnit.SECONDS).offset();
            for (var future : sent) {
                future.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            return first;
        }
    }

    private Connection connection(int id) {
        String[] hostPort = cluster.brokerAddress(id).split(":");
        return transport.connection(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) throws Exception {
        CreateTopicsResponse response = connection(cluster.anyRunning()).createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(NewTopic.newBuilder().setName(name).setNumPartitions(partitions)
                        .setReplicationFactor(replicationFactor).putAllConfigs(configs)).build(),
                30_000).get();
        assertEquals(ErrorCode.NONE, response.getTopics(0).getErrorCode(), response.toString());
        for (int p = 0; p < partitions; p++) {
            leader(name, p);
        }
    }

    /** The partition's leader, waiting until every running broker agrees it has one. */
    int leader(String topic, int partition) {
        int[] leader = {-1};
        LocalCluster.await(topic + "-" + partition + " has a leader", Duration.ofSeconds(30), () -> {
            PartitionMetadata p = partitionMetadata(topic, partition);
            leader[0] = p == null ? -1 : p.getLeaderId();
            return leader[0] > 0 && cluster.isRunning(leader[0]) && p.getIsrCount() > 0;
        });
        return leader[0];
    }

    void awaitIsr(String topic, int partition, int size) {
        LocalCluster.await(topic + "-" + partition + " has " + size + " in-sync replicas", Duration.ofSeconds(60), () -> {
            PartitionMetadata p = partitionMetadata(topic, partition);
            return p != null && p.getIsrCount() == size;
        });
    }

    PartitionMetadata partitionMetadata(String topic, int partition) {
        try {
            MetadataResponse response = connection(cluster.anyRunning())
                    .metadata(MetadataRequest.newBuilder().addTopics(topic).build(), 10_000).get();
            for (PartitionMetadata p : response.getTopics(0).getPartitionsList()) {
                if (p.getPartition() == partition && p.getErrorCode() == ErrorCode.NONE) {
                    return p;
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Every record of the partition up to its high watermark, read from its leader. */
    List<Record> readAll(String topic, int partition) throws Exception {
        List<Record> records = new ArrayList<>();
        long offset = 0;
        while (true) {
            int leader = leader(topic, partition);
            FetchResponse response = connection(leader).fetch(FetchRequest.newBuilder().setMaxWaitMs(0).setMinBytes(0)
                    .setMaxBytes(8 << 20).addTopics(FetchTopic.newBuilder().setTopic(topic)
                            .addPartitions(FetchPartition.newBuilder().setPartition(partition).setFetchOffset(offset)
                                    .setPartitionMaxBytes(8 << 20).setCurrentLeaderEpoch(-1))).build(), 10_000).get();
            FetchPartitionResponse p = response.getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NONE, p.getErrorCode(), p.getErrorMessage());
            for (RecordBatch batch : RecordBatch.batches(p.getRecordBatches().asReadOnlyByteBuffer())) {
                for (Record record : batch) {
                    if (record.offset() >= offset) {
                        records.add(record);
                    }
                }
                offset = Math.max(offset, batch.nextOffset());
            }
            if (offset >= p.getHighWatermark()) {
                assertTrue(records.size() <= p.getHighWatermark());
                return records;
            }
        }
    }

    @Override
    public void close() {
        transport.close();
        cluster.close();
    }
}
