package io.brook.chaos.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A network partition as the set of links that are cut: two nodes joined by a cut link cannot
 * exchange a packet in either direction; every other pair of nodes can. This covers every fault
 * shape: components ({@code {1,2} | {3}}: every link between two components is cut), one node
 * isolated, and a bridge (two halves that reach each other only through one node that talks to
 * both).
 *
 * <p>Immutable. Links between the harness (the clients) and the nodes are not links of this type:
 * client traffic is never cut (see {@link ChaosCluster}).
 *
 * @param cut the cut links
 * @param description how the partition was built, for logs and fault records
 */
public record Partition(Set<Link> cut, String description) {
    /** No link cut. */
    public static final Partition NONE = new Partition(Set.of(), "no partition");

    public Partition {
        cut = Set.copyOf(new TreeSet<>(cut));
    }

    /** An unordered pair of distinct nodes, stored with {@code low < high}. */
    public record Link(int low, int high) implements Comparable<Link> {
        public Link {
            if (low >= high) {
                throw new IllegalArgumentException("a link joins two distinct nodes in order low < high, got "
                        + low + "-" + high);
            }
        }

        public static Link between(int a, int b) {
            return new Link(Math.min(a, b), Math.max(a, b));
        }

        public boolean touches(int node) {
            return low == node || high == node;
        }

        @Override
        public int compareTo(Link other) {
            return low != other.low ? Integer.compare(low, other.low) : Integer.compare(high, other.high);
        }

        @Override
        public String toString() {
            return low + "-" + high;
        }
    }

    /**
     * Nodes in different components cannot talk. The components must be disjoint and together
     * hold every node of {@code nodes} exactly once.
     */
    public static Partition components(List<? extends Set<Integer>> components, Collection<Integer> nodes) {
        Set<Integer> seen = new TreeSet<>();
        for (Set<Integer> component : components) {
            if (component.isEmpty()) {
                throw new IllegalArgumentException("empty component in " + components);
            }
            for (int node : component) {
                if (!nodes.contains(node)) {
                    throw new IllegalArgumentException("node " + node + " of " + components + " is not one of "
                            + new TreeSet<>(nodes));
                }
                if (!seen.add(node)) {
                    throw new IllegalArgumentException("node " + node + " is in two components of " + components);
                }
            }
        }
        if (!seen.equals(new TreeSet<>(nodes))) {
            Set<Integer> missing = new TreeSet<>(nodes);
            missing.removeAll(seen);
            throw new IllegalArgumentException("components " + components + " leave out nodes " + missing
                    + ": name every node once");
        }
        Set<Link> cut = new TreeSet<>();
        for (int a = 0; a < components.size(); a++) {
            for (int b = a + 1; b < components.size(); b++) {
                for (int x : components.get(a)) {
                    for (int y : components.get(b)) {
                        cut.add(Link.between(x, y));
                    }
                }
            }
        }
        List<String> parts = new ArrayList<>();
        components.forEach(c -> parts.add(new TreeSet<>(c).toString()));
        return new Partition(cut, String.join(" | ", parts));
    }

    /** {@code node} cannot talk to any other node; the others talk among themselves. */
    public static Partition isolate(int node, Collection<Integer> nodes) {
        Set<Integer> rest = new TreeSet<>(nodes);
        if (!rest.remove(node)) {
            throw new IllegalArgumentException("node " + node + " is not one of " + new TreeSet<>(nodes));
        }
        Partition p = components(List.of(Set.of(node), rest), nodes);
        return new Partition(p.cut(), "isolate " + node + ": " + p.description());
    }

    /**
     * Two halves that cannot talk to each other, and one node ({@code bridge}) that talks to both:
     * every link between {@code left} and {@code right} is cut.
     */
    public static Partition bridge(Set<Integer> left, int bridge, Set<Integer> right) {
        if (left.isEmpty() || right.isEmpty()) {
            throw new IllegalArgumentException("a bridge needs two non-empty halves, got " + left + " and " + right);
        }
        if (left.contains(bridge) || right.contains(bridge) || left.stream().anyMatch(right::contains)) {
            throw new IllegalArgumentException("the halves " + left + ", " + right + " and the bridge node " + bridge
                    + " must be disjoint");
        }
        Set<Link> cut = new TreeSet<>();
        for (int x : left) {
            for (int y : right) {
                cut.add(Link.between(x, y));
            }
        }
        return new Partition(cut, new TreeSet<>(left) + " <" + bridge + "> " + new TreeSet<>(right));
    }

    /** Whether {@code a} and {@code b} can talk. */
    public boolean connected(int a, int b) {
        return a == b || !cut.contains(Link.between(a, b));
    }

    @Override
    public String toString() {
        return description + " (cut " + new TreeSet<>(cut) + ")";
    }
}
