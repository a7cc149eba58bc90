package io.brook.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.group.internal.UniformAssignor.Member;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The assignor's acceptance properties as reusable checks, each computed from the inputs alone
 * (never from the assignor's internals), so a test can run them after any call: completeness
 * and exclusivity, balance, the minimal-movement bound for homogeneous subscriptions, and
 * stability of a fixed point. Shared by the example and the property tests.
 */
final class AssignmentChecks {
    private AssignmentChecks() {}

    /** The topics the member subscribes to that exist. */
    static Set<String> effectiveSubscription(Member member, Map<String, Integer> partitionCounts) {
        return member.subscribedTopics().stream().filter(partitionCounts::containsKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Whether all members subscribe to the same existing topics (true for an empty group). */
    static boolean homogeneous(Collection<Member> members, Map<String, Integer> partitionCounts) {
        return members.stream().map(m -> effectiveSubscription(m, partitionCounts)).distinct().count() <= 1;
    }

    /** Whether some partition appears in the previous targets of two members (valid or not). */
    static boolean previousTargetsOverlap(Collection<Member> members) {
        Set<String> seen = new HashSet<>();
        for (Member member : members) {
            for (Map.Entry<String, Set<Integer>> entry : member.previousTarget().entrySet()) {
                for (int partition : entry.getValue()) {
                    if (!seen.add(entry.getKey() + "-" + partition)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The members with {@code target} as their previous targets (empty for a member not in it). */
    static List<Member> withPreviousTargets(Collection<Member> members, Map<String, Map<String, Set<Integer>>> target) {
        List<Member> next = new ArrayList<>();
        for (Member member : members) {
            next.add(new Member(member.memberId(), member.subscribedTopics(),
                    target.getOrDefault(member.memberId(), Map.of())));
        }
        return next;
    }

    /**
     * Property 1: an entry for every member and no other; every partition of every subscribed
     * existing topic owned by exactly one member, which subscribes to its topic; nothing else
     * assigned; no empty partition sets.
     */
    static void checkCompleteAndExclusive(Collection<Member> members, Map<String, Integer> partitionCounts,
            Map<String, Map<String, Set<Integer>>> result) {
        Map<String, Member> byId = members.stream().collect(Collectors.toMap(Member::memberId, m -> m));
        assertEquals(byId.keySet(), result.keySet(), "one entry per member");
        Map<String, String> ownerOf = new HashMap<>();
        result.forEach((memberId, assignment) -> assignment.forEach((topic, partitions) -> {
            assertFalse(partitions.isEmpty(), memberId + " has an empty set for " + topic);
            assertTrue(partitionCounts.containsKey(topic), memberId + " got partitions of missing topic " + topic);
            assertTrue(byId.get(memberId).subscribedTopics().contains(topic),
                    memberId + " got " + topic + " without subscribing to it");
            for (int partition : partitions) {
                assertTrue(partition >= 0 && partition < partitionCounts.get(topic),
                        memberId + " got nonexistent partition " + topic + "-" + partition);
                String previousOwner = ownerOf.put(topic + "-" + partition, memberId);
                if (previousOwner != null) {
                    fail(topic + "-" + partition + " assigned to both " + previousOwner + " and " + memberId);
                }
            }
        }));
        Set<String> subscribed = new TreeSet<>();
        members.forEach(m -> subscribed.addAll(effectiveSubscription(m, partitionCounts)));
        for (String topic : subscribed) {
            for (int partition = 0; partition < partitionCounts.get(topic); partition++) {
                assertTrue(ownerOf.containsKey(topic + "-" + partition), topic + "-" + partition + " unassigned");
            }
        }
    }

    /**
     * Property 2: if B owns a partition of a topic A subscribes to, count(B) &lt;= count(A) + 1;
     * with homogeneous subscriptions, max - min &lt;= 1.
     */
    static void checkBalanced(Collection<Member> members, Map<String, Integer> partitionCounts,
            Map<String, Map<String, Set<Integer>>> result) {
        Map<String, Integer> counts = counts(result);
        Map<String, String> mostLoadedOwnerOf = new HashMap<>();
        result.forEach((memberId, assignment) -> assignment.keySet().forEach(topic -> mostLoadedOwnerOf.merge(
                topic, memberId, (a, b) -> counts.get(a) >= counts.get(b) ? a : b)));
        for (Member a : members) {
            for (String topic : effectiveSubscription(a, partitionCounts)) {
                String b = mostLoadedOwnerOf.get(topic);
                if (b != null) {
                    int countA = counts.get(a.memberId());
                    assertTrue(counts.get(b) <= countA + 1, b + " owns " + counts.get(b) + " partitions, one of "
                            + topic + ", which " + a.memberId() + " (" + countA + ") subscribes to: " + counts);
                }
            }
        }
        if (!members.isEmpty() && homogeneous(members, partitionCounts)) {
            int max = Collections.max(counts.values());
            int min = Collections.min(counts.values());
            assertTrue(max - min <= 1, "homogeneous but counts " + counts);
        }
    }

    /**
     * Property 3, for homogeneous subscriptions and previous targets that do not overlap: the
     * number of still-valid previous (partition, owner) pairs whose owner changed equals the
     * lower bound, valid pairs minus the most the q / q+1 quotas can keep.
     */
    static void checkMinimalMovement(Collection<Member> members, Map<String, Integer> partitionCounts,
            Map<String, Map<String, Set<Integer>>> result) {
        if (members.isEmpty()) {
            return;
        }
        Set<String> topics = effectiveSubscription(members.iterator().next(), partitionCounts);
        int total = topics.stream().mapToInt(partitionCounts::get).sum();
        int quota = total / members.size();
        int withExtra = total % members.size();
        List<Integer> validCounts = new ArrayList<>();
        int moved = 0;
        for (Member member : members) {
            int valid = 0;
            for (Map.Entry<String, Set<Integer>> entry : member.previousTarget().entrySet()) {
                String topic = entry.getKey();
                if (!topics.contains(topic) || !member.subscribedTopics().contains(topic)) {
                    continue;
                }
                for (int partition : entry.getValue()) {
                    if (partition >= 0 && partition < partitionCounts.get(topic)) {
                        valid++;
                        if (!result.get(member.memberId()).getOrDefault(topic, Set.of()).contains(partition)) {
                            moved++;
                        }
                    }
                }
            }
            validCounts.add(valid);
        }
        validCounts.sort(Collections.reverseOrder());
        int maxKept = 0;
        for (int rank = 0; rank < validCounts.size(); rank++) {
            maxKept += Math.min(validCounts.get(rank), rank < withExtra ? quota + 1 : quota);
        }
        int totalValid = validCounts.stream().mapToInt(Integer::intValue).sum();
        assertEquals(totalValid - maxKept, moved,
                "moved partitions (valid previous " + validCounts + ", quota " + quota + "/+1 for " + withExtra + ")");
    }

    /** Property 4: with the result as previous target and nothing else changed, nothing moves. */
    static void checkStable(Collection<Member> members, Map<String, Integer> partitionCounts,
            Map<String, Map<String, Set<Integer>>> result) {
        assertEquals(result, UniformAssignor.assign(withPreviousTargets(members, result), partitionCounts),
                "re-assigning an unchanged group moved partitions");
    }

    /** Properties 1, 2 and 4 always; 3 where subscriptions are homogeneous and previous targets do not overlap. */
    static void checkAll(Collection<Member> members, Map<String, Integer> partitionCounts,
            Map<String, Map<String, Set<Integer>>> result) {
        checkCompleteAndExclusive(members, partitionCounts, result);
        checkBalanced(members, partitionCounts, result);
        if (homogeneous(members, partitionCounts) && !previousTargetsOverlap(members)) {
            checkMinimalMovement(members, partitionCounts, result);
        }
        checkStable(members, partitionCounts, result);
    }

    static Map<String, Integer> counts(Map<String, Map<String, Set<Integer>>> result) {
        Map<String, Integer> counts = new HashMap<>();
        result.forEach((memberId, assignment) -> counts.put(memberId,
                assignment.values().stream().mapToInt(Set::size).sum()));
        return counts;
    }
}
