package io.brook.broker;

import com.google.protobuf.ByteString;
import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.InitProducerIdRequest;
import io.brook.api.v1.InitProducerIdResponse;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.ProduceResponse;
import io.brook.api.v1.Record;
import io.brook.api.v1.RecordList;
import io.brook.api.v1.TopicProduceData;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A minimal client over the generated stubs, as a test needs one before the SDK exists: an
 * idempotent producer of one partition that finds the leader through metadata and retries
 * retriable errors with the same sequence (so a retry is deduplicated), and a reader of
 * everything below the high watermark.
 */
final class TestClient {
    private final TestCluster cluster;
    private final String topic;
    private final int partition;
    private long producerId = -1;
    private int producerEpoch = -1;
    private int nextSequence;
    /** Every error code a produce was answered with, retried or not. */
    final List<ErrorCode> errorsSeen = new ArrayList<>();

    TestClient(TestCluster cluster, String topic, int partition) {
        this.cluster = cluster;
        this.topic = topic;
        this.partition = partition;
    }

    /** Makes this an idempotent producer. */
    TestClient idempotent() {
        InitProducerIdResponse response = cluster.broker(cluster.anyRunning())
                .initProducerId(InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build());
        if (response.getErrorCode() != ErrorCode.NONE) {
            throw new AssertionError("InitProducerId: " + response);
        }
        producerId = response.getProducerId();
        producerEpoch = response.getProducerEpoch();
        return this;
    }

    long producerId() {
        return producerId;
    }

    /** One produce request of {@code values}, with the next sequence; no retry. */
    PartitionProduceResponse produceOnce(int broker, int acks, int baseSequence, String... values) {
        RecordList.Builder records = RecordList.newBuilder().setProducerId(producerId).setProducerEpoch(producerEpoch)
                .setBaseSequence(producerId >= 0 ? baseSequence : -1);
        for (String value : values) {
            records.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)));
        }
        ProduceRequest request = ProduceRequest.newBuilder().setAcks(acks).setTimeoutMs(10_000)
                .addTopics(TopicProduceData.newBuilder().setTopic(topic).addPartitions(
                        PartitionProduceData.newBuilder().setPartition(partition).setRecords(records)))
                .build();
        ProduceResponse response = cluster.broker(broker).produce(request);
        return response.getTopics(0).getPartitions(0);
    }

    /**
     * Produces {@code values} as one batch with acks=all, retrying retriable errors (and cut calls)
     * against the current leader for up to 60 s; returns the base offset.
     */
    long send(String... values) {
        int sequence = nextSequence;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                int leader = cluster.awaitLeader(topic, partition);
                PartitionProduceResponse answer = produceOnce(leader, -1, sequence, values);
                if (answer.getErrorCode() == ErrorCode.NONE) {
                    nextSequence = sequence + values.length;
                    return answer.getBaseOffset();
                }
                errorsSeen.add(answer.getErrorCode());
                if (!isRetriable(answer.getErrorCode())) {
                    throw new AssertionError("produce failed: " + answer);
                }
            } catch (io.grpc.StatusRuntimeException | IllegalStateException e) {
                errorsSeen.add(ErrorCode.NETWORK_EXCEPTION); // the call was cut: outcome unknown, retry
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("produce did not succeed within 60 s; errors " + errorsSeen);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    static boolean isRetriable(ErrorCode code) {
        return code.getValueDescriptor().getOptions().getExtension(io.brook.api.v1.ErrorsProto.retriable);
    }

    /** Values at offsets [0, HW) of the partition, read from its leader, with their offsets. */
    List<String> readAll() {
        int leader = cluster.awaitLeader(topic, partition);
        List<String> values = new ArrayList<>();
        long offset = 0;
        while (true) {
            FetchResponse response = cluster.broker(leader).fetch(FetchRequest.newBuilder().setMaxWaitMs(0)
                    .addTopics(FetchTopic.newBuilder().setTopic(topic).addPartitions(FetchPartition.newBuilder()
                            .setPartition(partition).setFetchOffset(offset).setCurrentLeaderEpoch(-1)))
                    .build());
            FetchPartitionResponse p = response.getTopics(0).getPartitions(0);
            if (p.getErrorCode() != ErrorCode.NONE) {
                throw new AssertionError("fetch failed: " + p.getErrorCode() + " " + p.getErrorMessage());
            }
            for (RecordBatch batch : RecordBatch.batches(p.getRecordBatches().asReadOnlyByteBuffer())) {
                for (io.brook.api.records.Record record : batch) {
                    if (record.offset() >= offset) {
                        values.add(new String(record.valueBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            offset = p.getNextOffset();
            if (offset >= p.getHighWatermark()) {
                return values;
            }
        }
    }
}
