package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.brook.api.records.RecordBatch;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.ErrorsProto;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.InitProducerIdRequest;
import io.brook.api.v1.InitProducerIdResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.Record;
import io.brook.api.v1.RecordList;
import io.brook.api.v1.TopicProduceData;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three combined nodes as separate JVM processes launched from the shaded jar (formatted with
 * {@code brook storage format}, run with {@code brook server start}); an idempotent acks=all
 * producer in this JVM (over the generated stubs, one batch in flight) writes 3,000 records in
 * 150 batches of 20 to a topic with replication factor 3 and min.insync.replicas 2. A third of the
 * way in, the partition leader's process is killed with SIGKILL while a batch is in flight; the
 * producer goes on through the failover, retrying each batch with the same sequence against the
 * leader that a live node's metadata names. Two thirds in, the killed node restarts on its
 * directories (while the producer goes on), and the test waits until it is back in the ISR. Then the partition is read back from its leader: every
 * acknowledged record exactly once, in the order acknowledged, at the offset it was acknowledged
 * with.
 *
 * <p>On failure the tail of each node's log is printed. Run: {@code mvn -B -ntp verify} (or, for
 * this test alone, {@code mvn -B -pl cli -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=MultiProcessKillIT}).
 */
class MultiProcessKillIT {
    private static final String TOPIC = "kill9";
    private static final int BATCHES = 150;
    private static final int RECORDS_PER_BATCH = 20;

    @TempDir
    Path dir;
    private NodeProcesses nodes;
    private long producerId;
    private int producerEpoch;
    private int nextSequence;
    /** The partition leader the producer last found (-1: ask the metadata). */
    private int leader = -1;
    /** Every failed produce attempt, by error code or gRPC status: retried, so only reported. */
    private final Map<String, Integer> errorsSeen = new TreeMap<>();

    @AfterEach
    void killEveryNode() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesAKill9OfThePartitionLeaderOnceAndInOrder() throws Exception {
        Path jar = Path.of(Objects.requireNonNull(System.getProperty("brook.jar"),
                "system property brook.jar: the shaded jar (failsafe sets it, see cli/pom.xml)"));
        nodes = new NodeProcesses(jar, dir, 3);
        try {
            produceThroughAKillAndCheck();
        } catch (Throwable t) {
            System.err.println("MultiProcessKillIT failed (" + t + "); errors seen by the producer: " + errorsSeen);
            nodes.printLogTails(System.err, 80);
            throw t;
        }
    }

