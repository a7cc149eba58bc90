package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.brook.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NemesisScheduleTest {
    private static final List<Integer> THREE = List.of(1, 2, 3);
    private static final List<Integer> FIVE = List.of(1, 2, 3, 4, 5);
    private static final NemesisOptions ALL = NemesisOptions.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION)
            .withPartitions(List.of(new TopicPartition("queue", 0), new TopicPartition("queue", 1)));
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    @Test
    void theSameSeedGivesTheSameSchedule() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed ->
                assertEquals(NemesisSchedule.generate(seed, ALL, FIVE, TEN_MINUTES),
                        NemesisSchedule.generate(seed, ALL, FIVE, TEN_MINUTES)));
    }

    @Test
    void differentSeedsGiveDifferentSchedules() {
        assertNotEquals(NemesisSchedule.generate(1, ALL, FIVE, TEN_MINUTES).faults(),
                NemesisSchedule.generate(2, ALL, FIVE, TEN_MINUTES).faults());
    }

    @Test
    void kindsTakeTurnsInTheGivenOrder() {
        qt().withExamples(100).forAll(longs().all()).checkAssert(seed -> {
            List<PlannedFault> faults = NemesisSchedule.generate(seed, ALL, THREE, TEN_MINUTES).faults();
            assertTrue(faults.size() >= 30, "10 minutes hold at least 30 faults of at most 20 s each, got " + faults.size());
            for (int i = 0; i < faults.size(); i++) {
                assertEquals(i, faults.get(i).index());
                assertEquals(ALL.kinds().get(i % 3), faults.get(i).kind());
            }
        });
    }

    @Test
    void durationsLieInTheirRangesAndFaultsFollowEachOtherWithinTheRun() {
        qt().withExamples(200).forAll(longs().all(), integers().between(1, 600)).checkAssert((seed, seconds) -> {
            NemesisOptions options = ALL.withFaultDuration(Duration.ofMillis(3000), Duration.ofMillis(10_000))
                    .withHealthyDuration(Duration.ofMillis(5000), Duration.ofMillis(10_000));
            Duration run = Duration.ofSeconds(seconds);
            List<PlannedFault> faults = NemesisSchedule.generate(seed, options, FIVE, run).faults();
            Duration end = Duration.ZERO;
            for (PlannedFault f : faults) {
                assertTrue(f.faultFor().compareTo(options.faultMin()) >= 0 && f.faultFor().compareTo(options.faultMax()) <= 0,
                        "fault " + f.faultFor());
                assertTrue(f.healthyBefore().compareTo(options.healthyMin()) >= 0
                        && f.healthyBefore().compareTo(options.healthyMax()) <= 0, "healthy " + f.healthyBefore());
                assertEquals(end.plus(f.healthyBefore()), f.plannedStart(), "each fault starts after the previous heal");
                end = f.plannedStart().plus(f.faultFor());
            }
            assertTrue(faults.isEmpty() || end.plus(options.healthyMin()).compareTo(run) <= 0,
                    "the last heal is followed by healthy time within the run");
            assertTrue(!faults.isEmpty() || run.compareTo(options.healthyMax().plus(options.faultMax())
                    .plus(options.healthyMin())) < 0, "a run long enough for any first fault has one");
        });
    }

    @Test
    void aRunTooShortForOneFaultHasNone() {
        assertEquals(List.of(), NemesisSchedule.generate(7, ALL, THREE, Duration.ofSeconds(12)).faults());
        assertEquals(1, NemesisSchedule.generate(7, ALL.withFaultDuration(Duration.ofSeconds(3), Duration.ofSeconds(3))
                .withHealthyDuration(Duration.ofSeconds(5), Duration.ofSeconds(5)), THREE, Duration.ofSeconds(13))
                .faults().size());
    }

    @Test
    void targetsAndShapesComeFromTheOptionsAndNodeOrdersArePermutations() {
        qt().withExamples(100).forAll(longs().all()).checkAssert(seed -> {
            for (PlannedFault f : NemesisSchedule.generate(seed, ALL, FIVE, TEN_MINUTES).faults()) {
                assertEquals(new TreeSet<>(FIVE), new TreeSet<>(f.nodeOrder()));
                assertEquals(FIVE.size(), f.nodeOrder().size());
                assertEquals(f.target() == TargetChoice.PARTITION_LEADER, f.partition().isPresent());
                f.partition().ifPresent(tp -> assertTrue(ALL.partitions().contains(tp)));
                assertEquals(f.kind() == FaultKind.PARTITION, f.shape().isPresent());
            }
        });
    }

    @Test
    void everyTargetChoiceAndShapeTurnsUp() {
        List<PlannedFault> faults = NemesisSchedule.generate(42, ALL, FIVE, Duration.ofHours(1)).faults();
        Set<TargetChoice> targets = new TreeSet<>();
        Set<PartitionShape> shapes = new TreeSet<>();
        faults.forEach(f -> {
            targets.add(f.target());
            f.shape().ifPresent(shapes::add);
        });
        assertEquals(Set.of(TargetChoice.values()), targets);
        assertEquals(Set.of(PartitionShape.values()), shapes);
    }

    @Test
    void withoutPartitionsToFollowNoFaultTargetsALeader() {
        NemesisOptions options = NemesisOptions.of(FaultKind.KILL);
        qt().withExamples(50).forAll(longs().all()).checkAssert(seed -> NemesisSchedule.generate(seed, options, THREE,
                TEN_MINUTES).faults().forEach(f -> assertNotEquals(TargetChoice.PARTITION_LEADER, f.target())));
    }

    @Test
    void twoNodesGetNoBridgeAndOneNodeNoPartition() {
        NemesisSchedule.generate(3, ALL, List.of(1, 2), TEN_MINUTES).faults()
                .forEach(f -> assertNotEquals(Optional.of(PartitionShape.BRIDGE), f.shape()));
        assertThrows(IllegalArgumentException.class, () -> NemesisSchedule.generate(3, ALL, List.of(1), TEN_MINUTES));
    }

    // ---------------------------------------------------------------------- partition shapes

    @Test
    void shapesAroundATargetCutItOffFromTheMajority() {
        qt().withExamples(200).forAll(longs().all(), integers().between(3, 7)).checkAssert((seed, n) -> {
            List<Integer> nodes = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                nodes.add(i);
            }
            for (PlannedFault f : NemesisSchedule.generate(seed, ALL, nodes, Duration.ofMinutes(2)).faults()) {
                if (f.shape().isEmpty()) {
                    continue;
                }
                int target = f.nodeOrder().get((int) Math.floorMod(seed, n));
                PlannedFault.ShapedPartition shaped = f.partitionAround(target);
                Partition p = shaped.partition();
                Set<Integer> reach = reachableWithoutRelay(target, nodes, p);
                switch (f.shape().get()) {
                    case ISOLATE_ONE -> {
                        assertEquals(List.of(target), shaped.cutOff());
                        assertEquals(Set.of(target), reach);
                    }
                    case MAJORITY_MINORITY -> {
                        assertEquals(Math.max(1, (n - 1) / 2), shaped.cutOff().size());
                        assertTrue(shaped.cutOff().contains(target));
                        assertEquals(new TreeSet<>(shaped.cutOff()), reach, "the minority talks among itself only");
                        assertTrue(reach.size() < n - reach.size(), "the other side is a majority");
                    }
                    case BRIDGE -> {
                        int bridge = shaped.cutOff().get(0);
                        assertNotEquals(target, bridge);
                        for (int node : nodes) {
                            assertTrue(p.connected(bridge, node), "the bridge talks to " + node);
                        }
                        assertFalse(reach.containsAll(nodes), "some node is out of the target's direct reach");
                        assertTrue(reach.size() >= n / 2, "the target's side with the bridge: " + reach);
                    }
                }
            }
        });
    }

    /** The nodes {@code from} talks to directly (itself included). */
    private static Set<Integer> reachableWithoutRelay(int from, List<Integer> nodes, Partition p) {
        Set<Integer> reach = new TreeSet<>();
        for (int node : nodes) {
            if (p.connected(from, node)) {
                reach.add(node);
            }
        }
        return reach;
    }
}
