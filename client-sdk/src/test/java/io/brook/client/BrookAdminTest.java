package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ErrorCode;
import io.brook.common.ConfigException;
import io.brook.common.LoopbackPorts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BrookAdmin} against three combined nodes in this JVM (real Ratis, real gRPC on loopback).
 * Each test uses topics of its own; every node stays up.
 */
class BrookAdminTest {
    @TempDir
    static Path dir;
    static ClusterFixture cluster;
    static BrookAdmin admin;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterFixture.start(dir, 3);
        admin = cluster.admin();
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void createdTopicIsDescribedListedAndGoneAfterDelete() {
        List<CreatedTopic> created = admin.createTopics(List.of(new NewTopic("orders", 3, 2,
                Map.of("retention.ms", "3600000"))));
        assertEquals(1, created.size());
        assertEquals("orders", created.get(0).name());
        assertEquals(3, created.get(0).partitions());
        assertEquals(2, created.get(0).replicationFactor());
        assertNotEquals(new UUID(0, 0), created.get(0).topicId());

        TopicDescription orders = admin.describeTopics(List.of("orders")).get("orders");
        assertEquals(created.get(0).topicId(), orders.topicId());
        assertFalse(orders.internal());
        assertEquals(Map.of("retention.ms", "3600000"), orders.configs());
        assertEquals(3, orders.partitions().size());
        for (PartitionInfo p : orders.partitions()) {
            assertEquals(2, p.replicas().size(), p.toString());
            assertTrue(p.replicas().contains(p.leader()), p.toString());
            assertEquals(Set.copyOf(p.replicas()), Set.copyOf(p.isr()), p.toString());
            assertFalse(p.offline() || p.underReplicated(), p.toString());
        }
        TopicListing listing = admin.listTopics(false).stream().filter(t -> t.name().equals("orders")).findFirst()
                .orElseThrow();
        assertEquals(new TopicListing("orders", orders.topicId(), 3, false), listing);
        assertTrue(admin.describeTopics(List.of()).containsKey("orders"), "describing every topic includes it");

        admin.deleteTopics(List.of("orders"));
        assertFalse(admin.listTopics(false).stream().anyMatch(t -> t.name().equals("orders")));
        UnknownTopicOrPartitionException gone = assertThrows(UnknownTopicOrPartitionException.class,
                () -> admin.describeTopics(List.of("orders")));
        assertEquals("Topic 'orders' does not exist.", gone.getMessage());
    }

    @Test
    void topicWithoutCountsGetsTheClusterDefaults() {
        CreatedTopic created = admin.createTopics(List.of(NewTopic.withDefaults("defaults"))).get(0);
        assertEquals(1, created.partitions(), "num.partitions");
        assertEquals(3, created.replicationFactor(), "default.replication.factor = min(3 nodes, 3)");
        assertEquals(3, admin.describeTopics(List.of("defaults")).get("defaults").partitions().get(0).replicas().size());
    }

    @Test
    void createPartitionsGrowsATopicAndRefusesToShrinkIt() {
        admin.createTopics(List.of(new NewTopic("growing", 1, 3)));
        admin.createPartitions(Map.of("growing", 4));
        List<PartitionInfo> partitions = admin.describeTopics(List.of("growing")).get("growing").partitions();
        assertEquals(List.of(0, 1, 2, 3), partitions.stream().map(PartitionInfo::partition).toList());

        InvalidPartitionsException shrink = assertThrows(InvalidPartitionsException.class,
                () -> admin.createPartitions(Map.of("growing", 2)));
        assertTrue(shrink.getMessage().startsWith("Could not create partitions for topic 'growing': "), shrink.getMessage());
        assertThrows(UnknownTopicOrPartitionException.class, () -> admin.createPartitions(Map.of("no-such-topic", 2)));
    }

