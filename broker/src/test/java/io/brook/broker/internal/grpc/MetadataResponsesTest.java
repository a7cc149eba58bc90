package io.brook.broker.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicDescription;
import io.brook.api.v1.TopicListing;
import io.brook.api.v1.TopicMetadata;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataImage;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetadataResponsesTest {
    private static final UUID ORDERS = new UUID(0x0102030405060708L, 0x090a0b0c0d0e0f10L);
    private static final UUID PAYMENTS = new UUID(2, 2);
    private static final UUID OFFSETS = new UUID(3, 3);

    private static List<String> names(MetadataResponse response) {
        return response.getTopicsList().stream().map(TopicMetadata::getName).toList();
    }

    private static PartitionMetadata onlyPartition(MetadataImage image, String topic) {
        TopicMetadata metadata = MetadataResponses.metadata(image, "c", 1, List.of(topic), "PLAINTEXT").getTopics(0);
        assertEquals(1, metadata.getPartitionsCount(), metadata.toString());
        return metadata.getPartitions(0);
    }

    @Test
    void listsUnfencedBrokersWithTheirEndpointOnTheRequestedListenerById() {
        MetadataImage image = new ImageBuilder()
                .broker(3, "rack-b", false)
                .broker(1, "rack-a", false)
                .broker(2, "", true)
                .broker(4).controlledShutdown(4)
                .brokerWithListener(5, "INTERNAL")
                .build();

        MetadataResponse plaintext = MetadataResponses.metadata(image, "cluster-x", 1, List.of(), "PLAINTEXT");
        MetadataResponse replication = MetadataResponses.metadata(image, "cluster-x", 1, List.of(), "REPLICATION");

        assertEquals("cluster-x", plaintext.getClusterId());
        assertEquals(1, plaintext.getControllerId());
        assertEquals(List.of(
                BrokerEndpoint.newBuilder().setBrokerId(1).setHost("broker-1").setPort(9092).setRack("rack-a").build(),
                BrokerEndpoint.newBuilder().setBrokerId(3).setHost("broker-3").setPort(9092).setRack("rack-b").build(),
                BrokerEndpoint.newBuilder().setBrokerId(4).setHost("broker-4").setPort(9092).build()),
                plaintext.getBrokersList(),
                "fenced broker 2 and broker 5 (no PLAINTEXT listener) are left out; 4 in controlled shutdown stays");
        assertEquals(List.of(9094, 9094, 9094), replication.getBrokersList().stream().map(BrokerEndpoint::getPort).toList());
    }

    @Test
    void everyTopicSortedByNameWhenNoneIsRequested() {
        MetadataImage image = new ImageBuilder().broker(1)
                .topic("payments", PAYMENTS).partition(PAYMENTS, 0, 1)
                .topic("__consumer_offsets", OFFSETS).partition(OFFSETS, 0, 1)
                .topic("orders", ORDERS).partition(ORDERS, 0, 1)
                .build();

        MetadataResponse response = MetadataResponses.metadata(image, "c", -1, List.of(), "PLAINTEXT");

        assertEquals(List.of("__consumer_offsets", "orders", "payments"), names(response));
        assertEquals(-1, response.getControllerId());
    }

    @Test
    void requestedTopicsComeInRequestOrderOnceAndAnUnknownOneIsNamedInItsError() {
        MetadataImage image = new ImageBuilder().broker(1)
                .topic("orders", ORDERS).partition(ORDERS, 0, 1)
                .topic("payments", PAYMENTS).partition(PAYMENTS, 0, 1)
                .build();

        MetadataResponse response = MetadataResponses.metadata(image, "c", 1,
                List.of("payments", "missing", "orders", "payments"), "PLAINTEXT");

        assertEquals(List.of("payments", "missing", "orders"), names(response));
        TopicMetadata missing = response.getTopics(1);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, missing.getErrorCode());
        assertTrue(missing.getErrorMessage().contains("missing"), missing.getErrorMessage());
        assertTrue(missing.getTopicId().isEmpty());
        assertEquals(0, missing.getPartitionsCount());
        assertEquals(ErrorCode.NONE, response.getTopics(0).getErrorCode());
    }

    @Test
    void aPartitionCarriesLeaderEpochReplicasIsrAndTheReplicasOnFencedOrUnregisteredBrokers() {
        MetadataImage image = new ImageBuilder().broker(1).broker(2, "", true).broker(3).controlledShutdown(3)
                .topic("orders", ORDERS)
                .partition(ORDERS, 0, List.of(3, 2, 9, 1), List.of(3, 1), 1, 4)
                .build();

        PartitionMetadata partition = onlyPartition(image, "orders");

        assertEquals(PartitionMetadata.newBuilder()
                .setPartition(0)
                .setErrorCode(ErrorCode.NONE)
                .setLeaderId(1)
                .setLeaderEpoch(4)
                .addAllReplicas(List.of(3, 2, 9, 1))
                .addAllIsr(List.of(3, 1))
                .addAllOfflineReplicas(List.of(2, 9))
                .build(), partition);
    }

    @Test
    void aPartitionWithoutLeaderIsLeaderNotAvailableWithAMessage() {
        MetadataImage image = new ImageBuilder().broker(1, "", true)
                .topic("orders", ORDERS)
                .partition(ORDERS, 0, List.of(1), List.of(1), -1, 2)
                .build();

        PartitionMetadata partition = onlyPartition(image, "orders");

        assertEquals(ErrorCode.LEADER_NOT_AVAILABLE, partition.getErrorCode());
        assertTrue(partition.getErrorMessage().contains("orders-0"), partition.getErrorMessage());
        assertEquals(-1, partition.getLeaderId());
        assertEquals(2, partition.getLeaderEpoch());
        assertEquals(List.of(1), partition.getReplicasList());
        assertEquals(List.of(1), partition.getOfflineReplicasList());
    }

    @Test
    void partitionsComeSortedByIdWithTheTopicIdAsSixteenBigEndianBytes() {
        MetadataImage image = new ImageBuilder().broker(1)
                .topic("orders", ORDERS)
                .partition(ORDERS, 2, 1).partition(ORDERS, 0, 1).partition(ORDERS, 1, 1)
                .build();

        TopicMetadata topic = MetadataResponses.topicMetadata(image, "orders");

        assertEquals(List.of(0, 1, 2), topic.getPartitionsList().stream().map(PartitionMetadata::getPartition).toList());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                topic.getTopicId().toByteArray());
    }

    @Test
    void aTopicDescriptionCarriesOnlyThatTopicsOwnConfigs() {
        MetadataImage image = new ImageBuilder().broker(1)
                .topic("orders", ORDERS).partition(ORDERS, 0, 1)
                .topic("payments", PAYMENTS).partition(PAYMENTS, 0, 1)
                .config(ConfigResource.topic("orders"), "retention.ms", "1000")
                .config(ConfigResource.topic("orders"), "cleanup.policy", "compact")
                .config(ConfigResource.topic("payments"), "retention.ms", "5")
                .config(ConfigResource.broker(1), "retention.ms", "7")
                .build();

        List<TopicDescription> descriptions = MetadataResponses.topicDescriptions(image, List.of("orders", "gone"));

        assertEquals(2, descriptions.size());
        assertEquals(Map.of("retention.ms", "1000", "cleanup.policy", "compact"), descriptions.get(0).getConfigsMap());
        assertEquals(MetadataResponses.topicMetadata(image, "orders"), descriptions.get(0).getMetadata());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, descriptions.get(1).getMetadata().getErrorCode());
        assertEquals(Map.of(), descriptions.get(1).getConfigsMap());
        assertEquals(List.of("orders", "payments"), MetadataResponses.topicDescriptions(image, List.of()).stream()
                .map(d -> d.getMetadata().getName()).toList());
    }

    @Test
    void listingsLeaveInternalTopicsOutUnlessAskedFor() {
        MetadataImage image = new ImageBuilder().broker(1)
                .topic("orders", ORDERS).partition(ORDERS, 0, 1).partition(ORDERS, 1, 1)
                .topic("__consumer_offsets", OFFSETS).partition(OFFSETS, 0, 1)
                .build();

        List<TopicListing> external = MetadataResponses.topicListings(image, false);
        List<TopicListing> all = MetadataResponses.topicListings(image, true);

        assertEquals(List.of(TopicListing.newBuilder().setName("orders").setTopicId(MetadataResponses.topicId(ORDERS))
                .setPartitions(2).setInternal(false).build()), external);
        assertEquals(List.of("__consumer_offsets", "orders"), all.stream().map(TopicListing::getName).toList());
        assertTrue(all.get(0).getInternal());
        assertFalse(MetadataResponses.isInternal("_single_underscore"));
    }
}
