package io.brook.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.group.internal.Member;
import io.brook.group.internal.Partitions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Many members' histories against one coordinator shard, on a manual clock: members join, heartbeat,
 * revoke slowly or at once, change subscriptions, leave, leave for now (static), die silently and
 * come back; topics grow; the clock jumps past sessions; the coordinator fails over (a fresh shard
 * replays the partition). After every step:
 * <ul>
 *   <li>no partition is held (owned or still being given up) by two members on the coordinator;
 *   <li>no partition is owned by two consumers that are both still members (what each consumer
 *       believes it owns, from the answers it got) — the incremental handover never lets a partition
 *       have two owners;
 *   <li>each subscribed partition has exactly one target owner, who subscribes to its topic;
 *   <li>a failover rebuilds exactly the state the old coordinator had.
 * </ul>
 * At the end, with faults stopped and every live consumer heartbeating and revoking promptly, the
 * group becomes Stable with every subscribed partition owned by exactly one consumer, as its target
 * says. A failing seed is printed by QuickTheories and replays exactly.
 */
class GroupMembershipSimulationTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60);
    private static final String GROUP = "g";

    /** A consumer as it sees itself. */
    private static final class Client {
        final String instanceId;
        String memberId;
        int epoch; // -100: not a member (never joined, left, or fenced)
        boolean alive = true;
        List<String> subscription;
        boolean subscriptionDirty = true;
        SortedMap<String, SortedSet<Integer>> owned = Partitions.EMPTY;
        /** Owned partitions it was told to give up and has not yet. */
        SortedMap<String, SortedSet<Integer>> revoking = Partitions.EMPTY;
        boolean ownedDirty = true;

        Client(String memberId, String instanceId, List<String> subscription) {
            this.memberId = memberId;
            this.instanceId = instanceId;
            this.subscription = subscription;
            this.epoch = -100;
        }

        boolean member() {
            return epoch >= 0;
        }
    }

    @Test
    void noPartitionEverHasTwoOwnersAndTheGroupConverges() {
        qt().withExamples(EXAMPLES).forAll(integers().all()).checkAssert(GroupMembershipSimulationTest::simulate);
    }

    static void simulate(int seed) {
        Random random = new Random(seed);
        ShardHarness h = new ShardHarness(ShardHarness.testConfig());
        h.topics.put("a", 1 + random.nextInt(6));
        h.topics.put("b", 1 + random.nextInt(5));
        List<List<String>> subscriptions = List.of(List.of("a"), List.of("b"), List.of("a", "b"));
        List<Client> clients = new ArrayList<>();
        int steps = 40 + random.nextInt(80);
        for (int step = 0; step < steps; step++) {
            int action = random.nextInt(100);
            List<Client> alive = clients.stream().filter(c -> c.alive).toList();
            if (action < 10 || alive.isEmpty()) {
                String instance = random.nextInt(3) == 0 ? "static-" + clients.size() : "";
                Client c = new Client("m" + clients.size(), instance,
                        subscriptions.get(random.nextInt(subscriptions.size())));
                clients.add(c);
                heartbeat(h, c, random);
            } else if (action < 65) {
                heartbeat(h, alive.get(random.nextInt(alive.size())), random);
            } else if (action < 70) {
                Client c = alive.get(random.nextInt(alive.size()));
                c.subscription = subscriptions.get(random.nextInt(subscriptions.size()));
                c.subscriptionDirty = true;
                heartbeat(h, c, random);
            } else if (action < 74) {
                Client c = alive.get(random.nextInt(alive.size()));
                leave(h, c, c.instanceId.isEmpty() || random.nextBoolean() ? -1 : -2);
            } else if (action < 77) {
                // Dies silently; a static one may come back as a new process (new member id).
                Client c = alive.get(random.nextInt(alive.size()));
                c.alive = false;
                if (!c.instanceId.isEmpty() && random.nextBoolean()) {
                    Client next = new Client(c.memberId + "'", c.instanceId, c.subscription);
                    clients.add(next);
                    heartbeat(h, next, random);
                }
            } else if (action < 87) {
                h.clock.advance(random.nextInt(4_000));
                h.poll();
            } else if (action < 90) {
                String topic = random.nextBoolean() ? "a" : "b";
                h.topics.put(topic, h.topics.get(topic) + 1 + random.nextInt(2));
                h.poll();
            } else if (action < 93) {
                var before = h.shard.describe(GROUP);
                h.failover();
                assertEquals(before, h.shard.describe(GROUP), "a failover must rebuild the same group");
            } else {
                // A consumer that left or was fenced and is alive joins again.
                for (Client c : alive) {
                    if (!c.member()) {
                        heartbeat(h, c, random);
                        break;
                    }
                }
            }
            checkInvariants(h, clients, seed, step);
        }
        // Quiesce: no more faults; every live consumer heartbeats and revokes promptly.
        for (int round = 0; round < 12; round++) {
            for (Client c : clients) {
                if (c.alive) {
                    heartbeat(h, c, null);
                }
            }
            h.clock.advance(500);
            h.poll();
            checkInvariants(h, clients, seed, steps + round);
        }
        // Dead members' sessions run out.
        h.clock.advance(11_000);
        for (Client c : clients) {
            if (c.alive) {
                heartbeat(h, c, null);
            }
        }
        h.poll();
        for (int round = 0; round < 8; round++) {
            for (Client c : clients) {
                if (c.alive) {
                    heartbeat(h, c, null);
                }
            }
            checkInvariants(h, clients, seed, steps + 100 + round);
        }
        Map<String, Member> members = h.shard.members(GROUP);
        if (members.isEmpty()) {
            return;
        }
        assertEquals("Stable", h.shard.describe(GROUP).getState(), "seed " + seed + ": " + members);
        Set<String> subscribed = new TreeSet<>();
        members.values().forEach(m -> subscribed.addAll(m.subscribedTopics(h.topics.keySet())));
        Map<String, Integer> ownersOf = new HashMap<>();
        for (Client c : clients) {
            if (c.alive && c.member()) {
                assertEquals(members.get(c.memberId).assigned(), c.owned, "seed " + seed + ": " + c.memberId);
                c.owned.forEach((t, ps) -> ps.forEach(p -> ownersOf.merge(t + "-" + p, 1, Integer::sum)));
            }
        }
        for (String topic : subscribed) {
            for (int p = 0; p < h.topics.get(topic); p++) {
                assertEquals(1, ownersOf.getOrDefault(topic + "-" + p, 0), "seed " + seed + ": " + topic + "-" + p
                        + " must have exactly one owner at the end");
            }
        }
    }

    /**
     * One heartbeat as a consumer sends it: it first gives up (or, with {@code random}, maybe not yet)
     * what it was told to revoke, reporting its owned partitions when they changed.
     */
    private static void heartbeat(ShardHarness h, Client c, Random random) {
        if (!c.revoking.isEmpty() && (random == null || random.nextInt(3) > 0)) {
            c.owned = Partitions.minus(c.owned, c.revoking);
            c.revoking = Partitions.EMPTY;
            c.ownedDirty = true;
        }
        boolean joining = !c.member();
        ConsumerGroupHeartbeatRequest.Builder request = ConsumerGroupHeartbeatRequest.newBuilder().setGroupId(GROUP)
                .setMemberId(c.memberId).setMemberEpoch(joining ? 0 : c.epoch).setInstanceId(c.instanceId);
        if (joining) {
            c.owned = Partitions.EMPTY;
            c.revoking = Partitions.EMPTY;
            request.setRebalanceTimeoutMs(30_000);
        }
        if (joining || c.subscriptionDirty) {
            request.setSubscriptionChanged(true).addAllSubscribedTopicNames(c.subscription);
            c.subscriptionDirty = false;
        }
        if (joining || c.ownedDirty) {
            request.setOwnedChanged(true).addAllOwnedPartitions(Partitions.toProto(c.owned));
            c.ownedDirty = false;
        }
        ConsumerGroupHeartbeatResponse r = h.apply(h.shard.heartbeat(request.build(), "host", h.now()));
        if (r.getErrorCode() == ErrorCode.UNKNOWN_MEMBER_ID || r.getErrorCode() == ErrorCode.FENCED_MEMBER_EPOCH) {
            // Lost its partitions: drops them without committing, rejoins later.
            c.epoch = -100;
            c.owned = Partitions.EMPTY;
            c.revoking = Partitions.EMPTY;
            return;
        }
        if (r.getErrorCode() != ErrorCode.NONE) {
            fail("unexpected " + r.getErrorCode() + ": " + r.getErrorMessage());
        }
        c.epoch = r.getMemberEpoch();
        if (r.getHasAssignment()) {
            SortedMap<String, SortedSet<Integer>> assignment = Partitions.fromProto(r.getAssignmentList());
            // New partitions are its own at once; missing ones are to be given up (maybe later).
            c.revoking = Partitions.union(c.revoking, Partitions.minus(c.owned, assignment));
            SortedMap<String, SortedSet<Integer>> added = Partitions.minus(assignment, c.owned);
            if (!added.isEmpty()) {
                c.owned = Partitions.union(c.owned, added);
                c.ownedDirty = true;
            }
            c.revoking = Partitions.intersect(c.revoking, c.owned);
        }
    }

    private static void leave(ShardHarness h, Client c, int epoch) {
        if (!c.member()) {
            return;
        }
        h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder().setGroupId(GROUP).setMemberId(c.memberId)
                .setMemberEpoch(epoch).setInstanceId(c.instanceId).build(), "host", h.now()));
        // A leaving consumer stops consuming at once.
        c.owned = Partitions.EMPTY;
        c.revoking = Partitions.EMPTY;
        c.epoch = -100;
        c.alive = epoch == -2 ? false : c.alive;
    }

    private static void checkInvariants(ShardHarness h, List<Client> clients, int seed, int step) {
        Map<String, Member> members = h.shard.members(GROUP);
        Map<String, String> holder = new TreeMap<>();
        for (Member m : members.values()) {
            Partitions.union(m.assigned(), m.pendingRevocation()).forEach((t, ps) -> ps.forEach(p -> {
                String previous = holder.put(t + "-" + p, m.memberId());
                if (previous != null) {
                    fail("seed " + seed + " step " + step + ": " + t + "-" + p + " held by " + previous + " and "
                            + m.memberId());
                }
            }));
        }
        Map<String, String> owner = new TreeMap<>();
        for (Client c : clients) {
            if (!c.alive || !c.member() || !members.containsKey(c.memberId)) {
                continue; // a zombie's view does not count: its commits are fenced
            }
            c.owned.forEach((t, ps) -> ps.forEach(p -> {
                String previous = owner.put(t + "-" + p, c.memberId);
                if (previous != null) {
                    fail("seed " + seed + " step " + step + ": consumers " + previous + " and " + c.memberId
                            + " both own " + t + "-" + p);
                }
            }));
        }
        Map<String, String> targetOwner = new TreeMap<>();
        Set<String> subscribed = new TreeSet<>();
        for (Member m : members.values()) {
            Set<String> topics = m.subscribedTopics(h.topics.keySet());
            subscribed.addAll(topics);
            m.target().forEach((t, ps) -> {
                assertTrue(topics.contains(t), "seed " + seed + ": " + m.memberId() + " is given " + t);
                ps.forEach(p -> assertEquals(null, targetOwner.put(t + "-" + p, m.memberId()),
                        "seed " + seed + ": " + t + "-" + p + " has two targets"));
            });
        }
        if (!members.isEmpty()) {
            for (String topic : subscribed) {
                for (int p = 0; p < h.topics.get(topic); p++) {
                    assertTrue(targetOwner.containsKey(topic + "-" + p) || h.shard.describe(GROUP).getState()
                            .equals("Assigning"), "seed " + seed + " step " + step + ": " + topic + "-" + p
                            + " has no target owner");
                }
            }
        }
    }
}
