package io.brook.group.internal;

import static io.brook.group.internal.AssignmentChecks.checkAll;
import static io.brook.group.internal.AssignmentChecks.checkBalanced;
import static io.brook.group.internal.AssignmentChecks.checkCompleteAndExclusive;
import static io.brook.group.internal.AssignmentChecks.checkMinimalMovement;
import static io.brook.group.internal.AssignmentChecks.checkStable;
import static io.brook.group.internal.AssignmentChecks.homogeneous;
import static io.brook.group.internal.AssignmentChecks.withPreviousTargets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import io.brook.group.internal.UniformAssignor.Member;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * {@link UniformAssignor}'s acceptance properties (see {@link AssignmentChecks}) over random
 * groups: 0 to 9 members with sparse ids given in any order, subscriptions to 6 topic names of
 * which some do not exist, 0 to 12 partitions per topic, and previous targets that are either
 * consistent (no partition claimed twice, though they may name deleted topics, partitions beyond
 * the count and unsubscribed topics) or arbitrary (overlapping claims too); and over random
 * histories of joins, leaves, subscription changes, added partitions, created and deleted topics,
 * each step's result being the next step's previous target.
 *
 * <p>Runs with the seed surefire passes as {@code QT_SEED} (fixed in the parent POM) and
 * {@code -Dbrook.properties.examples} examples. A failure prints the shrunk case and the seed;
 * replay it with {@code -Dqt.seed=<seed>} or {@code .withFixedSeed(seed)} after {@code qt()}.
 */
class UniformAssignorPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 5;
    private static final int HISTORIES = Integer.getInteger("brook.properties.examples", 60);
    private static final List<String> TOPICS = List.of("t0", "t1", "t2", "t3", "t4", "t5");

    /** One call's input. */
    record Case(List<Member> members, Map<String, Integer> partitionCounts) {
        Map<String, Map<String, Set<Integer>>> assign() {
            return UniformAssignor.assign(members, partitionCounts);
        }
    }

    enum Subscriptions {
        /** The same existing topics for every member (raw sets may differ in missing topics). */
        HOMOGENEOUS,
        /** Each member its own random set. */
        HETEROGENEOUS,
        /** Either. */
        ANY
    }

    enum PreviousTargets {
        /** No partition in two members' previous targets; stale and unsubscribed entries allowed. */
        CONSISTENT,
        /** Each member claims partitions independently, so claims overlap too. */
        ARBITRARY
    }

    @Test
    void everySubscribedPartitionGoesToExactlyOneSubscriber() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.ANY, PreviousTargets.ARBITRARY))
                .checkAssert(c -> checkCompleteAndExclusive(c.members(), c.partitionCounts(), c.assign()));
    }

    @Test
    void noSingleMoveCouldImproveBalance() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.ANY, PreviousTargets.ARBITRARY))
                .checkAssert(c -> checkBalanced(c.members(), c.partitionCounts(), c.assign()));
    }

    @Test
    void homogeneousCountsDifferByAtMostOne() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.HOMOGENEOUS, PreviousTargets.ARBITRARY))
                .checkAssert(c -> checkBalanced(c.members(), c.partitionCounts(), c.assign()));
    }

    @Test
    void homogeneousAssignmentMovesNoMorePartitionsThanTheQuotasForce() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.HOMOGENEOUS, PreviousTargets.CONSISTENT))
                .checkAssert(c -> checkMinimalMovement(c.members(), c.partitionCounts(), c.assign()));
    }

    @Test
    void reassigningAnUnchangedGroupMovesNothing() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.ANY, PreviousTargets.ARBITRARY))
                .checkAssert(c -> checkStable(c.members(), c.partitionCounts(), c.assign()));
    }

    /** Conflicting claims never make the assignor keep a partition twice or drop one. */
    @Test
    void conflictingPreviousTargetsStillGiveAValidAssignment() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.ANY, PreviousTargets.ARBITRARY)
                        .map(UniformAssignorPropertiesTest::withSharedClaims))
                .checkAssert(c -> {
                    Map<String, Map<String, Set<Integer>>> result = c.assign();
                    checkCompleteAndExclusive(c.members(), c.partitionCounts(), result);
                    checkBalanced(c.members(), c.partitionCounts(), result);
                });
    }

    @Test
    void resultDependsOnlyOnTheInputsNotTheirOrder() {
        qt().withExamples(EXAMPLES).forAll(cases(Subscriptions.ANY, PreviousTargets.ARBITRARY))
                .checkAssert(c -> {
                    List<Member> reversed = new ArrayList<>();
                    for (Member m : c.members()) {
                        reversed.add(0, new Member(m.memberId(), new HashSet<>(m.subscribedTopics()),
                                reverseOrder(m.previousTarget())));
                    }
                    assertEquals(c.assign(), UniformAssignor.assign(reversed, reverseOrder(c.partitionCounts())));
                });
    }

    /** Properties 1, 2 and 4 after every step of a history, 3 after every homogeneous step. */
    @Test
    void propertiesHoldAfterEveryStepOfAHeterogeneousHistory() {
        qt().withExamples(HISTORIES).forAll(histories(Subscriptions.ANY)).checkAssert(History::run);
    }

    /** As above, but subscription changes apply to every member at once, so each step is homogeneous. */
    @Test
    void propertiesHoldAfterEveryStepOfAHomogeneousHistory() {
        qt().withExamples(HISTORIES).forAll(histories(Subscriptions.HOMOGENEOUS)).checkAssert(history -> {
            history.run();
            assertTrue(history.homogeneousSteps == history.steps().size(), "every step homogeneous");
        });
    }

    /** The case with partition 0 of every topic name also claimed by the first two members. */
    private static Case withSharedClaims(Case c) {
        List<Member> members = new ArrayList<>(c.members());
        for (int i = 0; i < Math.min(2, members.size()); i++) {
            Member m = members.get(i);
            Map<String, Set<Integer>> previous = new HashMap<>(m.previousTarget());
            TOPICS.forEach(topic -> {
                Set<Integer> partitions = new HashSet<>(previous.getOrDefault(topic, Set.of()));
                partitions.add(0);
                previous.put(topic, partitions);
            });
            members.set(i, new Member(m.memberId(), m.subscribedTopics(), previous));
        }
        return new Case(List.copyOf(members), c.partitionCounts());
    }

    private static <V> Map<String, V> reverseOrder(Map<String, V> map) {
        List<String> keys = new ArrayList<>(new TreeSet<>(map.keySet()));
        Collections.reverse(keys);
        Map<String, V> reversed = new LinkedHashMap<>();
        keys.forEach(key -> reversed.put(key, map.get(key)));
        return reversed;
    }

    // ---------------------------------------------------------------- single calls

    static Gen<Case> cases(Subscriptions subscriptions, PreviousTargets previousTargets) {
        Gen<Case> gen = in -> {
            Map<String, Integer> partitionCounts = new HashMap<>();
            for (String topic : TOPICS) {
                if (in.next(Constraint.between(0, 4)) > 0) { // 4 in 5 topics exist
                    partitionCounts.put(topic, (int) in.next(Constraint.between(0, 12)));
                }
            }
            int memberCount = (int) in.next(Constraint.between(0, 9).withShrinkPoint(1));
            List<String> ids = memberIds(memberCount, in);
            boolean homogeneous = subscriptions == Subscriptions.HOMOGENEOUS
                    || subscriptions == Subscriptions.ANY && in.next(Constraint.between(0, 1)) == 0;
            Set<String> common = randomTopics(in);
            Map<String, Set<String>> subscribed = new HashMap<>();
            for (String id : ids) {
                Set<String> mine = new TreeSet<>(homogeneous ? common : randomTopics(in));
                if (homogeneous) { // differences in topics that do not exist keep it homogeneous
                    randomTopics(in).stream().filter(t -> !partitionCounts.containsKey(t)).forEach(mine::add);
                }
                subscribed.put(id, mine);
            }
            Map<String, Map<String, Set<Integer>>> previous = previousTargetsOf(ids, partitionCounts,
                    previousTargets, in);
            List<Member> members = new ArrayList<>();
            for (String id : ids) {
                members.add(new Member(id, subscribed.get(id), previous.get(id)));
            }
            return new Case(List.copyOf(members), partitionCounts);
        };
        return gen;
    }

    /**
     * Previous targets over every topic name, for partitions up to 3 beyond the count (a missing
     * topic as if it had had 0 to 6 partitions), whatever the subscriptions.
     */
    private static Map<String, Map<String, Set<Integer>>> previousTargetsOf(List<String> ids,
            Map<String, Integer> partitionCounts, PreviousTargets mode, RandomnessSource in) {
        Map<String, Map<String, Set<Integer>>> previous = new HashMap<>();
        ids.forEach(id -> previous.put(id, new HashMap<>()));
        if (ids.isEmpty()) {
            return previous;
        }
        // Sometimes none at all: a fresh group.
        if (in.next(Constraint.between(0, 5)) == 0) {
            return previous;
        }
        for (String topic : TOPICS) {
            int range = partitionCounts.containsKey(topic)
                    ? partitionCounts.get(topic) + (int) in.next(Constraint.between(0, 3))
                    : (int) in.next(Constraint.between(0, 6));
            for (int partition = 0; partition < range; partition++) {
                if (mode == PreviousTargets.CONSISTENT) {
                    int owner = (int) in.next(Constraint.between(-1, ids.size() - 1)); // -1: nobody had it
                    if (owner >= 0) {
                        claim(previous.get(ids.get(owner)), topic, partition);
                    }
                } else {
                    for (String id : ids) {
                        if (in.next(Constraint.between(0, ids.size())) == 0) {
                            claim(previous.get(id), topic, partition);
                        }
                    }
                }
            }
        }
        return previous;
    }

    private static void claim(Map<String, Set<Integer>> target, String topic, int partition) {
        target.computeIfAbsent(topic, t -> new HashSet<>()).add(partition);
    }

    /** Distinct ids "m&lt;3i..3i+2&gt;", shuffled: "m10" sorts before "m4", so id order is not creation order. */
    private static List<String> memberIds(int count, RandomnessSource in) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("m" + (3 * i + in.next(Constraint.between(0, 2))));
        }
        for (int i = ids.size() - 1; i > 0; i--) {
            Collections.swap(ids, i, (int) in.next(Constraint.between(0, i)));
        }
        return ids;
    }

    private static Set<String> randomTopics(RandomnessSource in) {
        return topicsOf((int) in.next(Constraint.between(0, (1 << TOPICS.size()) - 1)));
    }

    /** The topics whose bit is set in {@code bits}. */
    private static Set<String> topicsOf(int bits) {
        Set<String> topics = new TreeSet<>();
        for (int i = 0; i < TOPICS.size(); i++) {
            if ((bits & (1 << i)) != 0) {
                topics.add(TOPICS.get(i));
            }
        }
        return topics;
    }

    // ---------------------------------------------------------------- histories

    /** NOTHING first: QuickTheories shrinks draws towards 0, so failing histories shrink towards no-ops. */
    enum Kind { NOTHING, JOIN, LEAVE, SUBSCRIBE, ADD_PARTITIONS, CREATE_TOPIC, DELETE_TOPIC }

    /** One change, its arguments interpreted modulo the state it meets (so any sequence is valid). */
    record Step(Kind kind, int a, int b) {}

    /** A start (any case) and the changes applied to it one after another. */
    static final class History {
        private final Case start;
        private final List<Step> steps;
        private final boolean homogeneousChanges;
        int homogeneousSteps;

        History(Case start, List<Step> steps, boolean homogeneousChanges) {
            this.start = start;
            this.steps = steps;
            this.homogeneousChanges = homogeneousChanges;
        }

        List<Step> steps() {
            return steps;
        }

        /** Replays the history, checking the properties after the start and after every step. */
        void run() {
            homogeneousSteps = 0;
            Map<String, Integer> partitionCounts = new TreeMap<>(start.partitionCounts());
            Map<String, Set<String>> subscriptions = new TreeMap<>();
            start.members().forEach(m -> subscriptions.put(m.memberId(), m.subscribedTopics()));
            List<Member> members = start.members();
            int nextId = 100;
            List<String> story = new ArrayList<>();
            story.add("start " + start);
            try {
                Map<String, Map<String, Set<Integer>>> result = check(members, partitionCounts, false);
                for (Step step : steps) {
                    List<String> ids = new ArrayList<>(subscriptions.keySet());
                    String topic = TOPICS.get(Math.floorMod(step.a(), TOPICS.size()));
                    switch (step.kind()) {
                        case JOIN -> {
                            Set<String> topics = homogeneousChanges && !ids.isEmpty()
                                    ? subscriptions.get(ids.get(0)) : topicsOf(step.b());
                            subscriptions.put("m" + nextId++, topics);
                        }
                        case LEAVE -> {
                            if (!ids.isEmpty()) {
                                subscriptions.remove(ids.get(Math.floorMod(step.a(), ids.size())));
                            }
                        }
                        case SUBSCRIBE -> {
                            if (homogeneousChanges) {
                                ids.forEach(id -> subscriptions.put(id, topicsOf(step.b())));
                            } else if (!ids.isEmpty()) {
                                subscriptions.put(ids.get(Math.floorMod(step.a(), ids.size())), topicsOf(step.b()));
                            }
                        }
                        case ADD_PARTITIONS -> partitionCounts.computeIfPresent(topic,
                                (t, count) -> count + 1 + Math.floorMod(step.b(), 5));
                        case CREATE_TOPIC -> partitionCounts.putIfAbsent(topic, Math.floorMod(step.b(), 10));
                        case DELETE_TOPIC -> partitionCounts.remove(topic);
                        case NOTHING -> { }
                    }
                    story.add(step + " -> counts " + partitionCounts + ", subscriptions " + subscriptions);
                    List<Member> next = new ArrayList<>();
                    subscriptions.forEach((id, topics) -> next.add(new Member(id, topics, Map.of())));
                    members = withPreviousTargets(next, result);
                    result = check(members, partitionCounts, true);
                }
            } catch (AssertionError e) {
                throw new AssertionFailedError(e.getMessage() + "\nhistory:\n  " + String.join("\n  ", story), e);
            }
        }

        private Map<String, Map<String, Set<Integer>>> check(List<Member> members,
                Map<String, Integer> partitionCounts, boolean countHomogeneous) {
            Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, partitionCounts);
            checkAll(members, partitionCounts, result);
            if (countHomogeneous && homogeneous(members, partitionCounts)) {
                homogeneousSteps++;
            }
            return result;
        }

        @Override
        public String toString() {
            return "History[start=" + start + ", steps=" + steps + "]";
        }
    }

    /**
     * Histories of up to 40 steps. With {@link Subscriptions#HOMOGENEOUS} the start is
     * homogeneous, a joining member takes the group's subscription and a subscription change
     * applies to every member, so every step stays homogeneous; otherwise anything goes.
     */
    static Gen<History> histories(Subscriptions subscriptions) {
        boolean homogeneous = subscriptions == Subscriptions.HOMOGENEOUS;
        Gen<Case> starts = cases(subscriptions, PreviousTargets.ARBITRARY);
        Kind[] kinds = Kind.values();
        Gen<History> gen = in -> {
            Case start = starts.generate(in);
            if (homogeneous && !start.members().isEmpty()) { // identical raw sets: creating a topic keeps it so
                Set<String> common = start.members().get(0).subscribedTopics();
                List<Member> members = new ArrayList<>();
                start.members().forEach(m -> members.add(new Member(m.memberId(), common, m.previousTarget())));
                start = new Case(List.copyOf(members), start.partitionCounts());
            }
            int length = (int) in.next(Constraint.between(1, 40));
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                Kind kind = kinds[(int) in.next(Constraint.between(0, kinds.length - 1))];
                steps.add(new Step(kind, (int) in.next(Constraint.between(0, 63)),
                        (int) in.next(Constraint.between(0, 63))));
            }
            return new History(start, List.copyOf(steps), homogeneous);
        };
        return gen;
    }
}
