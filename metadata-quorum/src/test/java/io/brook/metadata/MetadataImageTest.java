package io.brook.metadata;

import static io.brook.metadata.MetadataRecords.acl;
import static io.brook.metadata.MetadataRecords.controlledShutdown;
import static io.brook.metadata.MetadataRecords.deleteConfig;
import static io.brook.metadata.MetadataRecords.featureLevel;
import static io.brook.metadata.MetadataRecords.fence;
import static io.brook.metadata.MetadataRecords.ids;
import static io.brook.metadata.MetadataRecords.noOp;
import static io.brook.metadata.MetadataRecords.partition;
import static io.brook.metadata.MetadataRecords.partitionChange;
import static io.brook.metadata.MetadataRecords.producerIds;
import static io.brook.metadata.MetadataRecords.record;
import static io.brook.metadata.MetadataRecords.registerBroker;
import static io.brook.metadata.MetadataRecords.removeAcl;
import static io.brook.metadata.MetadataRecords.removeTopic;
import static io.brook.metadata.MetadataRecords.replay;
import static io.brook.metadata.MetadataRecords.setConfig;
import static io.brook.metadata.MetadataRecords.snapshotRoundTrip;
import static io.brook.metadata.MetadataRecords.topic;
import static io.brook.metadata.MetadataRecords.unregisterBroker;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.MetadataBatch;
import io.brook.api.internal.metadata.MetadataRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Empty image, then records, then the image: each record type has the effect its documentation
 * in {@code records.proto} states; an image written as records and replayed onto an empty image
 * is equal to itself, and writes the same bytes.
 */
class MetadataImageTest {
    private static final UUID ORDERS = new UUID(0x0A, 1);
    private static final UUID PAYMENTS = new UUID(0x0B, 2);
    private static final UUID ACL_1 = new UUID(0x0C, 3);
    private static final UUID ACL_2 = new UUID(0x0D, 4);

    // --- brokers ----------------------------------------------------------------------------

    @Test
    void registrationAddsAFencedBrokerWithItsRackAndEpoch() {
        MetadataImage image = replay(registerBroker(1, 10, "r1", true), registerBroker(2, 11, "", false));

        BrokerRegistration one = image.cluster().broker(1);
        assertEquals(10, one.epoch());
        assertEquals(Optional.of("r1"), one.rack());
        assertTrue(one.fenced());
        assertFalse(image.cluster().isActive(1));
        assertEquals(Optional.empty(), image.cluster().broker(2).rack());
        assertTrue(image.cluster().isActive(2));
        assertEquals(11, image.cluster().highestBrokerEpoch());
    }

    @Test
    void reRegistrationReplacesTheEarlierRegistration() {
        MetadataImage image = replay(registerBroker(1, 10, "r1", false), controlledShutdown(1, 10, true),
                registerBroker(1, 12, "r2", true));

        BrokerRegistration one = image.cluster().broker(1);
        assertEquals(12, one.epoch());
        assertEquals(Optional.of("r2"), one.rack());
        assertTrue(one.fenced());
        assertFalse(one.inControlledShutdown());
    }

    @Test
    void fencingChangeForTheCurrentEpochApplies() {
        MetadataImage image = replay(registerBroker(1, 10, "", true), fence(1, 10, false));
        assertFalse(image.cluster().broker(1).fenced());

        image = replay(image, List.of(controlledShutdown(1, 10, true)));
        assertFalse(image.cluster().broker(1).fenced());
        assertTrue(image.cluster().broker(1).inControlledShutdown());
        assertTrue(image.cluster().isUnfenced(1));
        assertFalse(image.cluster().isActive(1));
    }

    @Test
    void fencingChangeForAnOlderEpochIsIgnored() {
        MetadataImage registered = replay(registerBroker(1, 10, "", true), registerBroker(1, 12, "", true));

        MetadataImage image = replay(registered, List.of(fence(1, 10, false), controlledShutdown(1, 10, true)));

        assertEquals(registered, image);
        assertTrue(image.cluster().broker(1).fenced());
    }

    @Test
    void fencingChangeOfAnUnknownBrokerIsIgnored() {
        MetadataImage image = replay(fence(7, 1, false));
        assertEquals(MetadataImage.EMPTY, image);
    }

