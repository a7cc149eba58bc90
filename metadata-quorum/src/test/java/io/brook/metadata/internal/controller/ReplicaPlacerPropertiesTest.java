package io.brook.metadata.internal.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * {@link ReplicaPlacer}'s guarantees over random clusters: 1 to 12 brokers with sparse ids, 0 to
 * 4 racks with some brokers without a rack, 1 to 200 partitions, replication factor 1 to
 * min(5, brokers), any start position, brokers given in any order.
 *
 * <p>Runs with the seed surefire passes as {@code QT_SEED} (fixed in the parent POM) and
 * {@code -Dbrook.properties.examples} examples. A failure prints the shrunk case and the seed;
 * replay it with {@code -Dqt.seed=<seed>} or {@code .withFixedSeed(seed)} after {@code qt()}.
 */
class ReplicaPlacerPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 5;

    /** One placement request; {@code currentLeaders} is used by the added-partitions properties. */
    record PlacementCase(List<UsableBroker> brokers, int partitions, int replicationFactor, int start,
            Map<Integer, Integer> currentLeaders) {
        List<List<Integer>> placeNewTopic() {
            return ReplicaPlacer.placeNewTopic(brokers, partitions, replicationFactor, start);
        }

        List<List<Integer>> placeAddedPartitions() {
            return ReplicaPlacer.placeAddedPartitions(brokers, partitions, replicationFactor, currentLeaders, start);
        }

        /** Racks, with the brokers without one as one more group. */
        int rackGroups() {
            return (int) brokers.stream().map(b -> b.rack().orElse("")).distinct().count();
        }

        Map<Integer, String> rackGroupOf() {
            return brokers.stream().collect(Collectors.toMap(UsableBroker::id, b -> b.rack().orElse("")));
        }
    }

    @Test
    void everyPartitionGetsReplicationFactorDistinctUsableBrokers() {
        qt().withExamples(EXAMPLES).forAll(cases(4)).checkAssert(c -> {
            checkShape(c, c.placeNewTopic());
            checkShape(c, c.placeAddedPartitions());
        });
    }

    @Test
    void everyPartitionSpansAsManyRacksAsItCan() {
        qt().withExamples(EXAMPLES).forAll(cases(4)).checkAssert(c -> {
            checkRackSpread(c, c.placeNewTopic());
            checkRackSpread(c, c.placeAddedPartitions());
        });
    }

    @Test
    void preferredLeaderCountsDifferByAtMostOneBetweenBrokers() {
        qt().withExamples(EXAMPLES).forAll(cases(4)).checkAssert(c -> {
            Map<Integer, Integer> leaders = leaderCounts(c, c.placeNewTopic(), Map.of());
            int min = Collections.min(leaders.values());
            int max = Collections.max(leaders.values());
            assertTrue(max - min <= 1, "leader counts " + leaders);
        });
    }

    /**
     * Added partitions never widen the gap between the most and least loaded broker (beyond one),
     * and close it to at most one once there are enough of them to fill every broker up.
     */
    @Test
    void addedPartitionsKeepClusterLeadersBalanced() {
        qt().withExamples(EXAMPLES).forAll(cases(4)).checkAssert(c -> {
            Map<Integer, Integer> before = leaderCounts(c, List.of(), c.currentLeaders());
            Map<Integer, Integer> after = leaderCounts(c, c.placeAddedPartitions(), c.currentLeaders());
            int gapBefore = Collections.max(before.values()) - Collections.min(before.values());
            int gapAfter = Collections.max(after.values()) - Collections.min(after.values());
            assertTrue(gapAfter <= Math.max(1, gapBefore), "before " + before + ", after " + after);

            int maxBefore = Collections.max(before.values());
            int toFill = before.values().stream().mapToInt(count -> maxBefore - count).sum();
            if (c.partitions() >= toFill) {
                assertTrue(gapAfter <= 1, "enough partitions to balance: before " + before + ", after " + after);
            }
        });
    }

    /**
     * Without racks, the second replicas of the partitions one broker leads cycle through the
     * other brokers: their counts differ by at most one; and no broker holds more than rf
     * replicas above another.
     */
    @Test
    void withoutRacksFollowersOfEachLeaderAreSpreadOverTheOtherBrokers() {
        qt().withExamples(EXAMPLES).forAll(cases(0)).checkAssert(c -> {
            for (List<List<Integer>> placement : List.of(c.placeNewTopic(), c.placeAddedPartitions())) {
                Map<Integer, Map<Integer, Integer>> secondsByLeader = new HashMap<>();
                for (List<Integer> replicas : placement) {
                    if (replicas.size() > 1) {
                        secondsByLeader.computeIfAbsent(replicas.get(0), leader -> zeroCounts(c, leader))
                                .merge(replicas.get(1), 1, Integer::sum);
                    }
                }
                secondsByLeader.forEach((leader, seconds) -> assertTrue(
                        Collections.max(seconds.values()) - Collections.min(seconds.values()) <= 1,
                        "second replicas of leader " + leader + ": " + seconds));
            }
            Map<Integer, Integer> replicaCounts = zeroCounts(c, -1);
            c.placeNewTopic().forEach(replicas -> replicas.forEach(id -> replicaCounts.merge(id, 1, Integer::sum)));
            int spread = Collections.max(replicaCounts.values()) - Collections.min(replicaCounts.values());
            assertTrue(spread <= c.replicationFactor(), "replicas per broker " + replicaCounts);
        });
    }

    /** A zero per usable broker, except {@code excluded}. */
    private static Map<Integer, Integer> zeroCounts(PlacementCase c, int excluded) {
        Map<Integer, Integer> counts = new HashMap<>();
        c.brokers().stream().filter(b -> b.id() != excluded).forEach(b -> counts.put(b.id(), 0));
        return counts;
    }

    @Test
    void placementDependsOnlyOnTheBrokerSetNotItsOrder() {
        qt().withExamples(EXAMPLES).forAll(cases(4)).checkAssert(c -> {
            List<UsableBroker> reversed = new ArrayList<>(c.brokers());
            Collections.reverse(reversed);
            assertEquals(c.placeNewTopic(),
                    ReplicaPlacer.placeNewTopic(reversed, c.partitions(), c.replicationFactor(), c.start()));
        });
    }

    private static void checkShape(PlacementCase c, List<List<Integer>> placement) {
        Set<Integer> ids = c.brokers().stream().map(UsableBroker::id).collect(Collectors.toSet());
        assertEquals(c.partitions(), placement.size());
        for (List<Integer> replicas : placement) {
            assertEquals(c.replicationFactor(), replicas.size(), replicas.toString());
            assertEquals(c.replicationFactor(), new HashSet<>(replicas).size(), "distinct: " + replicas);
            assertTrue(ids.containsAll(replicas), "usable brokers only: " + replicas);
        }
    }

    private static void checkRackSpread(PlacementCase c, List<List<Integer>> placement) {
        int expected = Math.min(c.replicationFactor(), c.rackGroups());
        Map<Integer, String> rackOf = c.rackGroupOf();
        for (List<Integer> replicas : placement) {
            Set<String> racks = replicas.stream().map(rackOf::get).collect(Collectors.toSet());
            assertEquals(expected, racks.size(), "racks of " + replicas + " with " + rackOf);
        }
    }

    /** Current counts (usable brokers only, absent = 0) plus the first replica of each partition. */
    private static Map<Integer, Integer> leaderCounts(PlacementCase c, List<List<Integer>> placement,
            Map<Integer, Integer> current) {
        Map<Integer, Integer> counts = new HashMap<>();
        c.brokers().forEach(b -> counts.put(b.id(), current.getOrDefault(b.id(), 0)));
        placement.forEach(replicas -> counts.merge(replicas.get(0), 1, Integer::sum));
        return counts;
    }

    /**
     * Random placement requests. Broker i has an id in [3i, 3i+2] (sparse, distinct), and a rack
     * among {@code maxRacks} or none; the brokers come shuffled. With {@code maxRacks} 0 no broker
     * has a rack.
     */
    static Gen<PlacementCase> cases(int maxRacks) {
        Gen<PlacementCase> gen = in -> {
            int brokerCount = (int) in.next(Constraint.between(1, 12));
            int racks = (int) in.next(Constraint.between(0, maxRacks));
            List<UsableBroker> brokers = new ArrayList<>();
            for (int i = 0; i < brokerCount; i++) {
                int id = 3 * i + (int) in.next(Constraint.between(0, 2));
                int rack = (int) in.next(Constraint.between(0, racks)); // == racks: no rack
                brokers.add(new UsableBroker(id, rack == racks ? Optional.empty() : Optional.of("rack-" + rack)));
            }
            shuffle(brokers, in);
            int partitions = (int) in.next(Constraint.between(1, 200));
            int replicationFactor = (int) in.next(Constraint.between(1, Math.min(5, brokerCount)));
            int start = (int) in.next(Constraint.between(Integer.MIN_VALUE, Integer.MAX_VALUE).withShrinkPoint(0));
            Map<Integer, Integer> currentLeaders = new HashMap<>();
            for (UsableBroker broker : brokers) {
                currentLeaders.put(broker.id(), (int) in.next(Constraint.between(0, 30)));
            }
            currentLeaders.put(1000, 7); // a broker that is not usable any more: ignored
            return new PlacementCase(List.copyOf(brokers), partitions, replicationFactor, start, currentLeaders);
        };
        return gen;
    }

    private static void shuffle(List<UsableBroker> brokers, RandomnessSource in) {
        for (int i = brokers.size() - 1; i > 0; i--) {
            Collections.swap(brokers, i, (int) in.next(Constraint.between(0, i)));
        }
    }
}
