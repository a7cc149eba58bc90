package io.brook.group.internal;

import static io.brook.group.internal.AssignmentChecks.checkAll;
import static io.brook.group.internal.AssignmentChecks.counts;
import static io.brook.group.internal.AssignmentChecks.withPreviousTargets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.group.internal.UniformAssignor.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UniformAssignorTest {

    private static Member member(String id, Set<String> topics, Map<String, Set<Integer>> previous) {
        return new Member(id, topics, previous);
    }

    private static Member member(String id, String... topics) {
        return new Member(id, Set.of(topics), Map.of());
    }

    @Test
    void freshGroupGetsPartitionsDealtInMemberIdOrder() {
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(
                List.of(member("b", "orders"), member("a", "orders")), Map.of("orders", 5));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0, 2, 4)), "b", Map.of("orders", Set.of(1, 3))), result);
    }

    @Test
    void unchangedGroupKeepsItsPreviousTarget() {
        List<Member> members = List.of(
                member("a", Set.of("orders"), Map.of("orders", Set.of(3, 4))),
                member("b", Set.of("orders"), Map.of("orders", Set.of(0, 1, 2))));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("orders", 5));
        assertEquals(Map.of("a", Map.of("orders", Set.of(3, 4)), "b", Map.of("orders", Set.of(0, 1, 2))), result);
    }

    @Test
    void joiningMemberTakesOnlyItsShareAndOthersKeepTheRest() {
        List<Member> members = List.of(
                member("a", Set.of("orders"), Map.of("orders", Set.of(0, 1, 2))),
                member("b", Set.of("orders"), Map.of("orders", Set.of(3, 4, 5))),
                member("c", Set.of("orders"), Map.of()));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("orders", 6));
        assertEquals(Map.of("a", 2, "b", 2, "c", 2), counts(result));
        assertTrue(Set.of(0, 1, 2).containsAll(result.get("a").get("orders")));
        assertTrue(Set.of(3, 4, 5).containsAll(result.get("b").get("orders")));
        checkAll(members, Map.of("orders", 6), result);
    }

    /**
     * Every member at its quota of 2 releases only its excess: 2 moves. Found by the minimal
     * movement property with the cap phase left out: balancing topic by topic moved x-0 from "c"
     * to "d" first and then had to refill "c", 3 moves.
     */
    @Test
    void homogeneousGroupReleasesOnlyWhatExceedsTheQuotas() {
        List<Member> members = List.of(
                member("a", Set.of("x", "y"), Map.of("y", Set.of(0, 1, 2))),
                member("b", Set.of("x", "y"), Map.of("y", Set.of(3, 4, 5))),
                member("c", Set.of("x", "y"), Map.of("x", Set.of(0), "y", Set.of(6))),
                member("d", Set.of("x", "y"), Map.of()));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("x", 1, "y", 7));
        assertEquals(Map.of(
                "a", Map.of("y", Set.of(0, 1)),
                "b", Map.of("y", Set.of(3, 4)),
                "c", Map.of("x", Set.of(0), "y", Set.of(6)),
                "d", Map.of("y", Set.of(2, 5))), result);
    }

    @Test
    void leavingMembersPartitionsAreSpreadOverTheOthers() {
        List<Member> members = List.of(
                member("a", Set.of("orders"), Map.of("orders", Set.of(0, 1))),
                member("b", Set.of("orders"), Map.of("orders", Set.of(2, 3))));
        // "c" owned 4 and 5 and is gone.
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("orders", 6));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0, 1, 4)), "b", Map.of("orders", Set.of(2, 3, 5))), result);
    }

    @Test
    void subscribedTopicsThatDoNotExistAreIgnored() {
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(
                List.of(member("a", "orders", "not-yet")), Map.of("orders", 2, "unsubscribed", 3));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0, 1))), result);
    }

    @Test
    void stalePreviousPartitionsAreDropped() {
        Member a = member("a", Set.of("orders"), Map.of(
                "orders", Set.of(0, 7, -1), // 7 and -1 do not exist
                "deleted", Set.of(0), // the topic is gone
                "payments", Set.of(0))); // exists, but "a" no longer subscribes to it
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(List.of(a, member("b", "payments")),
                Map.of("orders", 2, "payments", 1));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0, 1)), "b", Map.of("payments", Set.of(0))), result);
    }

    @Test
    void partitionClaimedTwiceStaysWithTheClaimantThatHadFewer() {
        List<Member> members = List.of(
                member("a", Set.of("orders"), Map.of("orders", Set.of(0, 1, 2))),
                member("b", Set.of("orders"), Map.of("orders", Set.of(2))));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("orders", 4));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0, 1)), "b", Map.of("orders", Set.of(2, 3))), result);
    }

    @Test
    void partitionClaimedTwiceByEquallyLoadedClaimantsStaysWithTheSmallerMemberId() {
        List<Member> members = List.of(
                member("b", Set.of("orders"), Map.of("orders", Set.of(0))),
                member("a", Set.of("orders"), Map.of("orders", Set.of(0))));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("orders", 2));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0)), "b", Map.of("orders", Set.of(1))), result);
    }

    /** Filling in topic order gives "b" all of "y" and one of "x"; balancing moves the "x" one to "a". */
    @Test
    void heterogeneousSubscriptionsAreBalancedByMovingSharedTopicPartitions() {
        List<Member> members = List.of(member("a", "x"), member("b", "x", "y"));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("x", 2, "y", 2));
        assertEquals(Map.of("a", Map.of("x", Set.of(0, 1)), "b", Map.of("y", Set.of(0, 1))), result);
    }

    /** A member alone on a topic may own far more than the others: no one else could take any. */
    @Test
    void heterogeneousImbalanceIsKeptWhenNoMoveCouldHelp() {
        List<Member> members = List.of(member("a", "x"), member("b", "y"));
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, Map.of("x", 5, "y", 1));
        assertEquals(Map.of("a", Map.of("x", Set.of(0, 1, 2, 3, 4)), "b", Map.of("y", Set.of(0))), result);
    }

    @Test
    void everyMemberHasAnEntryEvenWithoutPartitions() {
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(
                List.of(member("a", "orders"), member("b", "orders"), member("c")), Map.of("orders", 1));
        assertEquals(Map.of("a", Map.of("orders", Set.of(0)), "b", Map.of(), "c", Map.of()), result);
        assertEquals(Map.of(), UniformAssignor.assign(List.of(), Map.of("orders", 1)));
    }

    @Test
    void resultIsUnmodifiable() {
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(
                List.of(member("a", "orders")), Map.of("orders", 2));
        assertThrows(UnsupportedOperationException.class, () -> result.put("b", Map.of()));
        assertThrows(UnsupportedOperationException.class, () -> result.get("a").put("x", Set.of()));
        assertThrows(UnsupportedOperationException.class, () -> result.get("a").get("orders").add(5));
    }

    @Test
    void rejectsDuplicateMemberIdsAndNegativePartitionCounts() {
        assertThrows(IllegalArgumentException.class,
                () -> UniformAssignor.assign(List.of(member("a", "x"), member("a", "y")), Map.of("x", 1)));
        assertThrows(IllegalArgumentException.class,
                () -> UniformAssignor.assign(List.of(member("a", "x")), Map.of("x", -1)));
    }

    @Test
    void memberCopiesItsCollections() {
        Set<String> topics = new HashSet<>(Set.of("x"));
        Map<String, Set<Integer>> previous = new HashMap<>(Map.of("x", new HashSet<>(Set.of(0))));
        Member m = new Member("a", topics, previous);
        topics.add("y");
        previous.get("x").add(1);
        assertEquals(new Member("a", Set.of("x"), Map.of("x", Set.of(0))), m);
    }

    /** 100 members x 1000 partitions, homogeneous: fresh, then one leaves and two join. */
    @Test
    void largeHomogeneousGroupIsAssignedAndRebalanced() {
        Map<String, Integer> partitionCounts = new HashMap<>();
        for (int t = 0; t < 10; t++) {
            partitionCounts.put("topic-" + t, 100);
        }
        List<Member> members = new ArrayList<>();
        for (int m = 0; m < 100; m++) {
            members.add(new Member("member-" + m, partitionCounts.keySet(), Map.of()));
        }
        Map<String, Map<String, Set<Integer>>> first = UniformAssignor.assign(members, partitionCounts);
        checkAll(members, partitionCounts, first);

        List<Member> changed = new ArrayList<>(withPreviousTargets(members, first));
        changed.remove(37);
        changed.add(new Member("member-100", partitionCounts.keySet(), Map.of()));
        changed.add(new Member("member-101", partitionCounts.keySet(), Map.of()));
        checkAll(changed, partitionCounts, UniformAssignor.assign(changed, partitionCounts));
    }

    /**
     * 100 members x 1000 partitions (20 topics of 50), each member on a random 2 to 10 topics,
     * starting from a previous target that gave everything to three members.
     */
    @Test
    void largeHeterogeneousGroupIsBalancedFromASkewedPreviousTarget() {
        Random random = new Random(848);
        Map<String, Integer> partitionCounts = new HashMap<>();
        for (int t = 0; t < 20; t++) {
            partitionCounts.put("topic-" + t, 50);
        }
        List<String> topics = new ArrayList<>(partitionCounts.keySet());
        List<Member> members = new ArrayList<>();
        for (int m = 0; m < 100; m++) {
            Set<String> subscribed = new HashSet<>();
            int wanted = 2 + random.nextInt(9);
            while (subscribed.size() < wanted) {
                subscribed.add(topics.get(random.nextInt(topics.size())));
            }
            Map<String, Set<Integer>> previous = new HashMap<>();
            if (m < 3) {
                for (String topic : subscribed) {
                    Set<Integer> all = new HashSet<>();
                    for (int p = 0; p < 50; p++) {
                        all.add(p);
                    }
                    previous.put(topic, all);
                }
            }
            members.add(new Member("member-" + m, subscribed, previous));
        }
        Map<String, Map<String, Set<Integer>>> result = UniformAssignor.assign(members, partitionCounts);
        checkAll(members, partitionCounts, result);
    }
}