    @Test
    void unregistrationRemovesTheBrokerOnlyForItsCurrentEpoch() {
        MetadataImage registered = replay(registerBroker(1, 10, "", false), registerBroker(2, 11, "", false));

        assertEquals(registered, replay(registered, List.of(unregisterBroker(1, 9))));
        MetadataImage image = replay(registered, List.of(unregisterBroker(1, 10)));
        assertNull(image.cluster().broker(1));
        assertEquals(11, image.cluster().broker(2).epoch());
    }

    // --- topics and partitions --------------------------------------------------------------

    @Test
    void topicAndPartitionsAppearTogether() {
        MetadataImage image = replay(topic("orders", ORDERS),
                partition(ORDERS, 0, 1, 2, 3), partition(ORDERS, 1, 2, 3, 1));

        TopicImage orders = image.topics().topic("orders");
        assertSame(orders, image.topics().topic(ORDERS));
        assertEquals(2, orders.partitionCount());
        assertEquals(new PartitionRegistration(List.of(2, 3, 1), List.of(2, 3, 1), 2, 0, 0), orders.partition(1));
        assertEquals(2, image.topics().partitionCount());
    }

    @Test
    void partitionChangeBumpsPartitionEpochAlways() {
        MetadataImage image = replay(topic("orders", ORDERS), partition(ORDERS, 0, 1, 2, 3),
                record(partitionChange(ORDERS, 0).setIsr(ids(1, 2))));

        PartitionRegistration p = image.topics().topic(ORDERS).partition(0);
        assertEquals(List.of(1, 2), p.isr());
        assertEquals(List.of(1, 2, 3), p.replicas());
        assertEquals(1, p.leader());
        assertEquals(0, p.leaderEpoch());
        assertEquals(1, p.partitionEpoch());
    }

    @Test
    void partitionChangeBumpsLeaderEpochOnlyWhenLeaderIsPresent() {
        MetadataImage created = replay(topic("orders", ORDERS), partition(ORDERS, 0, 1, 2, 3));

        PartitionRegistration sameLeader = replay(created, List.of(
                record(partitionChange(ORDERS, 0).setLeader(1)))).topics().topic(ORDERS).partition(0);
        assertEquals(1, sameLeader.leader());
        assertEquals(1, sameLeader.leaderEpoch(), "a leader record, even for the same broker, is a new term");
        assertEquals(1, sameLeader.partitionEpoch());

        PartitionRegistration offline = replay(created, List.of(
                record(partitionChange(ORDERS, 0).setLeader(PartitionRegistration.NO_LEADER).setIsr(ids())),
                record(partitionChange(ORDERS, 0).setReplicas(ids(3, 2, 1)))))
                .topics().topic(ORDERS).partition(0);
        assertFalse(offline.hasLeader());
        assertEquals(List.of(3, 2, 1), offline.replicas());
        assertEquals(List.of(), offline.isr());
        assertEquals(1, offline.leaderEpoch());
        assertEquals(2, offline.partitionEpoch());
        assertEquals(3, offline.preferredLeader());
    }

    @Test
    void removeTopicRemovesItsPartitionsAndItsTopicConfigs() {
        MetadataImage image = replay(topic("orders", ORDERS), partition(ORDERS, 0, 1),
                topic("payments", PAYMENTS), partition(PAYMENTS, 0, 1),
                setConfig(ConfigResource.topic("orders"), "retention.ms", "1000"),
                setConfig(ConfigResource.topic("payments"), "retention.ms", "2000"),
                removeTopic(ORDERS));

        assertNull(image.topics().topic(ORDERS));
        assertNull(image.topics().topic("orders"));
        assertEquals(1, image.topics().partitionCount());
        assertEquals(Map.of(), image.configs().configs(ConfigResource.topic("orders")));
        assertEquals(Map.of("retention.ms", "2000"), image.configs().configs(ConfigResource.topic("payments")));
    }

    @Test
    void aRemovedTopicNameCanBeCreatedAgainWithoutItsOldConfigs() {
        MetadataImage removed = replay(topic("orders", ORDERS), partition(ORDERS, 0, 1),
                setConfig(ConfigResource.topic("orders"), "retention.ms", "1000"), removeTopic(ORDERS));
        UUID again = new UUID(0x0A, 99);

        MetadataImage image = replay(removed, List.of(topic("orders", again), partition(again, 0, 2)));

        assertEquals(again, image.topics().topic("orders").id());
        assertEquals(List.of(2), image.topics().topic("orders").partition(0).replicas());
        assertEquals(Map.of(), image.configs().configs(ConfigResource.topic("orders")));
    }

    // --- configs, ACLs, producer ids, features, no-ops -----------------------------------------