    private void produceThroughAKillAndCheck() throws Exception {
        long started = System.nanoTime();
        nodes.format("default.replication.factor=3\nmin.insync.replicas=2\nbroker.heartbeat.interval.ms=200\n"
                + "broker.session.timeout.ms=3000\nreplica.lag.time.max.ms=3000\n");
        long formatted = System.nanoTime();
        nodes.startAll();
        long up = System.nanoTime();
        createTopic();
        initProducerId();

        Map<String, Long> acknowledged = new LinkedHashMap<>(); // value -> offset, in the order acknowledged
        int victim = -1;
        CompletableFuture<Void> kill = null;
        CompletableFuture<Void> restart = null;
        long killedAt = 0;
        long failoverMs = -1;
        for (int b = 0; b < BATCHES; b++) {
            if (b == BATCHES / 3) {
                victim = nodes.partition(TOPIC, 0).getLeaderId();
                int node = victim;
                killedAt = System.nanoTime();
                kill = CompletableFuture.runAsync(() -> nodes.kill(node)); // lands while the next batch is in flight
            }
            if (b == 2 * BATCHES / 3) {
                int node = victim;
                restart = kill.thenRun(() -> {
                    try {
                        nodes.start(node); // while the producer goes on
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            List<String> values = new ArrayList<>();
            for (int r = 0; r < RECORDS_PER_BATCH; r++) {
                values.add("v" + (b * RECORDS_PER_BATCH + r));
            }
            long baseOffset = send(values);
            if (victim > 0 && failoverMs < 0) {
                failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertNotEquals(victim, leader, "the first batch acknowledged after the kill came from a new leader");
            }
            for (int r = 0; r < values.size(); r++) {
                acknowledged.put(values.get(r), baseOffset + r);
            }
        }
        long produced = System.nanoTime();
        restart.get(60, TimeUnit.SECONDS);
        int restarted = victim;
        NodeProcesses.await("node " + restarted + " is back in the ISR", () -> {
            PartitionMetadata m = nodes.partition(TOPIC, 0);
            return m.getIsrCount() == 3 && m.getLeaderId() > 0 && nodes.isServing(m.getLeaderId());
        });
        long rejoined = System.nanoTime();
        PartitionMetadata after = nodes.partition(TOPIC, 0);

        List<String> problems = check(acknowledged, readAll(after.getLeaderId()));
        System.out.printf("MultiProcessKillIT: %d records acknowledged; node %d (the leader) killed after %d; first "
                + "acknowledgement after the kill %d ms later; leader now %d, ISR %s; errors retried %s; seconds: "
                + "formatted %.1f, cluster up %.1f later, production %.1f, back in the ISR %.1f later, read and check %.1f%n",
                acknowledged.size(), victim, BATCHES / 3 * RECORDS_PER_BATCH, failoverMs, after.getLeaderId(),
                after.getIsrList(), errorsSeen, seconds(started, formatted), seconds(formatted, up), seconds(up, produced),
                seconds(produced, rejoined), seconds(rejoined, System.nanoTime()));
        assertEquals(List.of(), problems, "every acknowledged record once, in order, at its acknowledged offset");
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private void createTopic() {
        NodeProcesses.await("topic " + TOPIC + " created", () -> {
            CreateTopicsResponse response = nodes.admin(nodes.anyServing(1)).createTopics(CreateTopicsRequest.newBuilder()
                    .addTopics(NewTopic.newBuilder().setName(TOPIC).setNumPartitions(1).setReplicationFactor(3)
                            .putConfigs("min.insync.replicas", "2")).build());
            ErrorCode code = response.getTopics(0).getErrorCode();
            assertTrue(code == ErrorCode.NONE || code == ErrorCode.TOPIC_ALREADY_EXISTS || isRetriable(code),
                    response.toString());
            return code == ErrorCode.NONE || code == ErrorCode.TOPIC_ALREADY_EXISTS;
        });
        NodeProcesses.await(TOPIC + "-0 has a leader and a full ISR", () -> {
            PartitionMetadata m = nodes.partition(TOPIC, 0);
            return m != null && m.getLeaderId() > 0 && m.getIsrCount() == 3;
        });
    }

    private void initProducerId() {
        InitProducerIdResponse response = nodes.broker(1).initProducerId(
                InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build());
        assertEquals(ErrorCode.NONE, response.getErrorCode(), response.toString());
        producerId = response.getProducerId();
        producerEpoch = response.getProducerEpoch();
    }

    /**
     * Sends {@code values} as one idempotent batch with acks=all to the partition leader, retrying
     * retriable errors and cut calls with the same sequence for up to 60 s (after a failure it asks
     * a serving node's metadata for the leader again); returns the base offset.
     */
    private long send(List<String> values) {
        RecordList.Builder records = RecordList.newBuilder().setProducerId(producerId).setProducerEpoch(producerEpoch)
                .setBaseSequence(nextSequence);
        values.forEach(v -> records.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v))));
        ProduceRequest request = ProduceRequest.newBuilder().setAcks(-1).setTimeoutMs(5_000)
                .addTopics(TopicProduceData.newBuilder().setTopic(TOPIC)
                        .addPartitions(PartitionProduceData.newBuilder().setPartition(0).setRecords(records)))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (leader < 0) {
                    PartitionMetadata m = nodes.partition(TOPIC, 0);
                    leader = m == null ? -1 : m.getLeaderId();
                }
                if (leader > 0) {
                    PartitionProduceResponse answer = nodes.broker(leader).produce(request).getTopics(0).getPartitions(0);
                    if (answer.getErrorCode() == ErrorCode.NONE) {
                        nextSequence += values.size();
                        return answer.getBaseOffset();
                    }
                    errorsSeen.merge(answer.getErrorCode().name(), 1, Integer::sum);
                    assertTrue(isRetriable(answer.getErrorCode()), "produce of " + values.get(0) + ".. failed: "
                            + answer);
                }
            } catch (StatusRuntimeException e) {
                errorsSeen.merge("gRPC " + e.getStatus().getCode(), 1, Integer::sum); // cut or refused: retry
            }
            leader = -1; // ask the metadata again
            assertTrue(System.nanoTime() < deadline, "the batch from " + values.get(0) + " was not acknowledged "
                    + "within 60 s; errors seen " + errorsSeen);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static boolean isRetriable(ErrorCode code) {
        return code.getValueDescriptor().getOptions().getExtension(ErrorsProto.retriable);
    }

    /** The partition's records below the high watermark, read from {@code leader}: offset and value. */
    private List<Map.Entry<Long, String>> readAll(int leader) {
        List<Map.Entry<Long, String>> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            FetchPartitionResponse p = nodes.broker(leader).fetch(FetchRequest.newBuilder().setMaxWaitMs(0)
                    .addTopics(FetchTopic.newBuilder().setTopic(TOPIC).addPartitions(FetchPartition.newBuilder()
                            .setPartition(0).setFetchOffset(offset).setCurrentLeaderEpoch(-1)))
                    .build()).getTopics(0).getPartitions(0);
            assertEquals(ErrorCode.NONE, p.getErrorCode(), "fetch at " + offset + ": " + p.getErrorMessage());
            for (RecordBatch batch : RecordBatch.batches(p.getRecordBatches().asReadOnlyByteBuffer())) {
                for (io.brook.api.records.Record record : batch) {
                    if (record.offset() >= offset && record.offset() < p.getHighWatermark()) {
                        out.add(Map.entry(record.offset(), new String(record.valueBytes(), StandardCharsets.UTF_8)));
                    }
                }
            }
            offset = p.getNextOffset();
            if (offset >= p.getHighWatermark()) {
                return out;
            }
        }
    }

    /**
     * What is wrong with the log read back against the acknowledgements (at most 10 of each kind):
     * lost (acknowledged, not read), duplicated (read twice), unacknowledged (read, never
     * acknowledged: the producer retries every batch until it is, so none should be), moved (read
     * at another offset than acknowledged) and reordered (acknowledged records in another order).
     */
    static List<String> check(Map<String, Long> acknowledged, List<Map.Entry<Long, String>> read) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> readCount = new HashMap<>();
        read.forEach(e -> readCount.merge(e.getValue(), 1, Integer::sum));
        acknowledged.keySet().stream().filter(v -> !readCount.containsKey(v)).limit(10)
                .forEach(v -> problems.add("lost: " + v + " (acknowledged at offset " + acknowledged.get(v) + ")"));
        readCount.entrySet().stream().filter(e -> e.getValue() > 1).limit(10)
                .forEach(e -> problems.add("duplicated: " + e.getKey() + " read " + e.getValue() + " times"));
        read.stream().filter(e -> !acknowledged.containsKey(e.getValue())).limit(10)
                .forEach(e -> problems.add("unacknowledged: " + e.getValue() + " at offset " + e.getKey()));
        read.stream().filter(e -> acknowledged.containsKey(e.getValue())
                        && acknowledged.get(e.getValue()).longValue() != e.getKey()).limit(10)
                .forEach(e -> problems.add("moved: " + e.getValue() + " acknowledged at offset "
                        + acknowledged.get(e.getValue()) + ", read at " + e.getKey()));
        Set<String> seen = new HashSet<>();
        List<String> readOrder = read.stream().map(Map.Entry::getValue)
                .filter(v -> acknowledged.containsKey(v) && seen.add(v)).toList();
        List<String> ackOrder = acknowledged.keySet().stream().filter(readCount::containsKey).toList();
        for (int i = 0; i < readOrder.size(); i++) {
            if (!readOrder.get(i).equals(ackOrder.get(i))) {
                problems.add("reordered: acknowledged record #" + i + " is " + ackOrder.get(i) + " but "
                        + readOrder.get(i) + " was read in its place");
                break;
            }
        }
        return problems;
    }
}