    @Test
    void topicConfigsAreSetDescribedAndDeleted() {
        admin.createTopics(List.of(new NewTopic("configured", 1, 3)));
        ConfigResource topic = ConfigResource.topic("configured");
        admin.incrementalAlterConfigs(topic, List.of(AlterConfigOp.set("retention.ms", "1000"),
                AlterConfigOp.set("cleanup.policy", "compact")));
        Map<String, ConfigEntry> entries = byName(admin.describeConfigs(topic));
        assertEquals(new ConfigEntry("retention.ms", Optional.of("1000"), ConfigEntry.Source.DYNAMIC, false,
                entries.get("retention.ms").documentation()), entries.get("retention.ms"));
        assertFalse(entries.get("retention.ms").documentation().isEmpty(), "documented");
        assertEquals(Optional.of("compact"), entries.get("cleanup.policy").value());
        assertEquals(ConfigEntry.Source.DEFAULT, entries.get("segment.bytes").source(), "an unset key shows its default");
        assertEquals(Map.of("retention.ms", "1000", "cleanup.policy", "compact"),
                admin.describeTopics(List.of("configured")).get("configured").configs());

        admin.incrementalAlterConfigs(topic, List.of(AlterConfigOp.delete("retention.ms")));
        ConfigEntry retention = byName(admin.describeConfigs(topic)).get("retention.ms");
        assertEquals(ConfigEntry.Source.DEFAULT, retention.source());
        assertEquals(Optional.of("604800000"), retention.value());

        InvalidConfigurationException unknownKey = assertThrows(InvalidConfigurationException.class,
                () -> admin.incrementalAlterConfigs(topic, List.of(AlterConfigOp.set("no.such.key", "1"))));
        assertTrue(unknownKey.getMessage().contains("topic 'configured'") && unknownKey.getMessage().contains("no.such.key"),
                unknownKey.getMessage());
        InvalidConfigurationException badValue = assertThrows(InvalidConfigurationException.class,
                () -> admin.incrementalAlterConfigs(topic, List.of(AlterConfigOp.set("retention.ms", "soon"))));
        assertTrue(badValue.getMessage().contains("retention.ms"), badValue.getMessage());
        assertEquals("Topic 'nowhere' does not exist.", assertThrows(UnknownTopicOrPartitionException.class,
                () -> admin.describeConfigs(ConfigResource.topic("nowhere"))).getMessage());
        assertThrows(UnknownTopicOrPartitionException.class, () -> admin.incrementalAlterConfigs(
                ConfigResource.topic("nowhere"), List.of(AlterConfigOp.set("retention.ms", "1"))));
    }

    @Test
    void brokerDynamicConfigsAreSetAndDescribed() {
        ConfigResource broker = ConfigResource.broker(2);
        admin.incrementalAlterConfigs(broker, List.of(AlterConfigOp.set("unclean.leader.election.enable", "true")));
        ConfigEntry entry = byName(admin.describeConfigs(broker)).get("unclean.leader.election.enable");
        assertEquals(Optional.of("true"), entry.value());
        assertEquals(ConfigEntry.Source.DYNAMIC, entry.source());
        admin.incrementalAlterConfigs(broker, List.of(AlterConfigOp.delete("unclean.leader.election.enable")));
        assertFalse(byName(admin.describeConfigs(broker)).containsKey("unclean.leader.election.enable"));
    }

    @Test
    void describeClusterShowsTheQuorumAndEveryBroker() {
        ClusterDescription description = admin.describeCluster();
        assertEquals(Optional.empty(), description.quorumError());
        assertEquals(cluster.cluster.node(1).clusterId(), description.clusterId());
        assertTrue(description.controllerId() >= 1 && description.controllerId() <= 3, description.toString());
        assertTrue(description.controllerTerm() >= 1, description.toString());
        assertEquals(List.of(1, 2, 3), description.voters().stream().map(ClusterDescription.Voter::nodeId).toList());
        assertEquals(List.of(1, 2, 3), description.brokers().stream().map(ClusterDescription.Broker::id).toList());
        for (ClusterDescription.Broker broker : description.brokers()) {
            assertTrue(broker.alive(), broker.toString());
            assertEquals("127.0.0.1", broker.host());
            assertEquals(cluster.cluster.node(broker.id()).brokerPort(), broker.port());
        }
        assertEquals(0, description.offlinePartitions());
    }

    @Test
    void listOffsetsFindsEarliestLatestAndByTimestampOnTheLeaders() throws Exception {
        admin.createTopics(List.of(new NewTopic("offsets", 2, 3)));
        TopicPartition p0 = new TopicPartition("offsets", 0);
        TopicPartition p1 = new TopicPartition("offsets", 1);
        assertEquals(0, cluster.produce(p0, List.of("a", "b", "c"), List.of(1_000L, 2_000L, 3_000L)));

        Map<TopicPartition, ListOffsetsResultInfo> found = admin.listOffsets(Map.of(
                p0, OffsetSpec.earliest(), p1, OffsetSpec.latest()));
        assertEquals(0, found.get(p0).offset());
        assertEquals(0, found.get(p1).offset(), "nothing produced to partition 1");
        assertEquals(3, admin.listOffsets(Map.of(p0, OffsetSpec.latest())).get(p0).offset());
        ListOffsetsResultInfo second = admin.listOffsets(Map.of(p0, OffsetSpec.forTimestamp(1_500))).get(p0);
        assertEquals(1, second.offset());
        assertEquals(2_000, second.timestamp());
        assertEquals(-1, admin.listOffsets(Map.of(p0, OffsetSpec.forTimestamp(9_000))).get(p0).offset());

        assertEquals("Topic 'no-offsets' does not exist.", assertThrows(UnknownTopicOrPartitionException.class,
                () -> admin.listOffsets(Map.of(new TopicPartition("no-offsets", 0), OffsetSpec.latest()))).getMessage());
        assertTrue(assertThrows(UnknownTopicOrPartitionException.class,
                () -> admin.listOffsets(Map.of(new TopicPartition("offsets", 7), OffsetSpec.latest()))).getMessage()
                .contains("has 2 partitions"));
    }

