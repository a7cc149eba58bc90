package io.brook.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.PartitionProduceResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three combined nodes in this JVM (real Ratis, real gRPC on loopback, real files) driven through
 * the generated brook.v1 stubs: acks=all across a leader crash, min.insync.replicas, ISR shrink
 * and expand, controlled shutdown, idempotent retries. Each test leaves every node running.
 */
class ReplicationClusterTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestCluster.start(dir, 3, Map.of("replica.lag.time.max.ms", "3000"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesALeaderCrashExactlyOnceAndInOrder() {
        cluster.createTopic("crash", 1, 3, Map.of("min.insync.replicas", "2"));
        TestClient producer = new TestClient(cluster, "crash", 0).idempotent();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            producer.send("a" + i, "b" + i);
            acknowledged.add("a" + i);
            acknowledged.add("b" + i);
        }
        int leader = cluster.awaitLeader("crash", 0);
        cluster.halt(leader);
        for (int i = 100; i < 200; i++) {
            producer.send("a" + i, "b" + i);
            acknowledged.add("a" + i);
            acknowledged.add("b" + i);
        }
        int newLeader = cluster.awaitLeader("crash", 0);
        assertTrue(newLeader != leader, "a new leader took over");
        io.brook.api.v1.FetchPartitionResponse stale = cluster.broker(newLeader).fetch(io.brook.api.v1.FetchRequest
                .newBuilder().addTopics(io.brook.api.v1.FetchTopic.newBuilder().setTopic("crash").addPartitions(
                        io.brook.api.v1.FetchPartition.newBuilder().setPartition(0).setFetchOffset(0)
                                .setCurrentLeaderEpoch(0))).build()).getTopics(0).getPartitions(0);
        assertEquals(io.brook.api.v1.ErrorCode.FENCED_LEADER_EPOCH, stale.getErrorCode(),
                "a consumer that still knows the old leader's epoch is told to refresh");
        PartitionProduceResponse toFollower = producer.produceOnce(cluster.partitionMetadata("crash", 0).getReplicasList()
                .stream().filter(r -> r != newLeader && r != leader).findFirst().orElseThrow(), 1, -1, "misdirected");
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, toFollower.getErrorCode());
        assertEquals(newLeader, toFollower.getLeaderHint(), "the answer names the leader");
        assertEquals(acknowledged, producer.readAll(), "every acknowledged record, once, in order");

        cluster.restart(leader);
        TestCluster.await("the old leader is back in the ISR", () -> cluster.partitionMetadata("crash", 0)
                .getIsrCount() == 3);
        assertEquals(acknowledged, producer.readAll());
    }

    @Test
    void minInsyncReplicasRefusesAcksAllWhileTheIsrIsTooSmallAndTheIsrShrinksAndExpands() {
        cluster.createTopic("minisr", 1, 2, Map.of("min.insync.replicas", "2"));
        TestClient producer = new TestClient(cluster, "minisr", 0);
        producer.send("before");
        PartitionMetadata before = cluster.partitionMetadata("minisr", 0);
        int leader = before.getLeaderId();
        int follower = before.getReplicasList().stream().filter(r -> r != leader).findFirst().orElseThrow();

        cluster.halt(follower);
        TestCluster.await("the ISR shrinks to the leader", () -> cluster.partitionMetadata("minisr", 0).getIsrList()
                .equals(List.of(leader)), () -> cluster.partitionMetadata("minisr", 0).toString());
        PartitionProduceResponse refused = producer.produceOnce(leader, -1, -1, "refused");
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, refused.getErrorCode(), refused.toString());
        assertTrue(refused.getErrorMessage().contains("min.insync.replicas"), refused.getErrorMessage());
        PartitionProduceResponse acksOne = producer.produceOnce(leader, 1, -1, "acks-1");
        assertEquals(ErrorCode.NONE, acksOne.getErrorCode(), acksOne.toString());
        // An altered min.insync.replicas applies at once.
        alterMinInsync("minisr", "1");
        TestCluster.await("acks=all is accepted with min.insync.replicas 1", () -> producer.produceOnce(leader, -1, -1,
                "alone").getErrorCode() == ErrorCode.NONE);
        alterMinInsync("minisr", "2");
        TestCluster.await("the leader has min.insync.replicas 2 again", () -> cluster.node(leader).replicaManager()
                .leaderState(new io.brook.storage.TopicPartition("minisr", 0)).orElseThrow().checkBeforeAppend(-1)
                == ErrorCode.NOT_ENOUGH_REPLICAS);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, producer.produceOnce(leader, -1, -1, "refused").getErrorCode());

        cluster.restart(follower);
        TestCluster.await("the ISR expands again", () -> cluster.partitionMetadata("minisr", 0).getIsrCount() == 2,
                () -> cluster.partitionMetadata("minisr", 0).toString());
        producer.send("after");
        assertEquals(List.of("before", "acks-1", "alone", "after"), producer.readAll());
    }

    @Test
    void aControlledShutdownMovesLeadershipWithoutAFailedRequest() {
        cluster.createTopic("controlled", 1, 3, Map.of("min.insync.replicas", "2"));
        TestClient producer = new TestClient(cluster, "controlled", 0).idempotent();
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            producer.send("v" + i);
            acknowledged.add("v" + i);
        }
        int leader = cluster.awaitLeader("controlled", 0);
        Thread stopper = new Thread(() -> cluster.stop(leader));
        stopper.start();
        for (int i = 50; i < 150; i++) {
            producer.send("v" + i);
            acknowledged.add("v" + i);
        }
        assertTrue(joined(stopper), "the controlled shutdown finished");
        Set<ErrorCode> errors = new HashSet<>(producer.errorsSeen);
        errors.remove(ErrorCode.NOT_LEADER_OR_FOLLOWER); // the answer that sends a client to the new leader
        assertEquals(Set.of(), errors, "only leader changes were seen, no failed request: " + producer.errorsSeen);
        assertEquals(acknowledged, producer.readAll());
        cluster.restart(leader);
    }

    @Test
    void anIdempotentRetryAfterALostResponseGetsTheOriginalOffsetsEvenFromANewLeader() {
        cluster.createTopic("idempotent", 1, 3, Map.of("min.insync.replicas", "2"));
        TestClient producer = new TestClient(cluster, "idempotent", 0).idempotent();
        int leader = cluster.awaitLeader("idempotent", 0);
        PartitionProduceResponse first = producer.produceOnce(leader, -1, 0, "x", "y");
        assertEquals(ErrorCode.NONE, first.getErrorCode(), first.toString());
        // The answer was "lost": the producer sends the same batch again.
        PartitionProduceResponse retry = producer.produceOnce(leader, -1, 0, "x", "y");
        assertEquals(ErrorCode.NONE, retry.getErrorCode(), retry.toString());
        assertEquals(first.getBaseOffset(), retry.getBaseOffset(), "the retry gets the original offsets");

        // The producer state moves with the leadership.
        cluster.halt(leader);
        int newLeader = cluster.awaitLeader("idempotent", 0);
        PartitionProduceResponse afterFailover = producer.produceOnce(newLeader, -1, 0, "x", "y");
        assertEquals(ErrorCode.NONE, afterFailover.getErrorCode(), afterFailover.toString());
        assertEquals(first.getBaseOffset(), afterFailover.getBaseOffset());
        PartitionProduceResponse gap = producer.produceOnce(newLeader, -1, 5, "z");
        assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.getErrorCode(), gap.toString());
        assertEquals(List.of("x", "y"), producer.readAll());
        cluster.restart(leader);
    }

    private static void alterMinInsync(String topic, String value) {
        io.brook.api.v1.IncrementalAlterConfigsResponse response = cluster.admin(cluster.anyRunning())
                .incrementalAlterConfigs(io.brook.api.v1.IncrementalAlterConfigsRequest.newBuilder()
                        .addResources(io.brook.api.v1.AlterConfigsResourceRequest.newBuilder()
                                .setResource(io.brook.api.v1.ConfigResourceRef.newBuilder()
                                        .setKind(io.brook.api.v1.ConfigResourceKind.TOPIC).setName(topic))
                                .addEntries(io.brook.api.v1.AlterConfigEntry.newBuilder().setName("min.insync.replicas")
                                        .setOp(io.brook.api.v1.AlterConfigEntry.Op.SET).setValue(value)))
                        .build());
        assertEquals(ErrorCode.NONE, response.getResults(0).getErrorCode(), response.toString());
    }

    private static boolean joined(Thread thread) {
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
