package io.brook.chaos.cluster;

import io.brook.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One fault of a {@link NemesisSchedule}, as drawn from the seed: everything but the node a
 * leader- or controller-targeted fault hits, which only the running cluster knows. Immutable.
 *
 * @param index position in the schedule, from 0
 * @param kind the fault
 * @param target how its target node is chosen
 * @param partition the partition whose leader is the target, with {@link TargetChoice#PARTITION_LEADER}
 * @param shape the partition's shape, for {@link FaultKind#PARTITION}
 * @param nodeOrder every node in an order drawn from the seed: the first is the random target
 *     (and the fallback when no leader or controller is known), the rest fill the partition's sides
 * @param healthyBefore healthy time between the previous heal (or the run's start) and this fault
 * @param faultFor how long the fault lasts
 * @param plannedStart when it would start if every action took no time (offset from the run's start)
 */
public record PlannedFault(int index, FaultKind kind, TargetChoice target, Optional<TopicPartition> partition,
        Optional<PartitionShape> shape, List<Integer> nodeOrder, Duration healthyBefore, Duration faultFor,
        Duration plannedStart) {

    public PlannedFault {
        nodeOrder = List.copyOf(nodeOrder);
    }

    /** The partition of this fault's shape around {@code target}, and the nodes it cuts off from the majority. */
    public record ShapedPartition(Partition partition, List<Integer> cutOff) {
        public ShapedPartition {
            cutOff = List.copyOf(cutOff);
        }
    }

    /** The node a {@link TargetChoice#RANDOM_NODE} fault hits. */
    public int randomNode() {
        return nodeOrder.get(0);
    }

    /**
     * This fault's partition with {@code target} as the node cut off (see {@link PartitionShape});
     * the other nodes take their places in {@link #nodeOrder} order.
     */
    public ShapedPartition partitionAround(int target) {
        PartitionShape s = shape.orElseThrow(() -> new IllegalStateException(kind + " fault has no partition shape"));
        List<Integer> others = new ArrayList<>(nodeOrder);
        if (!others.remove(Integer.valueOf(target))) {
            throw new IllegalArgumentException("node " + target + " is not one of " + nodeOrder);
        }
        int n = nodeOrder.size();
        return switch (s) {
            case ISOLATE_ONE -> new ShapedPartition(Partition.isolate(target, nodeOrder), List.of(target));
            case MAJORITY_MINORITY -> {
                int minoritySize = Math.max(1, (n - 1) / 2);
                Set<Integer> minority = new TreeSet<>(List.of(target));
                minority.addAll(others.subList(0, minoritySize - 1));
                Set<Integer> majority = new TreeSet<>(others.subList(minoritySize - 1, others.size()));
                Partition p = Partition.components(List.of(minority, majority), nodeOrder);
                yield new ShapedPartition(new Partition(p.cut(), "minority " + p.description()), List.copyOf(minority));
            }
            case BRIDGE -> {
                if (n < 3) {
                    throw new IllegalStateException("a bridge needs at least 3 nodes, have " + nodeOrder);
                }
                int bridge = others.get(0);
                List<Integer> sides = others.subList(1, others.size());
                int leftSize = (n - 1 + 1) / 2; // the target's half, the larger when n - 1 is odd
                Set<Integer> left = new TreeSet<>(List.of(target));
                left.addAll(sides.subList(0, leftSize - 1));
                Set<Integer> right = new TreeSet<>(sides.subList(leftSize - 1, sides.size()));
                yield new ShapedPartition(Partition.bridge(left, bridge, right), List.of(bridge));
            }
        };
    }
}
