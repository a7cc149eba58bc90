package io.brook.chaos.cluster;

import io.brook.client.TopicPartition;
import java.time.Duration;
import java.util.List;

/**
 * What the {@link Nemesis} may do and for how long: the fault kinds (taken in turn), the range of
 * each fault's duration and of the healthy time before it, how targets are chosen, the partition
 * shapes, and the workload's partitions whose leaders may be targeted. Immutable.
 *
 * @param kinds the fault kinds, applied in this order, round and round
 * @param faultMin shortest fault window
 * @param faultMax longest fault window
 * @param healthyMin shortest healthy time before each fault (and after the last one, within the run)
 * @param healthyMax longest healthy time before each fault
 * @param targets the target choices drawn from ({@link TargetChoice#PARTITION_LEADER} needs {@code partitions})
 * @param shapes the partition shapes drawn from
 * @param partitions the partitions whose leader may be a target
 */
public record NemesisOptions(List<FaultKind> kinds, Duration faultMin, Duration faultMax, Duration healthyMin,
        Duration healthyMax, List<TargetChoice> targets, List<PartitionShape> shapes, List<TopicPartition> partitions) {

    public NemesisOptions {
        kinds = List.copyOf(kinds);
        targets = List.copyOf(targets);
        shapes = List.copyOf(shapes);
        partitions = List.copyOf(partitions);
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("at least one fault kind");
        }
        if (targets.isEmpty() || shapes.isEmpty()) {
            throw new IllegalArgumentException("at least one target choice and one partition shape");
        }
        checkRange("fault", faultMin, faultMax);
        checkRange("healthy", healthyMin, healthyMax);
    }

    private static void checkRange(String what, Duration min, Duration max) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException(what + " durations need 0 < min <= max, got " + min + " and " + max);
        }
    }

    /**
     * {@code kinds} in turn, faults of 3-10 s each after 5-10 s healthy, any target choice (the
     * partition leader once {@link #withPartitions partitions} are given), any shape.
     */
    public static NemesisOptions of(FaultKind... kinds) {
        return new NemesisOptions(List.of(kinds), Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(10), List.of(TargetChoice.values()), List.of(PartitionShape.values()), List.of());
    }

    public NemesisOptions withKinds(FaultKind... faultKinds) {
        return new NemesisOptions(List.of(faultKinds), faultMin, faultMax, healthyMin, healthyMax, targets, shapes,
                partitions);
    }

    public NemesisOptions withFaultDuration(Duration min, Duration max) {
        return new NemesisOptions(kinds, min, max, healthyMin, healthyMax, targets, shapes, partitions);
    }

    public NemesisOptions withHealthyDuration(Duration min, Duration max) {
        return new NemesisOptions(kinds, faultMin, faultMax, min, max, targets, shapes, partitions);
    }

    public NemesisOptions withTargets(TargetChoice... choices) {
        return new NemesisOptions(kinds, faultMin, faultMax, healthyMin, healthyMax, List.of(choices), shapes,
                partitions);
    }

    public NemesisOptions withShapes(PartitionShape... partitionShapes) {
        return new NemesisOptions(kinds, faultMin, faultMax, healthyMin, healthyMax, targets,
                List.of(partitionShapes), partitions);
    }

    public NemesisOptions withPartitions(List<TopicPartition> leaderPartitions) {
        return new NemesisOptions(kinds, faultMin, faultMax, healthyMin, healthyMax, targets, shapes,
                leaderPartitions);
    }
}
