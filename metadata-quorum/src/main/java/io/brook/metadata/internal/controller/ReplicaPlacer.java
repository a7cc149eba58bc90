package io.brook.metadata.internal.controller;

import io.brook.api.v1.ErrorCode;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.TopicsImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses the replicas of new partitions: for a new topic, or for partitions added to an
 * existing one. Pure and deterministic: the same brokers, counts and start position always give
 * the same placement; randomness comes in only through the start position (or a {@link Random}
 * the caller injects). Stateless and thread-safe.
 *
 * <p>Guarantees, for every call (callers pass only usable brokers, see {@link UsableBroker}):
 * <ul>
 *   <li>each partition gets {@code replicationFactor} distinct brokers, the first being its
 *       preferred leader;
 *   <li>each partition spans {@code min(replicationFactor, racks)} distinct racks, where brokers
 *       without a rack together count as one more rack (so a cluster where no broker has a rack
 *       is placed rack-unaware, and a partly racked cluster still spreads across the racks it
 *       has);
 *   <li>preferred leaders are balanced: {@link #placeNewTopic} gives every broker
 *       {@code floor(P/B)} or {@code ceil(P/B)} of the P partitions. {@link #placeAddedPartitions}
 *       takes the brokers' current preferred-leader counts and gives each new partition to a
 *       least-loaded broker, so the counts afterwards are never further apart than before (or
 *       than one), and differ by at most one once enough partitions are added to fill the gaps;
 *   <li>followers are spread: the follower offset changes with every partition a broker leads.
 *       Without racks (all brokers in one group), the second replicas of the partitions one
 *       broker leads in a call cycle through all the other brokers (each is second for that
 *       leader a number of times within one of the others), and each full round of B partitions
 *       gives every broker exactly {@code rf} replicas. With racks the
 *       rack rule comes first and the spread is best effort (as in Kafka): a one-broker rack,
 *       for example, must follow every leader of the other racks when rf = 2.
 * </ul>
 *
 * <p>Implementation notes. Brokers are laid out on a ring that alternates racks (racks sorted
 * by name, brokers by id within a rack: r0-a, r1-a, r2-a, r0-b, ...), so that ring neighbours
 * are in different racks. Leaders walk the ring from the start position, always taking the
 * least-loaded broker at or after the cursor (with equal counts: plain round robin). A
 * partition's candidate followers are the other brokers in ring order, beginning at offset
 * {@code 1 + shift} from the leader and wrapping, where {@code shift} grows by one for each
 * partition the leader has already been given in this call (as Kafka's assignment does per
 * round). Followers are taken from the candidates first one per rack not yet used, until the
 * partition spans enough racks, then in candidate order regardless of rack. A full round of B
 * partitions with one shift maps each follower slot to a rotation of the ring, which is what
 * spreads followers evenly when there are no racks.
 */
public final class ReplicaPlacer {
    private ReplicaPlacer() {}

    /**
     * Replicas for the partitions 0..partitions-1 of a new topic, in preferred order.
     *
     * @param start any int; the caller draws it from its seeded {@link Random}
     * @throws ReplicaPlacementException when partitions &lt; 1, replicationFactor &lt; 1, or
     *     replicationFactor exceeds the number of usable brokers
     */
    public static List<List<Integer>> placeNewTopic(Collection<UsableBroker> brokers, int partitions,
            int replicationFactor, int start) {
        return place(brokers, partitions, replicationFactor, Map.of(), start);
    }

    /** As {@link #placeNewTopic(Collection, int, int, int)}, drawing the start from {@code random}. */
    public static List<List<Integer>> placeNewTopic(Collection<UsableBroker> brokers, int partitions,
            int replicationFactor, Random random) {
        return placeNewTopic(brokers, partitions, replicationFactor, random.nextInt(Integer.MAX_VALUE));
    }

    /**
     * Replicas for {@code partitions} partitions added to an existing topic (index 0 is the first
     * new partition), balancing preferred leaders against the brokers' current counts.
     *
     * @param currentLeaderCounts preferred leaders per broker id so far (for example
     *     {@link #preferredLeaderCounts}); brokers absent count as zero, ids that are not usable
     *     are ignored
     */
    public static List<List<Integer>> placeAddedPartitions(Collection<UsableBroker> brokers, int partitions,
            int replicationFactor, Map<Integer, Integer> currentLeaderCounts, int start) {
        return place(brokers, partitions, replicationFactor, currentLeaderCounts, start);
    }

    /** As {@link #placeAddedPartitions(Collection, int, int, Map, int)}, drawing the start from {@code random}. */
    public static List<List<Integer>> placeAddedPartitions(Collection<UsableBroker> brokers, int partitions,
            int replicationFactor, Map<Integer, Integer> currentLeaderCounts, Random random) {
        return placeAddedPartitions(brokers, partitions, replicationFactor, currentLeaderCounts,
                random.nextInt(Integer.MAX_VALUE));
    }

    /** The number of partitions whose preferred leader (first replica) is each broker, over all topics. */
    public static Map<Integer, Integer> preferredLeaderCounts(TopicsImage topics) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (TopicImage topic : topics.topicsById().values()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                counts.merge(partition.preferredLeader(), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static List<List<Integer>> place(Collection<UsableBroker> brokers, int partitions,
            int replicationFactor, Map<Integer, Integer> currentLeaderCounts, int start) {
        if (partitions < 1) {
            throw new ReplicaPlacementException(ErrorCode.INVALID_PARTITIONS,
                    "the number of partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new ReplicaPlacementException(ErrorCode.INVALID_REPLICATION_FACTOR,
                    "the replication factor must be at least 1, was " + replicationFactor);
        }
        if (replicationFactor > brokers.size()) {
            throw new ReplicaPlacementException(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor "
                    + replicationFactor + " is larger than the " + brokers.size() + " usable brokers");
        }
        List<UsableBroker> ring = rackAlternatingRing(brokers);
        int n = ring.size();
        int spread = Math.min(replicationFactor, (int) ring.stream().map(ReplicaPlacer::rackKey).distinct().count());
        int[] leaderCounts = new int[n];
        for (int i = 0; i < n; i++) {
            leaderCounts[i] = currentLeaderCounts.getOrDefault(ring.get(i).id(), 0);
        }
        int[] ledInThisCall = new int[n];
        int cursor = Math.floorMod(start, n);
        int shiftBase = n > 1 ? Math.floorMod(Math.floorDiv(start, n), n - 1) : 0;

        List<List<Integer>> placement = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            int leader = leastLoadedFrom(leaderCounts, cursor);
            int shift = n > 1 ? (shiftBase + ledInThisCall[leader]) % (n - 1) : 0;
            leaderCounts[leader]++;
            ledInThisCall[leader]++;
            cursor = (leader + 1) % n;
            placement.add(replicas(ring, leader, shift, replicationFactor, spread));
        }
        return placement;
    }

    /** The leader first, then followers: one per new rack until {@code spread} racks, then any. */
    private static List<Integer> replicas(List<UsableBroker> ring, int leader, int shift, int replicationFactor,
            int spread) {
        int n = ring.size();
        List<Integer> candidates = new ArrayList<>(n - 1);
        for (int k = 0; k < n - 1; k++) {
            candidates.add((leader + 1 + (shift + k) % (n - 1)) % n);
        }
        List<Integer> chosen = new ArrayList<>(replicationFactor);
        chosen.add(ring.get(leader).id());
        Set<String> racks = new HashSet<>();
        racks.add(rackKey(ring.get(leader)));
        for (int index : candidates) {
            if (racks.size() >= spread) {
                break;
            }
            if (racks.add(rackKey(ring.get(index)))) {
                chosen.add(ring.get(index).id());
            }
        }
        for (int index : candidates) {
            if (chosen.size() >= replicationFactor) {
                break;
            }
            if (!chosen.contains(ring.get(index).id())) {
                chosen.add(ring.get(index).id());
            }
        }
        return List.copyOf(chosen);
    }

    /** The first index at or after {@code cursor} (wrapping) with the lowest count. */
    private static int leastLoadedFrom(int[] counts, int cursor) {
        int best = cursor;
        for (int k = 1; k < counts.length; k++) {
            int index = (cursor + k) % counts.length;
            if (counts[index] < counts[best]) {
                best = index;
            }
        }
        return best;
    }

    /** Brokers alternating between racks: racks by name, brokers by id within a rack. */
    private static List<UsableBroker> rackAlternatingRing(Collection<UsableBroker> brokers) {
        TreeMap<String, List<UsableBroker>> byRack = new TreeMap<>();
        Set<Integer> ids = new HashSet<>();
        for (UsableBroker broker : brokers) {
            if (!ids.add(broker.id())) {
                throw new IllegalArgumentException("broker " + broker.id() + " is listed twice: " + brokers);
            }
            byRack.computeIfAbsent(rackKey(broker), r -> new ArrayList<>()).add(broker);
        }
        byRack.values().forEach(rack -> rack.sort(Comparator.comparingInt(UsableBroker::id)));
        List<UsableBroker> ring = new ArrayList<>(brokers.size());
        for (int depth = 0; ring.size() < brokers.size(); depth++) {
            for (List<UsableBroker> rack : byRack.values()) {
                if (depth < rack.size()) {
                    ring.add(rack.get(depth));
                }
            }
        }
        return ring;
    }

    /** Brokers without a rack share one group, the empty name (a rack cannot be named "" in records). */
    private static String rackKey(UsableBroker broker) {
        return broker.rack().orElse("");
    }
}
