package io.brook.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.ListOffsetsPartition;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListOffsetsTopic;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.ProduceResponse;
import io.brook.api.v1.ProduceStreamRequest;
import io.brook.api.v1.ProduceStreamResponse;
import io.brook.api.v1.Record;
import io.brook.api.v1.RecordList;
import io.brook.api.v1.TopicProduceData;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public broker API of one node through the generated stubs on loopback: each kind of bad
 * input gets its own error code and writes nothing; long-poll and streaming fetch; pipelined
 * produce; list offsets; health.
 */
class BrokerApiTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = TestCluster.start(dir, 1, Map.of("socket.request.max.bytes", "2097152"));
        cluster.createTopic("events", 2, 1, Map.of("max.message.bytes", "10000"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static PartitionProduceResponse produce(String topic, int partition, int acks, PartitionProduceData.Builder data) {
        ProduceResponse response = cluster.broker(1).produce(ProduceRequest.newBuilder().setAcks(acks)
                .addTopics(TopicProduceData.newBuilder().setTopic(topic).addPartitions(data.setPartition(partition)))
                .build());
        return response.getTopics(0).getPartitions(0);
    }

    private static PartitionProduceData.Builder values(String... values) {
        RecordList.Builder list = RecordList.newBuilder().setProducerId(-1).setProducerEpoch(-1).setBaseSequence(-1);
        for (String v : values) {
            list.addRecords(Record.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8(v)));
        }
        return PartitionProduceData.newBuilder().setRecords(list);
    }

    /** The log end offset of the broker's log (not the HW, which follows the fsync). */
    private static long logEnd(String topic, int partition) {
        return cluster.node(1).logManager().get(new io.brook.storage.TopicPartition(topic, partition)).orElseThrow()
                .logEndOffset();
    }

    private static io.brook.api.v1.ListOffsetsPartitionResponse listOffset(String topic, int partition, long timestamp) {
        ListOffsetsResponse response = cluster.broker(1).listOffsets(ListOffsetsRequest.newBuilder()
                .addTopics(ListOffsetsTopic.newBuilder().setTopic(topic).addPartitions(ListOffsetsPartition.newBuilder()
                        .setPartition(partition).setTimestamp(timestamp).setCurrentLeaderEpoch(-1)))
                .build());
        return response.getTopics(0).getPartitions(0);
    }

    @Test
    void unknownTopicsAndPartitionsAreNamed() {
        PartitionProduceResponse unknownTopic = produce("nope", 0, 1, values("x"));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic.getErrorCode());
        assertTrue(unknownTopic.getErrorMessage().contains("nope"), unknownTopic.getErrorMessage());
        PartitionProduceResponse unknownPartition = produce("events", 7, 1, values("x"));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownPartition.getErrorCode());
        assertTrue(unknownPartition.getErrorMessage().contains("2 partitions"), unknownPartition.getErrorMessage());
        assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION, produce("bad/name", 0, 1, values("x")).getErrorCode());
        MetadataResponse metadata = cluster.broker(1).getMetadata(MetadataRequest.newBuilder().addTopics("nope").build());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, metadata.getTopics(0).getErrorCode());
    }

    @Test
    void corruptOversizeAndInvalidRequestsWriteNothing() {
        long before = logEnd("events", 1);
        ByteBuffer batch = new RecordBatchBuilder(CompressionType.NONE)
                .append(1L, null, "hello".getBytes(StandardCharsets.UTF_8)).build();
        byte[] corrupt = new byte[batch.remaining()];
        batch.duplicate().get(corrupt);
        corrupt[corrupt.length - 1] ^= 0x5a; // a record byte: the CRC no longer matches
        PartitionProduceResponse damaged = produce("events", 1, 1,
                PartitionProduceData.newBuilder().setRecordBatch(ByteString.copyFrom(corrupt)));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, damaged.getErrorCode(), damaged.toString());

        PartitionProduceResponse tooLarge = produce("events", 1, 1, values("x".repeat(20_000)));
        assertEquals(ErrorCode.RECORD_TOO_LARGE, tooLarge.getErrorCode(), tooLarge.toString());

        PartitionProduceResponse badAcks = produce("events", 1, 2, values("x"));
        assertEquals(ErrorCode.INVALID_REQUIRED_ACKS, badAcks.getErrorCode());

        PartitionProduceResponse empty = produce("events", 1, 1, PartitionProduceData.newBuilder());
        assertEquals(ErrorCode.INVALID_REQUEST, empty.getErrorCode());
        assertEquals(before, logEnd("events", 1), "nothing was written");
    }

    @Test
    void aHugeOrMalformedMessageIsRefusedByGrpcAndTheNodeKeepsServing() {
        StatusRuntimeException huge = assertThrows(StatusRuntimeException.class, () -> produce("events", 1, 1,
                values("y".repeat(3 << 20))));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, huge.getStatus().getCode());

        // Bytes that are not a ProduceRequest, on the Produce method.
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("brook.v1.BrokerService", "Produce"))
                .setRequestMarshaller(new BytesMarshaller()).setResponseMarshaller(new BytesMarshaller()).build();
        StatusRuntimeException malformed = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                cluster.channel(1), raw, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}));
        assertFalse(malformed.getStatus().isOk());

        assertEquals(ErrorCode.NONE, produce("events", 1, 1, values("still-serving")).getErrorCode());
        HealthCheckResponse health = HealthGrpc.newBlockingStub(cluster.channel(1))
                .check(HealthCheckRequest.newBuilder().setService("brook.v1.BrokerService").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aLeaderEpochTheBrokerHasNotSeenIsRefused() {
        assertEquals(ErrorCode.NONE, fetch("events", 0, 0, 0, 0, 1, 0).getTopics(0).getPartitions(0).getErrorCode(),
                "epoch 0 is the current one");
        assertEquals(ErrorCode.UNKNOWN_LEADER_EPOCH, fetch("events", 0, 0, 0, 0, 1, 9).getTopics(0).getPartitions(0)
                .getErrorCode());
        assertEquals(ErrorCode.UNKNOWN_LEADER_EPOCH, cluster.broker(1).listOffsets(ListOffsetsRequest.newBuilder()
                .addTopics(ListOffsetsTopic.newBuilder().setTopic("events").addPartitions(ListOffsetsPartition
                        .newBuilder().setPartition(0).setTimestamp(-1).setCurrentLeaderEpoch(9))).build())
                .getTopics(0).getPartitions(0).getErrorCode());
    }

    private static FetchResponse fetch(String topic, int partition, long offset, int maxWaitMs, int minBytes,
            int maxBytes, int epoch) {
        return cluster.broker(1).fetch(FetchRequest.newBuilder().setMaxWaitMs(maxWaitMs).setMinBytes(minBytes)
                .addTopics(FetchTopic.newBuilder().setTopic(topic).addPartitions(FetchPartition.newBuilder()
                        .setPartition(partition).setFetchOffset(offset).setCurrentLeaderEpoch(epoch)))
                .build());
    }

    private static List<String> valuesOf(FetchPartitionResponse p, long from) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : RecordBatch.batches(p.getRecordBatches().asReadOnlyByteBuffer())) {
            for (io.brook.api.records.Record r : batch) {
                if (r.offset() >= from) {
                    out.add(new String(r.valueBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Test
    void aLongPollFetchIsAnsweredWhenDataArrivesAndAnEmptyOneAfterMaxWait() throws Exception {
        cluster.createTopic("poll", 1, 1, Map.of());
        CompletableFuture<FetchResponse> waiting = CompletableFuture.supplyAsync(() -> fetch("poll", 0, 0, 20_000, 1, 0, -1));
        TestCluster.await("the fetch is parked", () -> !waiting.isDone());
        assertEquals(ErrorCode.NONE, produce("poll", 0, 1, values("woken")).getErrorCode());
        FetchPartitionResponse woken = waiting.get(15, TimeUnit.SECONDS).getTopics(0).getPartitions(0);
        assertEquals(List.of("woken"), valuesOf(woken, 0));
        assertEquals(1, woken.getNextOffset());
        assertEquals(1, woken.getHighWatermark());

        FetchPartitionResponse idle = fetch("poll", 0, 1, 100, 1, 0, -1).getTopics(0).getPartitions(0);
        assertEquals(ErrorCode.NONE, idle.getErrorCode());
        assertEquals(0, idle.getRecordBatches().size(), "nothing new: answered empty after max_wait_ms");
    }

    @Test
    void aFetchStreamSendsWhatIsCommittedAsItArrives() throws Exception {
        cluster.createTopic("stream", 1, 1, Map.of());
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        CountDownLatch three = new CountDownLatch(3);
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        try {
            context.run(() -> cluster.brokerAsync(1).fetchStream(FetchRequest.newBuilder()
                    .addTopics(FetchTopic.newBuilder().setTopic("stream").addPartitions(FetchPartition.newBuilder()
                            .setPartition(0).setFetchOffset(0).setCurrentLeaderEpoch(-1))).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(FetchResponse value) {
                            for (String v : valuesOf(value.getTopics(0).getPartitions(0), 0)) {
                                received.add(v);
                                three.countDown();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {}

                        @Override
                        public void onCompleted() {}
                    }));
            for (String v : List.of("one", "two", "three")) {
                assertEquals(ErrorCode.NONE, produce("stream", 0, -1, values(v)).getErrorCode());
            }
            assertTrue(three.await(15, TimeUnit.SECONDS), "received " + received);
            assertEquals(List.of("one", "two", "three"), new ArrayList<>(received));
        } finally {
            context.cancel(null);
        }
    }

    @Test
    void aProduceStreamAppendsInTheOrderSentAndAnswersEachCorrelationId() throws Exception {
        cluster.createTopic("pipelined", 1, 1, Map.of());
        int requests = 50;
        ConcurrentLinkedQueue<ProduceStreamResponse> answers = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<ProduceStreamRequest> stream = cluster.brokerAsync(1).produceStream(new StreamObserver<>() {
            @Override
            public void onNext(ProduceStreamResponse value) {
                answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        for (int i = 0; i < requests; i++) {
            stream.onNext(ProduceStreamRequest.newBuilder().setCorrelationId(1000 + i).setRequest(ProduceRequest.newBuilder()
                    .setAcks(-1).addTopics(TopicProduceData.newBuilder().setTopic("pipelined")
                            .addPartitions(values("p" + i).setPartition(0)))).build());
        }
        TestCluster.await("every request answered", () -> answers.size() == requests);
        stream.onCompleted();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        for (ProduceStreamResponse answer : answers) {
            PartitionProduceResponse p = answer.getResponse().getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NONE, p.getErrorCode());
            assertEquals(answer.getCorrelationId() - 1000, p.getBaseOffset(), "appended in the order sent");
        }
    }

    @Test
    void listOffsetsFindsEarliestLatestAndByTimestamp() {
        cluster.createTopic("times", 1, 1, Map.of());
        for (long ts : new long[] {1_000, 2_000, 3_000}) {
            RecordList list = RecordList.newBuilder().setProducerId(-1).setProducerEpoch(-1).setBaseSequence(-1)
                    .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("t" + ts)).setTimestampMs(ts)).build();
            // acks=all: answered once committed (with log.flush.on.ack, acks=1 may answer before the
            // HW, which ListOffsets' latest reports, has moved).
            assertEquals(ErrorCode.NONE, produce("times", 0, -1, PartitionProduceData.newBuilder().setRecords(list))
                    .getErrorCode());
        }
        assertEquals(0, listOffset("times", 0, -2).getOffset());
        assertEquals(3, listOffset("times", 0, -1).getOffset());
        assertEquals(1, listOffset("times", 0, 1_500).getOffset());
        assertEquals(2_000, listOffset("times", 0, 1_500).getTimestamp());
        assertEquals(-1, listOffset("times", 0, 9_000).getOffset(), "nothing at or after");
    }

    @Test
    void anInvalidTopicConfigIsRefusedNamingTheKey() {
        CreateTopicsResponse response = cluster.admin(1).createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(NewTopic.newBuilder().setName("badconfig").setNumPartitions(1).setReplicationFactor(1)
                        .putConfigs("retention.ms", "soon")).build());
        assertEquals(ErrorCode.INVALID_CONFIG, response.getTopics(0).getErrorCode(), response.toString());
        assertTrue(response.getTopics(0).getErrorMessage().contains("retention.ms"), response.toString());
    }
}