    @Test
    void configRecordSetsAndAnAbsentValueDeletes() {
        ConfigResource broker1 = ConfigResource.broker(1);
        MetadataImage image = replay(setConfig(ConfigResource.cluster(), "log.retention.ms", "60000"),
                setConfig(broker1, "a", "1"), setConfig(broker1, "b", "2"), setConfig(broker1, "a", "3"),
                deleteConfig(broker1, "b"));

        assertEquals(Map.of("log.retention.ms", "60000"), image.configs().configs(ConfigResource.cluster()));
        assertEquals(Map.of("a", "3"), image.configs().configs(broker1));

        MetadataImage deleted = replay(image, List.of(deleteConfig(broker1, "a")));
        assertFalse(deleted.configs().resources().containsKey(broker1), "a resource without entries is absent");
    }

    @Test
    void aclsAreAddedAndRemovedById() {
        MetadataImage image = replay(acl(ACL_1, "orders", "User:alice", AclOperation.ACL_OPERATION_READ),
                acl(ACL_2, "orders", "User:bob", AclOperation.ACL_OPERATION_WRITE), removeAcl(ACL_1));

        assertEquals(List.of(ACL_2), List.copyOf(image.acls().acls().keySet()));
        assertEquals("User:bob", image.acls().acls().get(ACL_2).binding().getPrincipal());
    }

    @Test
    void producerIdsMoveForwardAndNeverBack() {
        MetadataImage image = replay(producerIds(1, 10, 1000), producerIds(2, 11, 2000));
        assertEquals(2000, image.producerIds().nextProducerId());

        assertThrows(MetadataReplayException.class, () -> replay(image, List.of(producerIds(1, 10, 1500))));
    }

    @Test
    void featureLevelZeroRemovesTheFeature() {
        MetadataImage image = replay(featureLevel("metadata.version", 3), featureLevel("kraft.version", 1));
        assertEquals(3, image.features().level("metadata.version"));

        MetadataImage removed = replay(image, List.of(featureLevel("kraft.version", 0)));
        assertEquals(Map.of("metadata.version", 3), removed.features().levels());
        assertEquals(0, removed.features().level("kraft.version"));
    }

    @Test
    void noOpChangesNothing() {
        MetadataImage image = sampleImage();
        MetadataDelta delta = new MetadataDelta(image);
        delta.replay(noOp(123_456));

        assertEquals(image, delta.apply(new MetadataProvenance(99, 3)));
        assertTrue(replay(noOp(1)).isEmpty());
        assertEquals(1, delta.recordCount());
    }

    // --- replay errors ------------------------------------------------------------------------

    @Test
    void partitionOfAnUnknownTopicIsAReplayError() {
        assertThrows(MetadataReplayException.class, () -> replay(partition(ORDERS, 0, 1)));
        assertThrows(MetadataReplayException.class,
                () -> replay(topic("orders", ORDERS), removeTopic(ORDERS), partition(ORDERS, 0, 1)));
    }

    @Test
    void changeOfAnUnknownPartitionIsAReplayError() {
        assertThrows(MetadataReplayException.class,
                () -> replay(topic("orders", ORDERS), record(partitionChange(ORDERS, 0).setLeader(1))));
    }

    @Test
    void duplicateTopicNameIsAReplayErrorInOneDeltaAndAcrossDeltas() {
        assertThrows(MetadataReplayException.class,
                () -> replay(topic("orders", ORDERS), topic("orders", PAYMENTS)));
        MetadataImage image = replay(topic("orders", ORDERS));
        assertThrows(MetadataReplayException.class, () -> replay(image, List.of(topic("orders", PAYMENTS))));
        // a topic of the base image that this delta has touched is still there
        assertThrows(MetadataReplayException.class, () -> replay(image, List.of(
                partition(ORDERS, 0, 1), topic("orders", PAYMENTS))));
    }

    @Test
    void duplicateTopicIdIsAReplayError() {
        assertThrows(MetadataReplayException.class,
                () -> replay(topic("orders", ORDERS), topic("payments", ORDERS)));
    }

    @Test
    void removalOfAnUnknownTopicIsAReplayError() {
        assertThrows(MetadataReplayException.class, () -> replay(removeTopic(ORDERS)));
        assertThrows(MetadataReplayException.class,
                () -> replay(topic("orders", ORDERS), removeTopic(ORDERS), removeTopic(ORDERS)));
    }

