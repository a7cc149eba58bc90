package io.brook.metadata;

import static io.brook.metadata.MetadataRecords.acl;
import static io.brook.metadata.MetadataRecords.fence;
import static io.brook.metadata.MetadataRecords.ids;
import static io.brook.metadata.MetadataRecords.partition;
import static io.brook.metadata.MetadataRecords.partitionChange;
import static io.brook.metadata.MetadataRecords.record;
import static io.brook.metadata.MetadataRecords.registerBroker;
import static io.brook.metadata.MetadataRecords.removeTopic;
import static io.brook.metadata.MetadataRecords.replay;
import static io.brook.metadata.MetadataRecords.setConfig;
import static io.brook.metadata.MetadataRecords.topic;
import static io.brook.metadata.MetadataRecords.unregisterBroker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.metadata.AclOperation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a {@link MetadataDelta} reports as changed, relative to its base image, and how it builds
 * the next image: publishers act on these sets instead of diffing images.
 */
class MetadataDeltaTest {
    private static final UUID ORDERS = new UUID(0x0A, 1);
    private static final UUID PAYMENTS = new UUID(0x0B, 2);
    private static final UUID AUDIT = new UUID(0x0C, 3);

    /** Brokers 1 and 2, topics orders (2 partitions) and payments (1), a config on each topic. */
    private static final MetadataImage BASE = replay(
            registerBroker(1, 10, "r1", true), registerBroker(2, 11, "r2", false),
            topic("orders", ORDERS), partition(ORDERS, 0, 1, 2), partition(ORDERS, 1, 2, 1),
            topic("payments", PAYMENTS), partition(PAYMENTS, 0, 1),
            setConfig(ConfigResource.topic("orders"), "retention.ms", "1"),
            setConfig(ConfigResource.topic("payments"), "retention.ms", "2"));

    @Test
    void emptyDeltaReportsNothingAndKeepsTheBaseImage() {
        MetadataDelta delta = new MetadataDelta(BASE);
        MetadataImage next = delta.apply(new MetadataProvenance(5, 1));

        assertEquals(BASE, next);
        assertSame(BASE.topics(), next.topics());
        assertSame(BASE.cluster(), next.cluster());
        assertEquals(Map.of(), delta.changedTopics());
        assertEquals(Map.of(), delta.removedTopics());
        assertEquals(Map.of(), delta.changedBrokers());
        assertEquals(Set.of(), delta.removedBrokers());
        assertEquals(Set.of(), delta.changedConfigResources());
        assertFalse(delta.aclsChanged());
    }

    @Test
    void reportsCreatedAndChangedTopicsWithTheirChangedPartitions() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replayAll(List.of(
                record(partitionChange(ORDERS, 1).setIsr(ids(2))),
                topic("audit", AUDIT), partition(AUDIT, 0, 1), partition(AUDIT, 1, 2)));

        assertEquals(Map.of(ORDERS, Set.of(1), AUDIT, Set.of(0, 1)), delta.changedTopics());
        assertEquals(Map.of(), delta.removedTopics());
    }

    @Test
    void reportsRemovedTopicsAsTheyWereInTheBaseImage() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replayAll(List.of(record(partitionChange(ORDERS, 0).setLeader(2)), removeTopic(ORDERS)));

        assertEquals(Map.of(ORDERS, BASE.topics().topic(ORDERS)), delta.removedTopics());
        assertEquals(Map.of(), delta.changedTopics(), "a removed topic is not also reported as changed");
        assertTrue(delta.changedConfigResources().contains(ConfigResource.topic("orders")));
    }

    @Test
    void topicCreatedAndRemovedInOneDeltaIsReportedNowhere() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replayAll(List.of(topic("audit", AUDIT), partition(AUDIT, 0, 1), removeTopic(AUDIT)));

        assertEquals(Map.of(), delta.changedTopics());
        assertEquals(Map.of(), delta.removedTopics());
        assertEquals(BASE, delta.apply(new MetadataProvenance(5, 1)));
    }

    @Test
    void nameRemovedAndCreatedAgainInOneDeltaIsOneRemovalAndOneCreation() {
        UUID ordersAgain = new UUID(0x0A, 7);
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replayAll(List.of(removeTopic(ORDERS), topic("orders", ordersAgain), partition(ordersAgain, 0, 2)));

        assertEquals(Set.of(ORDERS), delta.removedTopics().keySet());
        assertEquals(Map.of(ordersAgain, Set.of(0)), delta.changedTopics());
        MetadataImage next = delta.apply(new MetadataProvenance(5, 1));
        assertEquals(ordersAgain, next.topics().topic("orders").id());
        assertEquals(Map.of(), next.configs().configs(ConfigResource.topic("orders")));
    }

    @Test
    void reportsChangedAndRemovedBrokers() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replayAll(List.of(fence(1, 10, false), unregisterBroker(2, 11), registerBroker(3, 12, "", true)));

        assertEquals(Set.of(1, 3), delta.changedBrokers().keySet());
        assertFalse(delta.changedBrokers().get(1).fenced());
        assertEquals(Set.of(2), delta.removedBrokers());
    }

    @Test
    void ignoredFencingChangeReportsNoChangedBroker() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replay(fence(1, 9, false));

        assertEquals(Map.of(), delta.changedBrokers());
    }

    @Test
    void reportsChangedConfigResources() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replayAll(List.of(setConfig(ConfigResource.broker(1), "a", "b"),
                setConfig(ConfigResource.topic("payments"), "retention.ms", "3")));

        assertEquals(Set.of(ConfigResource.broker(1), ConfigResource.topic("payments")),
                delta.changedConfigResources());
    }

    @Test
    void reportsAclChanges() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replay(acl(AUDIT, "orders", "User:alice", AclOperation.ACL_OPERATION_READ));
        assertTrue(delta.aclsChanged());
    }

    @Test
    void baseImagePlusDeltaEqualsTheImageOfAllRecords() {
        List<io.brook.api.internal.metadata.MetadataRecord> more = List.of(
                record(partitionChange(PAYMENTS, 0).setLeader(1)), removeTopic(ORDERS),
                fence(1, 10, false), setConfig(ConfigResource.cluster(), "x", "y"));

        MetadataImage stepwise = replay(BASE, more);

        MetadataDelta all = new MetadataDelta(MetadataImage.EMPTY);
        all.replayAll(BASE.toRecords());
        all.replayAll(more);
        assertEquals(all.apply(new MetadataProvenance(9, 1)), stepwise);
    }

    @Test
    void replayingAfterApplyLeavesThePublishedImageUnchanged() {
        MetadataDelta delta = new MetadataDelta(BASE);
        delta.replay(record(partitionChange(ORDERS, 0).setIsr(ids(1))));
        MetadataImage published = delta.apply(new MetadataProvenance(5, 1));
        MetadataImage copy = replay(BASE, List.of(record(partitionChange(ORDERS, 0).setIsr(ids(1)))));

        delta.replayAll(List.of(record(partitionChange(ORDERS, 0).setLeader(2)), partition(ORDERS, 2, 1),
                fence(1, 10, false), setConfig(ConfigResource.topic("orders"), "retention.ms", "9"),
                acl(AUDIT, "orders", "User:alice", AclOperation.ACL_OPERATION_READ)));
        delta.apply(new MetadataProvenance(6, 1));

        assertEquals(copy, published);
    }
}
