package io.brook.group;

import static io.brook.group.ShardHarness.assignment;
import static io.brook.group.ShardHarness.tp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.GroupDescription;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.group.internal.Member;
import io.brook.group.internal.Partitions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator's rules on a manual clock, one operation at a time, no threads. */
class GroupCoordinatorShardTest {
    private ShardHarness h;

    @BeforeEach
    void setUp() {
        h = new ShardHarness(ShardHarness.testConfig());
        h.topics.put("orders", 6);
    }

    @Test
    void aFirstMemberGetsEveryPartitionAtOnce() {
        ConsumerGroupHeartbeatResponse r = h.join("g", "a", List.of("orders"));
        assertEquals(ErrorCode.NONE, r.getErrorCode());
        assertEquals(1, r.getMemberEpoch());
        assertEquals(500, r.getHeartbeatIntervalMs());
        assertEquals(Map.of("orders", Set.of(0, 1, 2, 3, 4, 5)), assignment(r));
        assertEquals("Stable", h.shard.describe("g").getState());
    }

    @Test
    void aPartitionMovesOnlyAfterItsOwnerRevokedIt() {
        h.join("g", "a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        assertEquals(2, h.shard.describe("g").getGroupEpoch());
        // b's target is half the partitions, but a still owns them all: b gets none yet.
        assertTrue(assignment(b).isEmpty(), "b must not get partitions a still owns: " + assignment(b));
        SortedMap<String, SortedSet<Integer>> bTarget = h.shard.member("g", "b").target();
        assertEquals(3, Partitions.count(bTarget));

        // a is asked to revoke b's share; it keeps its epoch until it confirms.
        ConsumerGroupHeartbeatResponse a = h.heartbeat("g", "a", 1, null);
        assertEquals(1, a.getMemberEpoch());
        assertEquals(Partitions.minus(Map.of("orders", Set.of(0, 1, 2, 3, 4, 5)), bTarget), assignment(a));
        assertEquals("Reconciling", h.shard.describe("g").getState());

        // b asks again before a confirmed: still nothing.
        ConsumerGroupHeartbeatResponse b2 = h.heartbeat("g", "b", b.getMemberEpoch(), null);
        assertFalse(b2.getHasAssignment() && !assignment(b2).isEmpty());

        // a confirms: it moves to epoch 2; then b gets its share.
        ConsumerGroupHeartbeatResponse a2 = h.heartbeat("g", "a", 1, assignment(a));
        assertEquals(2, a2.getMemberEpoch());
        ConsumerGroupHeartbeatResponse b3 = h.heartbeat("g", "b", b2.getMemberEpoch(), null);
        assertEquals(2, b3.getMemberEpoch());
        assertEquals(bTarget, assignment(b3));
        assertEquals("Stable", h.shard.describe("g").getState());
    }

    @Test
    void aSilentMemberIsRemovedAfterItsSessionTimeoutAndItsPartitionsMove() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        a = h.heartbeat("g", "a", 1, null);
        a = h.heartbeat("g", "a", 1, assignment(a));
        b = h.heartbeat("g", "b", b.getMemberEpoch(), null);
        assertEquals(3, Partitions.count(assignment(b)));

        // a keeps heartbeating, b goes silent.
        for (int i = 0; i < 19; i++) {
            h.clock.advance(500);
            h.heartbeat("g", "a", a.getMemberEpoch(), null);
            assertTrue(h.poll().isEmpty(), "nobody expires before 10 s");
        }
        h.clock.advance(500);
        assertNotNull(h.shard.member("g", "b"));
        h.poll();
        assertNull(h.shard.member("g", "b"), "b's session (10 s) ran out");
        ConsumerGroupHeartbeatResponse a2 = h.heartbeat("g", "a", a.getMemberEpoch(), null);
        assertEquals(Map.of("orders", Set.of(0, 1, 2, 3, 4, 5)), assignment(a2));

        // The zombie can neither heartbeat nor commit.
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat("g", "b", b.getMemberEpoch(), null).getErrorCode());
        int logSize = h.log.size();
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.commit("g", "b", b.getMemberEpoch(), "orders", 0, 10).getErrorCode());
        assertEquals(logSize, h.log.size(), "a refused commit writes nothing");
    }

    @Test
    void commitsFromAStaleOrNewerEpochAreFencedAndWriteNothing() {
        h.join("g", "a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        ConsumerGroupHeartbeatResponse a = h.heartbeat("g", "a", 1, null);
        // a is revoking at epoch 1: it may still commit at epoch 1.
        assertEquals(ErrorCode.NONE, h.commit("g", "a", 1, "orders", 0, 5).getErrorCode());
        SortedMap<String, SortedSet<Integer>> kept = assignment(a);
        int given = Partitions.minus(Map.of("orders", Set.of(0, 1, 2, 3, 4, 5)), kept).get("orders").first();
        int held = kept.get("orders").first();
        assertEquals(ErrorCode.NONE, h.commit("g", "a", 1, "orders", given, 5).getErrorCode());
        a = h.heartbeat("g", "a", 1, kept);
        assertEquals(2, a.getMemberEpoch());
        int logSize = h.log.size();
        // Epoch 1 is behind now: refused for a partition a gave up (b may own it) ...
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, h.commit("g", "a", 1, "orders", given, 3).getErrorCode());
        assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, h.commit("g", "a", 3, "orders", held, 3).getErrorCode());
        assertEquals(logSize, h.log.size());
        assertEquals(5, offset("g", "orders", given));
        // ... but accepted for one it still owns (sent before the answer with epoch 2 arrived).
        assertEquals(ErrorCode.NONE, h.commit("g", "a", 1, "orders", held, 4).getErrorCode());
        assertEquals(ErrorCode.NONE, h.commit("g", "a", 2, "orders", held, 8).getErrorCode());
        assertEquals(8, offset("g", "orders", held));
        // Two epochs behind is refused even for owned partitions.
        h.topics.put("orders", 7);
        h.poll();
        h.heartbeat("g", "a", 2, null);
        assertEquals(3, h.shard.member("g", "a").memberEpoch());
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, h.commit("g", "a", 1, "orders", held, 9).getErrorCode());
        assertEquals(ErrorCode.NONE, b.getErrorCode());
    }

    @Test
    void aHeartbeatWithANewerEpochIsFencedAndOneWithTheEpochBeforeIsAcceptedOnce() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a", List.of("orders"));
        assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, h.heartbeat("g", "a", a.getMemberEpoch() + 1, null).getErrorCode());
        h.join("g", "b", List.of("orders"));
        h.topics.put("orders", 8);
        h.poll(); // epoch 3: more partitions
        // a reaches epoch 3 (it only gains), but suppose the answer was lost: epoch 1 is still accepted.
        ConsumerGroupHeartbeatResponse lost = h.heartbeat("g", "a", 1, null);
        lost = h.heartbeat("g", "a", 1, assignment(lost));
        int epoch = lost.getMemberEpoch();
        assertEquals(3, epoch);
        ConsumerGroupHeartbeatResponse again = h.heartbeat("g", "a", 1, null);
        assertEquals(ErrorCode.NONE, again.getErrorCode(), again.getErrorMessage());
        assertEquals(epoch, again.getMemberEpoch());
        // Owning more than it is assigned with the old epoch is not accepted.
        assertEquals(ErrorCode.FENCED_MEMBER_EPOCH,
                h.heartbeat("g", "a", 1, Map.of("orders", Set.of(0, 1, 2, 3, 4, 5, 6, 7))).getErrorCode());
    }

    @Test
    void aStaticMemberThatLeavesForNowGetsItsPartitionsBackWithoutARebalance() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a1", "instance-a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        a = h.heartbeat("g", "a1", 1, null);
        a = h.heartbeat("g", "a1", 1, assignment(a));
        b = h.heartbeat("g", "b", b.getMemberEpoch(), null);
        SortedMap<String, SortedSet<Integer>> aOwned = h.shard.member("g", "a1").assigned();
        assertEquals(3, Partitions.count(aOwned));
        int groupEpoch = h.shard.describe("g").getGroupEpoch();

        ConsumerGroupHeartbeatResponse left = h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("g").setMemberId("a1").setMemberEpoch(-2).setInstanceId("instance-a").build(), "h", h.now()));
        assertEquals(-2, left.getMemberEpoch());
        h.clock.advance(3_000);
        h.poll();
        // Its partitions stay its own: b is not given them.
        ConsumerGroupHeartbeatResponse b2 = h.heartbeat("g", "b", b.getMemberEpoch(), null);
        assertFalse(b2.getHasAssignment(), "b's assignment must not change");

        // The restarted process (a new member id, the same instance id) takes over at once.
        ConsumerGroupHeartbeatResponse a2 = h.join("g", "a2", "instance-a", List.of("orders"));
        assertEquals(aOwned, assignment(a2));
        assertEquals(a.getMemberEpoch(), a2.getMemberEpoch());
        assertEquals(groupEpoch, h.shard.describe("g").getGroupEpoch(), "no rebalance");
        assertNull(h.shard.member("g", "a1"));
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, h.heartbeat("g", "a1", a.getMemberEpoch(), null).getErrorCode());
    }

    @Test
    void aStaticMemberKilledWithoutLeavingIsReplacedByItsNextIncarnation() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a1", "instance-a", List.of("orders"));
        h.clock.advance(2_000);
        ConsumerGroupHeartbeatResponse a2 = h.join("g", "a2", "instance-a", List.of("orders"));
        assertEquals(assignment(a), assignment(a2));
        assertEquals(1, h.shard.describe("g").getGroupEpoch());
        assertEquals(Set.of("a2"), h.shard.members("g").keySet());
    }

    @Test
    void aStaticMemberThatDoesNotComeBackWithinItsSessionLosesItsPartitions() {
        h.join("g", "a1", "instance-a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder().setGroupId("g").setMemberId("a1")
                .setMemberEpoch(-2).setInstanceId("instance-a").build(), "h", h.now()));
        for (int i = 0; i < 21; i++) {
            h.clock.advance(500);
            b = h.heartbeat("g", "b", b.getMemberEpoch(), null);
            h.poll();
        }
        assertNull(h.shard.member("g", "a1"));
        b = h.heartbeat("g", "b", b.getMemberEpoch(), null);
        assertEquals(6, Partitions.count(h.shard.member("g", "b").assigned()));
    }

    @Test
    void aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsRemoved() {
        h.join("g", "a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        h.heartbeat("g", "a", 1, null); // asked to revoke; it never confirms but keeps heartbeating
        for (int i = 0; i < 59; i++) {
            h.clock.advance(500);
            h.heartbeat("g", "a", 1, null);
            b = h.heartbeat("g", "b", b.getMemberEpoch(), null);
            h.poll();
            assertNotNull(h.shard.member("g", "a"));
        }
        h.clock.advance(500);
        h.heartbeat("g", "b", b.getMemberEpoch(), null);
        h.poll();
        assertNull(h.shard.member("g", "a"), "30 s (max.poll.interval.ms) without revoking");
    }

    @Test
    void aLeavingMemberIsRemovedAtOnceAndALeaveRepeatedIsHarmless() {
        h.join("g", "a", List.of("orders"));
        ConsumerGroupHeartbeatRequest leave = ConsumerGroupHeartbeatRequest.newBuilder().setGroupId("g")
                .setMemberId("a").setMemberEpoch(-1).build();
        assertEquals(-1, h.apply(h.shard.heartbeat(leave, "h", h.now())).getMemberEpoch());
        assertEquals("Empty", h.shard.describe("g").getState());
        assertEquals(ErrorCode.NONE, h.apply(h.shard.heartbeat(leave, "h", h.now())).getErrorCode());
    }

    @Test
    void newPartitionsAndTopicsMatchingASubscriptionArePickedUp() {
        ConsumerGroupHeartbeatResponse a = h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("g").setMemberId("a").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscriptionChanged(true).setSubscribedTopicRegex("ord.*").build(), "h", h.now()));
        assertEquals(6, Partitions.count(assignment(a)));
        h.topics.put("orders", 8);
        h.topics.put("ordinals", 2);
        h.topics.put("other", 3);
        assertFalse(h.poll().isEmpty());
        ConsumerGroupHeartbeatResponse a2 = h.heartbeat("g", "a", a.getMemberEpoch(), null);
        assertEquals(Map.of("orders", Set.of(0, 1, 2, 3, 4, 5, 6, 7), "ordinals", Set.of(0, 1)), assignment(a2));
        assertTrue(h.poll().isEmpty(), "nothing changed since");
    }

    @Test
    void aCoordinatorFailoverRebuildsTheSameStateFromThePartition() {
        h.join("g", "a", List.of("orders"));
        ConsumerGroupHeartbeatResponse b = h.join("g", "b", List.of("orders"));
        ConsumerGroupHeartbeatResponse a = h.heartbeat("g", "a", 1, null);
        h.commit("g", "a", 1, "orders", 1, 42);
        h.join("h", "x", List.of("orders"));
        h.commit("", "", -1, "orders", 0, 0); // refused: no records
        GroupDescription g = h.shard.describe("g");
        GroupDescription hh = h.shard.describe("h");

        h.failover();
        assertEquals(g, h.shard.describe("g"));
        assertEquals(hh, h.shard.describe("h"));
        assertEquals(42, offset("g", "orders", 1));
        // The members carry on where they were: a confirms its revocation, b gets its share.
        ConsumerGroupHeartbeatResponse a2 = h.heartbeat("g", "a", 1, assignment(a));
        assertEquals(2, a2.getMemberEpoch());
        ConsumerGroupHeartbeatResponse b2 = h.heartbeat("g", "b", b.getMemberEpoch(), null);
        assertEquals(3, Partitions.count(assignment(b2)));
        // Sessions start afresh at the load: nobody expired for the time the old coordinator had.
        h.clock.advance(9_999);
        h.poll();
        assertEquals(2, h.shard.members("g").size());
    }

    @Test
    void offsetsCommittedOutsideTheGroupOnlyWhileItIsEmpty() {
        assertEquals(ErrorCode.NONE, h.commit("tool", "", -1, "orders", 0, 7).getErrorCode());
        assertEquals("Empty", h.shard.describe("tool").getState());
        assertEquals(7, offset("tool", "orders", 0));
        ConsumerGroupHeartbeatResponse a = h.join("tool", "a", List.of("orders"));
        assertEquals(ErrorCode.NON_EMPTY_GROUP, h.commit("tool", "", -1, "orders", 0, 0).getErrorCode());
        assertEquals(7, offset("tool", "orders", 0));
        assertEquals(ErrorCode.NONE, a.getErrorCode());
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterTheRetentionAndThenTheGroupGoes() {
        ShardHarness fast = new ShardHarness(new GroupConfig(50, (short) 3, 60_000, 1_000, 4096, 10_000, 1_000, 60_000,
                500, Integer.MAX_VALUE));
        fast.topics.put("orders", 2);
        ConsumerGroupHeartbeatResponse a = fast.join("g", "a", List.of("orders"));
        fast.commit("g", "a", a.getMemberEpoch(), "orders", 0, 3);
        fast.clock.advance(30_000);
        fast.commit("g", "a", a.getMemberEpoch(), "orders", 1, 4);
        fast.clock.advance(120_000);
        fast.poll(); // a's session ran out: the group is empty from now
        assertEquals(Set.of("g"), fast.shard.groupIds());
        fast.clock.advance(59_000);
        fast.poll();
        assertEquals(Set.of("g"), fast.shard.groupIds(), "empty for 59 s only");
        fast.clock.advance(1_000);
        fast.poll();
        assertEquals(Set.of(), fast.shard.groupIds());
    }

    @Test
    void onlyAGroupWithoutMembersCanBeDeleted() {
        h.join("g", "a", List.of("orders"));
        h.commit("g", "a", 1, "orders", 0, 1);
        assertEquals(ErrorCode.NON_EMPTY_GROUP, h.apply(h.shard.deleteGroup("g")).getErrorCode());
        h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder().setGroupId("g").setMemberId("a")
                .setMemberEpoch(-1).build(), "h", h.now()));
        assertEquals(ErrorCode.NONE, h.apply(h.shard.deleteGroup("g")).getErrorCode());
        assertEquals("Dead", h.shard.describe("g").getState());
        assertEquals(-1, offset("g", "orders", 0));
        assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, h.apply(h.shard.deleteGroup("g")).getErrorCode());
        h.failover();
        assertEquals(Set.of(), h.shard.groupIds(), "the tombstones delete it for the next coordinator too");
    }

    @Test
    void badRequestsGetSpecificErrors() {
        assertEquals(ErrorCode.INVALID_GROUP_ID, h.join("", "a", List.of("orders")).getErrorCode());
        assertEquals(ErrorCode.INVALID_REQUEST, h.join("g", "a", List.of()).getErrorCode());
        ConsumerGroupHeartbeatResponse tooShort = h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("g").setMemberEpoch(0).setRebalanceTimeoutMs(1000).setSessionTimeoutMs(10)
                .setSubscriptionChanged(true).addSubscribedTopicNames("orders").build(), "h", h.now()));
        assertEquals(ErrorCode.INVALID_SESSION_TIMEOUT, tooShort.getErrorCode());
        assertTrue(tooShort.getErrorMessage().contains("group.consumer.min/max.session.timeout.ms"));
        ConsumerGroupHeartbeatResponse badRegex = h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("g").setMemberEpoch(0).setRebalanceTimeoutMs(1000).setSubscriptionChanged(true)
                .setSubscribedTopicRegex("(").build(), "h", h.now()));
        assertEquals(ErrorCode.INVALID_REQUEST, badRegex.getErrorCode());
        assertTrue(h.log.isEmpty(), "nothing written for refused requests");
        ConsumerGroupHeartbeatResponse generated = h.join("g", "", List.of("orders"));
        assertFalse(generated.getMemberId().isEmpty(), "the coordinator chooses an id when none is sent");
        Member m = h.shard.member("g", generated.getMemberId());
        assertEquals(10_000, m.sessionTimeoutMs());
    }

    @Test
    void aLostAnswerIsRepeatedTheRevocationAndTheNewPartitionsAreSentAgain() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a", List.of("orders"));
        h.join("g", "b", List.of("orders"));
        ConsumerGroupHeartbeatResponse lost = h.heartbeat("g", "a", 1, null); // asks a to revoke; lost
        assertTrue(lost.getHasAssignment());
        ConsumerGroupHeartbeatResponse retry = h.heartbeat("g", "a", 1, null);
        assertTrue(retry.getHasAssignment(), "a revoking member is told what it keeps at every heartbeat");
        assertEquals(assignment(lost), assignment(retry));

        // New partitions given in an answer that is lost: the retry with the old epoch gets them.
        ConsumerGroupHeartbeatResponse done = h.heartbeat("g", "a", 1, assignment(retry));
        int epoch = done.getMemberEpoch();
        h.topics.put("orders", 8);
        h.poll();
        ConsumerGroupHeartbeatResponse gained = h.heartbeat("g", "a", epoch, null);
        assertTrue(gained.getMemberEpoch() > epoch);
        ConsumerGroupHeartbeatResponse again = h.heartbeat("g", "a", epoch, null);
        assertTrue(again.getHasAssignment(), "an answer that moved the epoch is repeated to a member still on the old one");
        assertEquals(assignment(gained), assignment(again));
        assertEquals(ErrorCode.NONE, a.getErrorCode());
    }

    @Test
    void theOldIncarnationOfAStaticMemberIsFencedNotAskedToRejoin() {
        ConsumerGroupHeartbeatResponse a1 = h.join("g", "a1", "instance-a", List.of("orders"));
        h.join("g", "a2", "instance-a", List.of("orders"));
        ConsumerGroupHeartbeatResponse old = h.apply(h.shard.heartbeat(ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId("g").setMemberId("a1").setMemberEpoch(a1.getMemberEpoch()).setInstanceId("instance-a")
                .build(), "h", h.now()));
        assertEquals(ErrorCode.FENCED_INSTANCE_ID, old.getErrorCode());
        assertEquals(Set.of("a2"), h.shard.members("g").keySet());
    }

    @Test
    void aCommitWithEpochZeroIsNeverAMembersCommit() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a", List.of("orders"));
        assertEquals(1, a.getMemberEpoch());
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, h.commit("g", "a", 0, "orders", 0, 1).getErrorCode());
    }

    @Test
    void expiringManyOffsetsIsWrittenInBatchesThatFit() {
        ShardHarness fast = new ShardHarness(new GroupConfig(50, (short) 3, 60_000, 1_000, 4096, 10_000, 1_000, 60_000,
                500, Integer.MAX_VALUE));
        io.brook.api.v1.OffsetCommitTopic.Builder topic = io.brook.api.v1.OffsetCommitTopic.newBuilder().setTopic("t");
        int count = GroupCoordinatorShard.MAX_RECORDS_PER_POLL + 500;
        for (int p = 0; p < count; p++) {
            topic.addPartitions(io.brook.api.v1.OffsetCommitPartition.newBuilder().setPartition(p).setOffset(1));
        }
        fast.apply(fast.shard.commitOffsets(io.brook.api.v1.OffsetCommitRequest.newBuilder().setGroupId("big")
                .setMemberEpoch(-1).addTopics(topic).build(), fast.now()));
        fast.clock.advance(61_000);
        assertEquals(GroupCoordinatorShard.MAX_RECORDS_PER_POLL, fast.poll().size());
        assertEquals(Set.of("big"), fast.shard.groupIds());
        assertEquals(501, fast.poll().size(), "the other 500 and the group's tombstone");
        assertEquals(Set.of(), fast.shard.groupIds());
    }

    @Test
    void aReadBarrierChangesNothingLiveOrOnReload() {
        ConsumerGroupHeartbeatResponse a = h.join("g", "a", List.of("orders"));
        h.apply(h.shard.commitOffsets(io.brook.api.v1.OffsetCommitRequest.newBuilder().setGroupId("g")
                .setMemberId("a").setMemberEpoch(a.getMemberEpoch()).addTopics(io.brook.api.v1.OffsetCommitTopic
                        .newBuilder().setTopic("orders").addPartitions(io.brook.api.v1.OffsetCommitPartition
                                .newBuilder().setPartition(2).setOffset(17).setLeaderEpoch(3))).build(), h.now()));
        String before = h.shard.describe("g").toString();
        h.write(List.of(GroupRecord.readBarrier(), GroupRecord.readBarrier()));
        assertEquals(before, h.shard.describe("g").toString());
        assertEquals(17, offset("g", "orders", 2));
        assertEquals(Set.of("g"), h.shard.groupIds());
        h.failover();
        assertEquals(before, h.shard.describe("g").toString(), "a coordinator that loads the log with the barriers");
        assertEquals(17, offset("g", "orders", 2));
        assertEquals(Set.of("g"), h.shard.groupIds());
    }

    private long offset(String group, String topic, int partition) {
        return h.shard.fetchOffsets(OffsetFetchRequest.newBuilder().setGroupId(group)
                .addTopics(io.brook.api.v1.TopicPartitions.newBuilder().setTopic(topic).addPartitions(partition)).build())
                .getOffsets(0).getOffset();
    }

    @SuppressWarnings("unused")
    private static Map<String, Set<Integer>> owned(String topic, Integer... partitions) {
        return tp(topic, partitions);
    }
}
