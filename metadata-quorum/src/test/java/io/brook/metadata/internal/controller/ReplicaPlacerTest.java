package io.brook.metadata.internal.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.metadata.Endpoint;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import io.brook.api.internal.metadata.TopicRecord;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.Uuids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Worked examples of {@link ReplicaPlacer}; the general rules are in {@link ReplicaPlacerPropertiesTest}. */
class ReplicaPlacerTest {
    private static final List<UsableBroker> THREE_RACKS_OF_TWO = List.of(
            UsableBroker.of(1, "a"), UsableBroker.of(2, "a"),
            UsableBroker.of(3, "b"), UsableBroker.of(4, "b"),
            UsableBroker.of(5, "c"), UsableBroker.of(6, "c"));

    @Test
    void threeRacksOfTwoBrokersWithReplicationFactorThreePutEveryPartitionOnThreeRacks() {
        Map<Integer, String> rackOf = new HashMap<>();
        THREE_RACKS_OF_TWO.forEach(b -> rackOf.put(b.id(), b.rack().orElseThrow()));

        for (int start = 0; start < 12; start++) {
            List<List<Integer>> placement = ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 12, 3, start);

            Map<Integer, Integer> leaders = new HashMap<>();
            for (List<Integer> replicas : placement) {
                assertEquals(Set.of("a", "b", "c"), Set.copyOf(replicas.stream().map(rackOf::get).toList()),
                        "start " + start + ": " + placement);
                leaders.merge(replicas.get(0), 1, Integer::sum);
            }
            assertEquals(Map.of(1, 2, 2, 2, 3, 2, 4, 2, 5, 2, 6, 2), leaders, "12 partitions, 6 brokers: 2 each");
        }
    }

    @Test
    void withoutRacksLeadersGoRoundRobinAndFollowersShiftEachRound() {
        List<UsableBroker> brokers = List.of(UsableBroker.withoutRack(10), UsableBroker.withoutRack(11),
                UsableBroker.withoutRack(12), UsableBroker.withoutRack(13));

        List<List<Integer>> placement = ReplicaPlacer.placeNewTopic(brokers, 8, 2, 0);

        assertEquals(List.of(
                List.of(10, 11), List.of(11, 12), List.of(12, 13), List.of(13, 10),
                List.of(10, 12), List.of(11, 13), List.of(12, 10), List.of(13, 11)), placement);
    }

    @Test
    void brokersWithoutRackCountAsOneMoreRack() {
        List<UsableBroker> brokers = List.of(UsableBroker.of(1, "a"), UsableBroker.of(2, "a"),
                UsableBroker.withoutRack(3), UsableBroker.withoutRack(4));

        for (List<Integer> replicas : ReplicaPlacer.placeNewTopic(brokers, 20, 2, 7)) {
            Set<Boolean> racked = new HashSet<>();
            replicas.forEach(id -> racked.add(id <= 2));
            assertEquals(Set.of(true, false), racked, "one replica in rack a, one among the rackless: " + replicas);
        }
    }

    @Test
    void singleBrokerTakesEveryPartition() {
        assertEquals(List.of(List.of(7), List.of(7), List.of(7)),
                ReplicaPlacer.placeNewTopic(List.of(UsableBroker.of(7, "a")), 3, 1, 12345));
    }

    @Test
    void rejectsReplicationFactorAboveTheUsableBrokers() {
        ReplicaPlacementException e = assertThrows(ReplicaPlacementException.class,
                () -> ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 3, 7, 0));
        assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, e.errorCode());
        assertTrue(e.getMessage().contains("7") && e.getMessage().contains("6 usable brokers"), e.getMessage());

        e = assertThrows(ReplicaPlacementException.class, () -> ReplicaPlacer.placeNewTopic(List.of(), 1, 1, 0));
        assertTrue(e.getMessage().contains("0 usable brokers"), e.getMessage());
    }

    @Test
    void rejectsReplicationFactorBelowOne() {
        ReplicaPlacementException e = assertThrows(ReplicaPlacementException.class,
                () -> ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 3, 0, 0));
        assertEquals(ErrorCode.INVALID_REPLICATION_FACTOR, e.errorCode());
        assertTrue(e.getMessage().contains("was 0"), e.getMessage());
    }

    @Test
    void rejectsFewerThanOnePartition() {
        ReplicaPlacementException e = assertThrows(ReplicaPlacementException.class,
                () -> ReplicaPlacer.placeAddedPartitions(THREE_RACKS_OF_TWO, -1, 3, Map.of(), 0));
        assertEquals(ErrorCode.INVALID_PARTITIONS, e.errorCode());
        assertTrue(e.getMessage().contains("was -1"), e.getMessage());
    }

    @Test
    void rejectsABrokerListedTwice() {
        assertThrows(IllegalArgumentException.class, () -> ReplicaPlacer.placeNewTopic(
                List.of(UsableBroker.of(1, "a"), UsableBroker.of(1, "b")), 1, 1, 0));
    }

    @Test
    void addedPartitionsGoToTheBrokersWithFewestLeadersFirst() {
        Map<Integer, Integer> current = Map.of(1, 3, 2, 3, 3, 0, 4, 1, 5, 3, 6, 3);

        List<List<Integer>> placement = ReplicaPlacer.placeAddedPartitions(THREE_RACKS_OF_TWO, 5, 2, current, 0);

        List<Integer> leaders = placement.stream().map(replicas -> replicas.get(0)).toList();
        assertEquals(List.of(3, 4, 3, 4, 3), leaders, "3 catches up with 4, then they take turns until all have 3");
    }

    @Test
    void theSameStartOrSeedGivesTheSamePlacement() {
        assertEquals(ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 50, 3, 99),
                ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 50, 3, 99));
        assertEquals(ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 50, 3, new Random(5)),
                ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 50, 3, new Random(5)));
        List<UsableBroker> reversed = new ArrayList<>(THREE_RACKS_OF_TWO);
        java.util.Collections.reverse(reversed);
        assertEquals(ReplicaPlacer.placeNewTopic(THREE_RACKS_OF_TWO, 50, 3, 99),
                ReplicaPlacer.placeNewTopic(reversed, 50, 3, 99), "input order does not matter");
    }

    @Test
    void usableBrokersAreTheUnfencedOnesNotShuttingDownAndLeaderCountsCountFirstReplicas() {
        UUID topicId = new UUID(1, 1);
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(register(1, 1, "a", false, false));
        delta.replay(register(2, 2, "", true, false));
        delta.replay(register(3, 3, "b", false, true));
        delta.replay(register(4, 4, "", false, false));
        delta.replay(MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder().setName("t")
                .setTopicId(Uuids.toProto(topicId))).build());
        int[][] assignments = {{1, 4}, {4, 1}, {1, 3}};
        for (int p = 0; p < assignments.length; p++) {
            delta.replay(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                    .setTopicId(Uuids.toProto(topicId)).setPartitionId(p)
                    .addReplicas(assignments[p][0]).addReplicas(assignments[p][1])
                    .addIsr(assignments[p][0]).setLeader(assignments[p][0])).build());
        }
        MetadataImage image = delta.apply(new MetadataProvenance(1, 1));

        assertEquals(List.of(UsableBroker.of(1, "a"), UsableBroker.withoutRack(4)),
                UsableBroker.usableBrokers(image.cluster()));
        assertEquals(Map.of(1, 2, 4, 1), ReplicaPlacer.preferredLeaderCounts(image.topics()));
    }

    private static MetadataRecord register(int id, long epoch, String rack, boolean fenced, boolean shuttingDown) {
        return MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
                .setBrokerId(id).setBrokerEpoch(epoch).setIncarnationId(Uuids.toProto(new UUID(id, epoch)))
                .addEndpoints(Endpoint.newBuilder().setName("PLAINTEXT").setHost("b" + id).setPort(9092))
                .setRack(rack).setFenced(fenced).setInControlledShutdown(shuttingDown)).build();
    }
}
