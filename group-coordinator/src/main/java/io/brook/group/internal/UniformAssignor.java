package io.brook.group.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server-side "uniform" assignor of a consumer group (KIP-848): computes the group's next
 * target assignment from its members' subscriptions, their previous target and the partition
 * counts of the topics. Pure, deterministic and stateless, so thread-safe; no I/O, no clock.
 *
 * <p>Guarantees of {@link #assign}:
 * <ul>
 *   <li><b>Complete and exclusive</b>: every partition of every existing topic that at least one
 *       member subscribes to goes to exactly one member, and only to a member that subscribes to
 *       its topic; nothing else is assigned.
 *   <li><b>Balanced within one</b>: if member B owns a partition of a topic member A subscribes
 *       to, then {@code count(B) <= count(A) + 1}, so no single move could improve balance. With
 *       homogeneous subscriptions this is {@code max - min <= 1}.
 *   <li><b>Sticky</b>: with homogeneous subscriptions (every member subscribes to the same
 *       existing topics), the number of partitions that change owner is the least possible: a
 *       member keeps as much of its previous target as the {@code q}/{@code q+1} quotas allow
 *       ({@code q = P / N}; the {@code P % N} members with the most valid previous partitions may
 *       have {@code q + 1}). With any subscriptions, a previous target that already satisfies
 *       the first two guarantees is returned unchanged.
 *   <li><b>Tolerant</b>: the previous target may be inconsistent. Partitions of deleted topics,
 *       beyond the partition count, or of topics the member no longer subscribes to are dropped;
 *       a partition claimed by several members stays with at most one of them.
 *   <li><b>Deterministic</b>: the result depends only on the contents of the inputs, never on
 *       their iteration order; members and topics are processed sorted by name.
 * </ul>
 *
 * <p>Implementation notes. Four phases over integer indexes (members sorted by id, topics by
 * name):
 * <ol>
 *   <li><b>Keep.</b> Each member keeps its valid previous partitions. A partition claimed by
 *       several members goes to the claimant with the fewest valid claims, then the smallest
 *       member id: the one that can most likely keep it without breaking balance.
 *   <li><b>Cap</b> (homogeneous subscriptions only). Members are ranked by kept count, most
 *       first (then member id); the first {@code P % N} get the quota {@code q + 1}, the others
 *       {@code q}, and everyone releases what exceeds its quota (its last partitions in (topic,
 *       partition) order). This is what makes the movement minimal: the kept total is then
 *       {@code sum(min(kept_i, quota_i))}, the maximum any assignment with these quotas can keep.
 *   <li><b>Fill.</b> Each unowned partition, in (topic, partition) order, goes to the subscriber
 *       of its topic that owns the fewest partitions (then the smallest member id). After a cap
 *       every count is at most its quota and the quotas sum to P, so this water-filling ends
 *       with every member at {@code q} or {@code q + 1}: already balanced.
 *   <li><b>Balance.</b> A topic is <i>unbalanced</i> when one of its owners has at least two
 *       partitions more than one of its subscribers. A worklist of topics, initially all,
 *       is drained: for an unbalanced topic, one of its partitions moves from its most loaded
 *       owner to its least loaded subscriber (ties: smallest member id), preferring a partition
 *       the donor was given in this round over one it kept (the highest-numbered such). A move
 *       changes two counts only, so only the topics of those two members are queued again.
 *       Each move lowers the sum of squared counts by at least two, so the loop ends; when the
 *       worklist is empty no topic is unbalanced, which is the balance guarantee.
 * </ol>
 * Cost: O(P x S) for the fill, where S is the number of subscribers per topic, plus
 * O(T x S + moves x (topics per member x S + partitions per topic)) for the balance, which makes
 * few moves unless the previous target was far from balanced.
 */
public final class UniformAssignor {
    private UniformAssignor() {}

    /**
     * One member: its id, the topic names it subscribes to (regexes already resolved), and its
     * previous target assignment (topic -> partitions; may be empty). Immutable: the collections
     * are copied; none of them may contain null.
     */
    public record Member(String memberId, Set<String> subscribedTopics, Map<String, Set<Integer>> previousTarget) {
        public Member {
            Objects.requireNonNull(memberId, "memberId");
            subscribedTopics = Set.copyOf(subscribedTopics);
            Map<String, Set<Integer>> copy = new TreeMap<>();
            previousTarget.forEach((topic, partitions) -> copy.put(Objects.requireNonNull(topic, "topic"),
                    Set.copyOf(partitions)));
            previousTarget = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * The new target assignment: memberId -> (topic -> partitions), with an entry (maybe empty)
     * for every member.
     *
     * @param members the group's members, with distinct ids, in any order
     * @param partitionCounts topic name -> number of partitions (partitions 0..n-1) of every
     *     existing topic. Subscribed topics missing from it are ignored; previous-target
     *     partitions that no longer exist or whose topic the member no longer subscribes to are
     *     dropped.
     * @return unmodifiable maps and sets, sorted by member id, topic and partition; topics with
     *     no partitions for a member are omitted. The same inputs, in any iteration order, give
     *     an equal result.
     * @throws IllegalArgumentException if two members have the same id or a partition count is
     *     negative
     */
    public static Map<String, Map<String, Set<Integer>>> assign(Collection<Member> members,
            Map<String, Integer> partitionCounts) {
        return new Assignment(members, partitionCounts).run();
    }

    /** The working state of one {@link #assign} call. Single-use, confined to the calling thread. */
    private static final class Assignment {
        private static final int NONE = -1;

        /** Members sorted by id; a member is named by its index in this list. */
        private final List<Member> members;
        /** Existing topics with at least one subscriber, sorted; a topic is named by its index. */
        private final String[] topics;
        /** Per member, the indexes of the existing topics it subscribes to, ascending. */
        private final int[][] memberTopics;
        /** Per topic, the indexes of its subscribers, ascending (so a scan meets ids in order). */
        private final int[][] subscribers;
        /** Per topic and subscriber position (parallel to {@link #subscribers}), partitions owned. */
        private final int[][] ownedPerSubscriber;
        /** Per topic and partition, the owning member, or {@link #NONE}. */
        private final int[][] owner;
        /** Per topic and partition, whether its owner had it in its previous target. */
        private final boolean[][] kept;
        /** Per member, the number of partitions it owns. */
        private final int[] counts;

        Assignment(Collection<Member> members, Map<String, Integer> partitionCounts) {
            List<Member> sorted = new ArrayList<>(members);
            sorted.sort(Comparator.comparing(Member::memberId));
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i).memberId().equals(sorted.get(i - 1).memberId())) {
                    throw new IllegalArgumentException("duplicate member id " + sorted.get(i).memberId());
                }
            }
            partitionCounts.forEach((topic, count) -> {
                if (count < 0) {
                    throw new IllegalArgumentException("negative partition count " + count + " for topic " + topic);
                }
            });
            this.members = sorted;

            TreeSet<String> subscribed = new TreeSet<>();
            sorted.forEach(m -> m.subscribedTopics().stream().filter(partitionCounts::containsKey)
                    .forEach(subscribed::add));
            this.topics = subscribed.toArray(String[]::new);

            int n = sorted.size();
            int t = topics.length;
            this.memberTopics = new int[n][];
            int[] subscriberCounts = new int[t];
            for (int m = 0; m < n; m++) {
                Set<String> mine = sorted.get(m).subscribedTopics();
                memberTopics[m] = new int[countSubscribed(mine)];
                int next = 0;
                for (int topic = 0; topic < t; topic++) {
                    if (mine.contains(topics[topic])) {
                        memberTopics[m][next++] = topic;
                        subscriberCounts[topic]++;
                    }
                }
            }
            this.subscribers = new int[t][];
            this.ownedPerSubscriber = new int[t][];
            this.owner = new int[t][];
            this.kept = new boolean[t][];
            int[] filled = new int[t];
            for (int topic = 0; topic < t; topic++) {
                subscribers[topic] = new int[subscriberCounts[topic]];
                ownedPerSubscriber[topic] = new int[subscriberCounts[topic]];
                owner[topic] = new int[partitionCounts.get(topics[topic])];
                Arrays.fill(owner[topic], NONE);
                kept[topic] = new boolean[owner[topic].length];
            }
            for (int m = 0; m < n; m++) {
                for (int topic : memberTopics[m]) {
                    subscribers[topic][filled[topic]++] = m;
                }
            }
            this.counts = new int[n];
        }

        private int countSubscribed(Set<String> mine) {
            int count = 0;
            for (String topic : topics) {
                if (mine.contains(topic)) {
                    count++;
                }
            }
            return count;
        }

        Map<String, Map<String, Set<Integer>>> run() {
            keepValidPreviousPartitions();
            if (subscriptionsAreHomogeneous()) {
                capAtQuotas();
            }
            fill();
            balance();
            return result();
        }

        /** Phase 1: each member keeps its valid previous partitions; conflicting claims resolved. */
        private void keepValidPreviousPartitions() {
            int[] validClaims = new int[members.size()];
            forEachValidClaim((m, topic, partition) -> validClaims[m]++);
            forEachValidClaim((m, topic, partition) -> {
                int current = owner[topic][partition];
                // Members come in id order, so on equal claim counts the earlier claimant stays.
                if (current == NONE || validClaims[m] < validClaims[current]) {
                    if (current != NONE) {
                        take(topic, partition);
                    }
                    give(topic, partition, m, true);
                }
            });
        }

        private interface ClaimVisitor {
            void visit(int member, int topic, int partition);
        }

        /** Visits, in member order, each previous-target partition that exists and is subscribed. */
        private void forEachValidClaim(ClaimVisitor visitor) {
            for (int m = 0; m < members.size(); m++) {
                for (int topic : memberTopics[m]) {
                    Set<Integer> previous = members.get(m).previousTarget().get(topics[topic]);
                    if (previous == null) {
                        continue;
                    }
                    for (int partition : previous) {
                        if (partition >= 0 && partition < owner[topic].length) {
                            visitor.visit(m, topic, partition);
                        }
                    }
                }
            }
        }

        /** Whether every member subscribes to every topic (in which case there is at least one member). */
        private boolean subscriptionsAreHomogeneous() {
            for (int[] mine : memberTopics) {
                if (mine.length != topics.length) {
                    return false;
                }
            }
            return members.size() > 0;
        }

        /** Phase 2 (homogeneous only): release what exceeds the q / q+1 quotas, most-keeping members first. */
        private void capAtQuotas() {
            int n = members.size();
            int total = 0;
            for (int[] partitions : owner) {
                total += partitions.length;
            }
            int quota = total / n;
            int withExtra = total % n;
            Integer[] byKept = new Integer[n];
            for (int m = 0; m < n; m++) {
                byKept[m] = m;
            }
            Arrays.sort(byKept, Comparator.comparingInt((Integer m) -> -counts[m]).thenComparingInt(m -> m));
            int[] quotas = new int[n];
            for (int rank = 0; rank < n; rank++) {
                quotas[byKept[rank]] = rank < withExtra ? quota + 1 : quota;
            }
            int[] keptSoFar = new int[n];
            for (int topic = 0; topic < topics.length; topic++) {
                for (int partition = 0; partition < owner[topic].length; partition++) {
                    int m = owner[topic][partition];
                    if (m != NONE && ++keptSoFar[m] > quotas[m]) {
                        take(topic, partition);
                    }
                }
            }
        }

        /** Phase 3: each unowned partition goes to the least loaded subscriber of its topic. */
        private void fill() {
            for (int topic = 0; topic < topics.length; topic++) {
                for (int partition = 0; partition < owner[topic].length; partition++) {
                    if (owner[topic][partition] == NONE) {
                        give(topic, partition, leastLoadedSubscriber(topic), false);
                    }
                }
            }
        }

        /** Phase 4: move partitions until no topic is unbalanced (see the class notes). */
        private void balance() {
            ArrayDeque<Integer> worklist = new ArrayDeque<>();
            boolean[] queued = new boolean[topics.length];
            for (int topic = 0; topic < topics.length; topic++) {
                worklist.add(topic);
                queued[topic] = true;
            }
            while (!worklist.isEmpty()) {
                int topic = worklist.poll();
                queued[topic] = false;
                int receiver = leastLoadedSubscriber(topic);
                int donor = mostLoadedOwner(topic);
                if (donor == NONE || counts[donor] < counts[receiver] + 2) {
                    continue;
                }
                int partition = partitionToMove(topic, donor);
                take(topic, partition);
                give(topic, partition, receiver, false);
                for (int member : new int[] {receiver, donor}) {
                    for (int affected : memberTopics[member]) {
                        if (!queued[affected]) {
                            queued[affected] = true;
                            worklist.add(affected);
                        }
                    }
                }
            }
        }

        private int leastLoadedSubscriber(int topic) {
            int best = NONE;
            for (int m : subscribers[topic]) {
                if (best == NONE || counts[m] < counts[best]) {
                    best = m;
                }
            }
            return best;
        }

        private int mostLoadedOwner(int topic) {
            int best = NONE;
            int[] subs = subscribers[topic];
            for (int position = 0; position < subs.length; position++) {
                int m = subs[position];
                if (ownedPerSubscriber[topic][position] > 0 && (best == NONE || counts[m] > counts[best])) {
                    best = m;
                }
            }
            return best;
        }

        /** The donor's highest-numbered partition of the topic given in this round, else its highest kept one. */
        private int partitionToMove(int topic, int donor) {
            int keptCandidate = NONE;
            for (int partition = owner[topic].length - 1; partition >= 0; partition--) {
                if (owner[topic][partition] == donor) {
                    if (!kept[topic][partition]) {
                        return partition;
                    }
                    if (keptCandidate == NONE) {
                        keptCandidate = partition;
                    }
                }
            }
            return keptCandidate;
        }

        private void give(int topic, int partition, int member, boolean fromPrevious) {
            owner[topic][partition] = member;
            kept[topic][partition] = fromPrevious;
            counts[member]++;
            ownedPerSubscriber[topic][Arrays.binarySearch(subscribers[topic], member)]++;
        }

        private void take(int topic, int partition) {
            int member = owner[topic][partition];
            owner[topic][partition] = NONE;
            counts[member]--;
            ownedPerSubscriber[topic][Arrays.binarySearch(subscribers[topic], member)]--;
        }

        private Map<String, Map<String, Set<Integer>>> result() {
            List<Map<String, Set<Integer>>> perMember = new ArrayList<>();
            members.forEach(m -> perMember.add(new TreeMap<>()));
            for (int topic = 0; topic < topics.length; topic++) {
                for (int partition = 0; partition < owner[topic].length; partition++) {
                    perMember.get(owner[topic][partition])
                            .computeIfAbsent(topics[topic], name -> new TreeSet<>()).add(partition);
                }
            }
            Map<String, Map<String, Set<Integer>>> result = new TreeMap<>();
            for (int m = 0; m < members.size(); m++) {
                Map<String, Set<Integer>> assignment = perMember.get(m);
                assignment.replaceAll((topic, partitions) -> Collections.unmodifiableSet(partitions));
                result.put(members.get(m).memberId(), Collections.unmodifiableMap(assignment));
            }
            return Collections.unmodifiableMap(result);
        }
    }
}