    @Test
    void creatingAnExistingTopicFailsNamingIt() {
        admin.createTopics(List.of(new NewTopic("twice", 1, 1)));
        TopicExistsException e = assertThrows(TopicExistsException.class,
                () -> admin.createTopics(List.of(new NewTopic("twice", 1, 1))));
        assertEquals("Topic 'twice' already exists.", e.getMessage());
        assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, e.errorCode());
    }

    @Test
    void oneFailedTopicOfSeveralIsThrownAndTheOthersAreCreated() {
        admin.createTopics(List.of(new NewTopic("taken", 1, 1)));
        TopicExistsException e = assertThrows(TopicExistsException.class, () -> admin.createTopics(List.of(
                new NewTopic("fresh-1", 1, 1), new NewTopic("taken", 1, 1), new NewTopic("fresh-2", 1, 9))));
        assertEquals("Topic 'taken' already exists.", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertTrue(e.getSuppressed()[0] instanceof InvalidReplicationFactorException, e.getSuppressed()[0].toString());
        Set<String> names = admin.listTopics(false).stream().map(TopicListing::name).collect(Collectors.toSet());
        assertTrue(names.contains("fresh-1") && !names.contains("fresh-2"), names.toString());
    }

    @Test
    void deletingOrDescribingAnUnknownTopicFailsNamingIt() {
        assertEquals("Topic 'ghost' does not exist.", assertThrows(UnknownTopicOrPartitionException.class,
                () -> admin.deleteTopics(List.of("ghost"))).getMessage());
        assertEquals("Topic 'ghost' does not exist.", assertThrows(UnknownTopicOrPartitionException.class,
                () -> admin.describeTopics(List.of("ghost"))).getMessage());
    }

    @Test
    void invalidTopicConfigOrReplicationFactorIsRefusedNamingTheTopic() {
        InvalidConfigurationException config = assertThrows(InvalidConfigurationException.class,
                () -> admin.createTopics(List.of(new NewTopic("badconfig", 1, 1, Map.of("foo", "bar")))));
        assertTrue(config.getMessage().startsWith("Could not create topic 'badconfig': "), config.getMessage());
        assertTrue(config.getMessage().contains("Unknown configuration 'foo'"), config.getMessage());

        InvalidReplicationFactorException tooMany = assertThrows(InvalidReplicationFactorException.class,
                () -> admin.createTopics(List.of(new NewTopic("toomany", 1, 5))));
        assertTrue(tooMany.getMessage().startsWith("Could not create topic 'toomany': "), tooMany.getMessage());
        assertTrue(tooMany.getMessage().contains("5"), tooMany.getMessage());
        assertThrows(InvalidReplicationFactorException.class, () -> admin.createTopics(List.of(new NewTopic("zero", 1, 0))));
        assertThrows(InvalidPartitionsException.class, () -> admin.createTopics(List.of(new NewTopic("none", 0, 1))));
        assertThrows(InvalidTopicException.class, () -> admin.createTopics(List.of(new NewTopic("bad/name", 1, 1))));
        Set<String> names = admin.listTopics(false).stream().map(TopicListing::name).collect(Collectors.toSet());
        assertFalse(names.contains("badconfig") || names.contains("toomany"), names.toString());
    }

    @Test
    void noReachableBrokerFailsQuicklyNamingTheAddresses() {
        String nowhere = "127.0.0.1:" + LoopbackPorts.free();
        long start = System.nanoTime();
        try (BrookAdmin lonely = new BrookAdmin(Map.of("bootstrap.servers", nowhere, "default.api.timeout.ms", "500",
                "retry.backoff.ms", "50"))) {
            NetworkException e = assertThrows(NetworkException.class, () -> lonely.listTopics(false));
            assertTrue(e.getMessage().startsWith("No reachable broker among [" + nowhere + "] within 500 ms: "),
                    e.getMessage());
            assertThrows(NetworkException.class, () -> lonely.createTopics(List.of(new NewTopic("x", 1, 1))));
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < 10_000, "took " + elapsedMs + " ms");
    }

    @Test
    void badClientConfigurationIsAConfigExceptionNamingTheKey() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> new BrookAdmin(Map.of("bootstrap.servers", "127.0.0.1:9092", "bootstrap.server", "x")));
        assertEquals("bootstrap.server", unknown.key());
        assertEquals("bootstrap.servers", assertThrows(ConfigException.class,
                () -> new BrookAdmin(Map.of("bootstrap.servers", "no-port"))).key());
        assertEquals("bootstrap.servers", assertThrows(ConfigException.class, () -> new BrookAdmin(Map.of())).key());
    }

    private static Map<String, ConfigEntry> byName(List<ConfigEntry> entries) {
        return entries.stream().collect(Collectors.toMap(ConfigEntry::name, e -> e));
    }
}
