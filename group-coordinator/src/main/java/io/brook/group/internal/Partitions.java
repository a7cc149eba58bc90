package io.brook.group.internal;

import io.brook.api.internal.group.TopicPartitionsValue;
import io.brook.api.v1.TopicPartitions;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Sets of partitions as {@code topic -> partition numbers}: immutable, sorted, without empty topics.
 * The one representation of assignments in the coordinator.
 */
public final class Partitions {
    public static final SortedMap<String, SortedSet<Integer>> EMPTY = Collections.unmodifiableSortedMap(new TreeMap<>());

    private Partitions() {}

    /** An immutable sorted copy of {@code partitions} without empty topics. */
    public static SortedMap<String, SortedSet<Integer>> of(Map<String, ? extends Set<Integer>> partitions) {
        TreeMap<String, SortedSet<Integer>> copy = new TreeMap<>();
        partitions.forEach((topic, numbers) -> {
            if (!numbers.isEmpty()) {
                copy.put(topic, Collections.unmodifiableSortedSet(new TreeSet<>(numbers)));
            }
        });
        return copy.isEmpty() ? EMPTY : Collections.unmodifiableSortedMap(copy);
    }

    public static boolean contains(Map<String, ? extends Set<Integer>> partitions, String topic, int partition) {
        Set<Integer> numbers = partitions.get(topic);
        return numbers != null && numbers.contains(partition);
    }

    /** The partitions of {@code a} for which {@code keep} holds. */
    public static SortedMap<String, SortedSet<Integer>> filter(Map<String, ? extends Set<Integer>> a,
            BiPredicate<String, Integer> keep) {
        TreeMap<String, Set<Integer>> out = new TreeMap<>();
        a.forEach((topic, numbers) -> numbers.forEach(p -> {
            if (keep.test(topic, p)) {
                out.computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
            }
        }));
        return of(out);
    }

    public static SortedMap<String, SortedSet<Integer>> intersect(Map<String, ? extends Set<Integer>> a,
            Map<String, ? extends Set<Integer>> b) {
        return filter(a, (t, p) -> contains(b, t, p));
    }

    public static SortedMap<String, SortedSet<Integer>> minus(Map<String, ? extends Set<Integer>> a,
            Map<String, ? extends Set<Integer>> b) {
        return filter(a, (t, p) -> !contains(b, t, p));
    }

    public static SortedMap<String, SortedSet<Integer>> union(Map<String, ? extends Set<Integer>> a,
            Map<String, ? extends Set<Integer>> b) {
        TreeMap<String, Set<Integer>> out = new TreeMap<>();
        a.forEach((t, n) -> out.computeIfAbsent(t, x -> new TreeSet<>()).addAll(n));
        b.forEach((t, n) -> out.computeIfAbsent(t, x -> new TreeSet<>()).addAll(n));
        return of(out);
    }

    public static boolean intersects(Map<String, ? extends Set<Integer>> a, Map<String, ? extends Set<Integer>> b) {
        for (Map.Entry<String, ? extends Set<Integer>> e : a.entrySet()) {
            Set<Integer> other = b.get(e.getKey());
            if (other != null && !Collections.disjoint(e.getValue(), other)) {
                return true;
            }
        }
        return false;
    }

    public static int count(Map<String, ? extends Set<Integer>> partitions) {
        return partitions.values().stream().mapToInt(Set::size).sum();
    }

    public static SortedMap<String, SortedSet<Integer>> fromValues(List<TopicPartitionsValue> values) {
        TreeMap<String, Set<Integer>> out = new TreeMap<>();
        values.forEach(v -> out.computeIfAbsent(v.getTopic(), t -> new TreeSet<>()).addAll(v.getPartitionsList()));
        return of(out);
    }

    public static List<TopicPartitionsValue> toValues(Map<String, ? extends Set<Integer>> partitions) {
        return partitions.entrySet().stream().map(e -> TopicPartitionsValue.newBuilder().setTopic(e.getKey())
                .addAllPartitions(e.getValue()).build()).toList();
    }

    public static SortedMap<String, SortedSet<Integer>> fromProto(List<TopicPartitions> values) {
        TreeMap<String, Set<Integer>> out = new TreeMap<>();
        values.forEach(v -> out.computeIfAbsent(v.getTopic(), t -> new TreeSet<>()).addAll(v.getPartitionsList()));
        return of(out);
    }

    public static List<TopicPartitions> toProto(Map<String, ? extends Set<Integer>> partitions) {
        return partitions.entrySet().stream().map(e -> TopicPartitions.newBuilder().setTopic(e.getKey())
                .addAllPartitions(e.getValue()).build()).toList();
    }
}
