package io.brook.chaos.cluster;

import io.brook.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The faults of one run, drawn from a seed: a pure function of (seed, options, node ids,
 * duration), so a seed replays the same schedule. Faults follow each other, never overlap: healthy
 * time, a fault, healthy time, a fault, ... with the kinds taken in turn; a fault is planned only
 * if it and {@code healthyMin} after it fit within the run.
 *
 * <p>Draw order per fault (fixed, so schedules stay stable): healthy time, fault time, target
 * choice, the partition for a leader target, the shape, the node order.
 *
 * @param seed the seed
 * @param duration the run's length
 * @param faults the planned faults in order
 */
public record NemesisSchedule(long seed, Duration duration, List<PlannedFault> faults) {
    public NemesisSchedule {
        faults = List.copyOf(faults);
    }

    /**
     * @throws IllegalArgumentException when {@code nodeIds} is empty, or partitions are asked for with fewer than 2 nodes
     */
    public static NemesisSchedule generate(long seed, NemesisOptions options, List<Integer> nodeIds, Duration duration) {
        if (nodeIds.isEmpty()) {
            throw new IllegalArgumentException("no nodes");
        }
        if (options.kinds().contains(FaultKind.PARTITION) && nodeIds.size() < 2) {
            throw new IllegalArgumentException("partitions need at least 2 nodes, have " + nodeIds);
        }
        List<TargetChoice> targets = new ArrayList<>(options.targets());
        if (options.partitions().isEmpty()) {
            targets.remove(TargetChoice.PARTITION_LEADER);
        }
        if (targets.isEmpty()) {
            targets.add(TargetChoice.RANDOM_NODE);
        }
        List<PartitionShape> shapes = new ArrayList<>(options.shapes());
        if (nodeIds.size() < 3) {
            shapes.remove(PartitionShape.BRIDGE);
        }
        if (shapes.isEmpty()) {
            shapes.add(PartitionShape.ISOLATE_ONE);
        }
        Random random = new Random(seed);
        List<PlannedFault> faults = new ArrayList<>();
        long offsetMs = 0;
        long durationMs = duration.toMillis();
        for (int index = 0; ; index++) {
            long healthyMs = draw(random, options.healthyMin(), options.healthyMax());
            long faultMs = draw(random, options.faultMin(), options.faultMax());
            TargetChoice target = targets.get(random.nextInt(targets.size()));
            Optional<TopicPartition> partition = target == TargetChoice.PARTITION_LEADER
                    ? Optional.of(options.partitions().get(random.nextInt(options.partitions().size())))
                    : Optional.empty();
            FaultKind kind = options.kinds().get(index % options.kinds().size());
            Optional<PartitionShape> shape = kind == FaultKind.PARTITION
                    ? Optional.of(shapes.get(random.nextInt(shapes.size())))
                    : Optional.empty();
            List<Integer> order = new ArrayList<>(nodeIds);
            Collections.shuffle(order, random);
            long startMs = offsetMs + healthyMs;
            if (startMs + faultMs + options.healthyMin().toMillis() > durationMs) {
                return new NemesisSchedule(seed, duration, faults);
            }
            faults.add(new PlannedFault(index, kind, target, partition, shape, order, Duration.ofMillis(healthyMs),
                    Duration.ofMillis(faultMs), Duration.ofMillis(startMs)));
            offsetMs = startMs + faultMs;
        }
    }

    private static long draw(Random random, Duration min, Duration max) {
        long low = min.toMillis();
        long high = max.toMillis();
        return low + (high == low ? 0 : Math.floorMod(random.nextLong(), high - low + 1));
    }
}
