package io.brook.broker;

import io.brook.common.LoopbackPorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.StorageFormatException;
import io.brook.metadata.StorageFormatter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node started from its configuration, as `brook server start` does, on 127.0.0.1. */
class BrookNodeTest {
    @TempDir
    Path dir;


    private Map<String, String> controllerConfig() throws IOException {
        Map<String, String> raw = new HashMap<>();
        raw.put("node.id", "1");
        raw.put("process.roles", "controller");
        raw.put("listeners", "CONTROLLER://127.0.0.1:0");
        raw.put("controller.quorum.voters", "1@127.0.0.1:" + LoopbackPorts.free());
        raw.put("controller.quorum.election.timeout.ms", "500");
        raw.put("log.dirs", dir.resolve("data").toString());
        return raw;
    }

    @Test
    void aControllerNodeStartsFromItsConfigurationAndLeadsItsOneVoterQuorum() throws Exception {
        NodeConfig config = NodeConfig.parse(controllerConfig());
        String clusterId = StorageFormatter.randomClusterId(new Random(3));
        StorageFormatter.format(config.metadataDir(), clusterId, 1, false);
        try (BrookNode node = BrookNode.start(config);
                ControllerClient client = ControllerClient.connect(List.of("127.0.0.1:" + node.controllerPort()),
                        Duration.ofSeconds(30))) {
            assertEquals(clusterId, node.clusterId());
            DescribeQuorumResponse quorum = client.describeQuorum().get(30, TimeUnit.SECONDS);
            assertEquals(ErrorCode.NONE, quorum.getError().getCode(), quorum.toString());
            assertEquals(1, quorum.getLeaderId());
        }
    }

    @Test
    void aNodeRefusesUnformattedStorage() throws IOException {
        NodeConfig config = NodeConfig.parse(controllerConfig());
        StorageFormatException unformatted = assertThrows(StorageFormatException.class, () -> BrookNode.start(config));
        assertTrue(unformatted.getMessage().contains("brook storage format"), unformatted.getMessage());
    }

    @Test
    void aCombinedNodesBrokerRegistersFollowsTheMetadataAndIsUnfencedThenShutsDownInAControlledWay()
            throws Exception {
        Map<String, String> raw = controllerConfig();
        raw.put("process.roles", "broker,controller");
        raw.put("listeners", "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:0");
        raw.put("broker.rack", "rack-a");
        raw.put("broker.heartbeat.interval.ms", "100");
        NodeConfig config = NodeConfig.parse(raw);
        StorageFormatter.format(config.metadataDir(), StorageFormatter.randomClusterId(new Random(4)), 1, false);
        try (BrookNode node = BrookNode.start(config)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(node.metadataImage().cluster().isActive(1) && !node.brokerLifecycle().isFenced())) {
                assertTrue(System.nanoTime() < deadline, "broker 1 unfenced within 30 s; image "
                        + node.metadataImage().cluster() + ", fenced " + node.brokerLifecycle().isFenced());
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            var broker = node.metadataImage().cluster().broker(1);
            assertEquals("rack-a", broker.rack().orElseThrow());
            assertEquals(19092, broker.endpoints().get(0).getPort());
            assertEquals(node.brokerLifecycle().epoch(), broker.epoch());

            // The broker keeps a log for each partition assigned to it, and drops it with the topic.
            try (ControllerClient client = ControllerClient.connect(List.of("127.0.0.1:" + node.controllerPort()),
                    Duration.ofSeconds(30))) {
                var created = client.createTopics(io.brook.api.internal.controller.CreateTopicsRequest.newBuilder()
                        .addTopics(io.brook.api.internal.controller.CreatableTopic.newBuilder().setName("orders")
                                .setNumPartitions(2).setReplicationFactor(1).putConfigs("retention.ms", "60000")
                                .putConfigs("min.insync.replicas", "2"))
                        .build()).get(30, TimeUnit.SECONDS);
                assertEquals(ErrorCode.NONE, created.getTopics(0).getErrorCode(), created.toString());
                io.brook.storage.TopicPartition p0 = new io.brook.storage.TopicPartition("orders", 0);
                io.brook.storage.TopicPartition p1 = new io.brook.storage.TopicPartition("orders", 1);
                awaitTrue("the partition logs exist", () -> node.logManager().get(p0).isPresent()
                        && node.logManager().get(p1).isPresent());
                assertEquals(60000L, node.logManager().get(p0).orElseThrow().config().retentionMs());
                // The only replica leads, in epoch 0, with its epoch recorded before any record.
                awaitTrue("broker 1 leads both partitions", () -> node.replicaManager().leaderState(p0).isPresent()
                        && node.replicaManager().leaderState(p1).isPresent());
                assertEquals(0, node.replicaManager().leaderState(p0).orElseThrow().leaderEpoch());
                assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS,
                        node.replicaManager().leaderState(p0).orElseThrow().checkBeforeAppend(-1),
                        "the topic's min.insync.replicas 2 on a one-replica ISR refuses acks=all");
                assertEquals(0, node.logManager().get(p0).orElseThrow().latestEpoch().getAsInt());
                client.deleteTopics(io.brook.api.internal.controller.DeleteTopicsRequest.newBuilder().addNames("orders")
                        .build()).get(30, TimeUnit.SECONDS);
                awaitTrue("the partition logs are gone", () -> node.logManager().logs().isEmpty());
            }
        }
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