    @Test
    void recordWithoutATypeIsAReplayError() {
        assertThrows(MetadataReplayException.class, () -> replay(MetadataRecord.getDefaultInstance()));
        assertThrows(MetadataReplayException.class, () -> replay(MetadataRecords.configWithoutType("x")));
    }

    // --- snapshots ----------------------------------------------------------------------------

    @Test
    void imageWrittenAsRecordsReplaysOntoEmptyAsAnEqualImage() {
        MetadataImage image = sampleImage();
        assertEquals(image, snapshotRoundTrip(image));
        assertEquals(MetadataImage.EMPTY, snapshotRoundTrip(MetadataImage.EMPTY));
        assertEquals(List.of(), MetadataImage.EMPTY.toRecords());
    }

    @Test
    void writeRecordsGivesTheSameBytesEveryTime() {
        MetadataImage image = sampleImage();
        assertArrayEquals(snapshotBytes(image), snapshotBytes(image));
        assertArrayEquals(snapshotBytes(image), snapshotBytes(snapshotRoundTrip(image)));
    }

    @Test
    void equalImagesBuiltDifferentlyWriteTheSameBytes() {
        MetadataImage straight = sampleImage();
        // the same final state reached in another order, with detours and several deltas
        MetadataImage detour = replay(MetadataImage.EMPTY, List.of(
                acl(ACL_2, "payments", "User:bob", AclOperation.ACL_OPERATION_WRITE),
                setConfig(ConfigResource.broker(2), "x", "y"),
                registerBroker(3, 5, "r2", true),
                topic("payments", PAYMENTS), partition(PAYMENTS, 0, 3, 1)));
        detour = replay(detour, List.of(
                registerBroker(2, 6, "r1", false),
                topic("orders", ORDERS), partition(ORDERS, 1, 3, 2), partition(ORDERS, 0, 2, 3),
                featureLevel("metadata.version", 3),
                acl(ACL_1, "orders", "User:alice", AclOperation.ACL_OPERATION_READ),
                deleteConfig(ConfigResource.broker(2), "x")));
        detour = replay(detour, List.of(
                producerIds(2, 6, 5000),
                setConfig(ConfigResource.topic("orders"), "retention.ms", "1000"),
                setConfig(ConfigResource.cluster(), "log.retention.ms", "60000"),
                record(partitionChange(ORDERS, 0).setIsr(ids(2))),
                fence(3, 5, false), controlledShutdown(3, 5, true)));

        assertEquals(straight, detour);
        assertArrayEquals(snapshotBytes(straight), snapshotBytes(detour));
    }

    @Test
    void writeRecordsOrdersFeaturesBrokersTopicsConfigsAclsProducerIds() {
        List<MetadataRecord.RecordCase> cases = sampleImage().toRecords().stream()
                .map(MetadataRecord::getRecordCase).distinct().toList();
        assertEquals(List.of(MetadataRecord.RecordCase.FEATURE_LEVEL, MetadataRecord.RecordCase.REGISTER_BROKER,
                MetadataRecord.RecordCase.TOPIC, MetadataRecord.RecordCase.PARTITION,
                MetadataRecord.RecordCase.CONFIG, MetadataRecord.RecordCase.ACCESS_CONTROL_ENTRY,
                MetadataRecord.RecordCase.PRODUCER_IDS), cases);
    }

    private static byte[] snapshotBytes(MetadataImage image) {
        return MetadataBatch.newBuilder().addAllRecords(image.toRecords()).build().toByteArray();
    }

    /** A bit of everything, every record type at least once, built in one delta. */
    static MetadataImage sampleImage() {
        return replay(
                featureLevel("metadata.version", 3),
                registerBroker(2, 6, "r1", false),
                registerBroker(3, 5, "r2", true),
                fence(3, 5, false),
                controlledShutdown(3, 5, true),
                topic("orders", ORDERS),
                partition(ORDERS, 0, 2, 3),
                partition(ORDERS, 1, 3, 2),
                record(partitionChange(ORDERS, 0).setIsr(ids(2))),
                topic("payments", PAYMENTS),
                partition(PAYMENTS, 0, 3, 1),
                setConfig(ConfigResource.topic("orders"), "retention.ms", "1000"),
                setConfig(ConfigResource.cluster(), "log.retention.ms", "60000"),
                acl(ACL_1, "orders", "User:alice", AclOperation.ACL_OPERATION_READ),
                acl(ACL_2, "payments", "User:bob", AclOperation.ACL_OPERATION_WRITE),
                producerIds(2, 6, 5000),
                noOp(42));
    }
}
