package io.brook.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.TopicPartitions;
import io.brook.client.BrookException;
import io.brook.client.NetworkException;
import io.brook.client.TopicPartition;
import io.brook.client.internal.GroupMembership.Reconciliation;
import io.brook.client.internal.GroupMembership.State;
import io.brook.client.internal.GroupMembership.Subscription;
import io.brook.common.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The membership state machine alone, on a manual clock: what each heartbeat carries and when it
 * is due, and what each answer changes. Backoff is 100 ms doubling to 1 s with the jitter fixed at
 * 1.0, so retry times are exact.
 */
class GroupMembershipTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition T1 = new TopicPartition("t", 1);
    private static final TopicPartition T2 = new TopicPartition("t", 2);
    /** nextDouble() == 0.5: Backoff's jitter factor is exactly 1. */
    private static final RandomGenerator NO_JITTER = () -> Long.MIN_VALUE;

    private final ManualClock clock = new ManualClock();

    private static GroupMembership membership(String instanceId) {
        return new GroupMembership(new GroupMembership.Settings("g", instanceId, "client-1", 45_000, 300_000),
                "member-1", new Backoff(100, 1000, NO_JITTER));
    }

    private long now() {
        return clock.monotonicMilliseconds();
    }

    private static ConsumerGroupHeartbeatResponse answer(int epoch, int intervalMs, TopicPartition... assignment) {
        ConsumerGroupHeartbeatResponse.Builder answer = ConsumerGroupHeartbeatResponse.newBuilder()
                .setErrorCode(ErrorCode.NONE).setMemberId("member-1").setMemberEpoch(epoch)
                .setHeartbeatIntervalMs(intervalMs);
        if (assignment.length > 0) {
            answer.setHasAssignment(true).addAllAssignment(GroupMembership.byTopic(List.of(assignment)));
        }
        return answer.build();
    }

    private static ConsumerGroupHeartbeatResponse emptyAssignment(int epoch, int intervalMs) {
        return answer(epoch, intervalMs).toBuilder().setHasAssignment(true).build();
    }

    private static ConsumerGroupHeartbeatResponse error(ErrorCode code) {
        return ConsumerGroupHeartbeatResponse.newBuilder().setErrorCode(code).setErrorMessage("scripted").build();
    }

    private static List<TopicPartition> owned(ConsumerGroupHeartbeatRequest request) {
        List<TopicPartition> owned = new ArrayList<>();
        for (TopicPartitions topic : request.getOwnedPartitionsList()) {
            topic.getPartitionsList().forEach(p -> owned.add(new TopicPartition(topic.getTopic(), p)));
        }
        return owned;
    }

    /** Joins and applies an assignment of {@code partitions} at epoch 1 (interval 3 s). */
    private GroupMembership joinedWith(GroupMembership membership, TopicPartition... partitions) {
        membership.subscribe(Subscription.ofTopics(List.of("t")), now());
        assertNotNull(membership.heartbeatToSend(now()));
        membership.onHeartbeatResponse(answer(1, 3000, partitions), now());
        Reconciliation reconciliation = membership.reconciliation();
        membership.reconciled(reconciliation.version(), Set.of(partitions), now());
        ConsumerGroupHeartbeatRequest report = membership.heartbeatToSend(now());
        if (report != null) {
            membership.onHeartbeatResponse(answer(1, 3000), now());
        }
        assertEquals(State.STABLE, membership.state());
        return membership;
    }

    @Test
    void afterAFailedHeartbeatTheNextOneCarriesTheSubscriptionAndTheOwnedPartitions() {
        GroupMembership membership = joinedWith(membership(null), T0, T1);
        clock.advance(3000);
        ConsumerGroupHeartbeatRequest plain = membership.heartbeatToSend(now());
        assertFalse(plain.getOwnedChanged(), "a periodic heartbeat carries only what changed");
        // Its answer is lost (the coordinator may have acted on it: a revocation, new partitions).
        membership.onHeartbeatFailure(new io.brook.client.NetworkException("lost", true, null), now());
        clock.advance(1000);
        ConsumerGroupHeartbeatRequest full = membership.heartbeatToSend(now());
        assertTrue(full.getOwnedChanged() && full.getSubscriptionChanged(), full.toString());
        assertEquals(List.of(T0, T1), owned(full));
    }

    @Test
    void aReconciliationThatChangesNothingIsStillReported() {
        GroupMembership membership = joinedWith(membership(null), T0);
        clock.advance(3000);
        membership.heartbeatToSend(now());
        membership.onHeartbeatResponse(answer(2, 3000, T0, T1), now()); // given T1 ...
        clock.advance(3000);
        membership.heartbeatToSend(now());
        membership.onHeartbeatResponse(answer(2, 3000, T0), now()); // ... and asked to give it back before taking it
        Reconciliation reconciliation = membership.reconciliation();
        assertEquals(Set.of(), reconciliation.revoked());
        membership.reconciled(reconciliation.version(), Set.of(T0), now());
        ConsumerGroupHeartbeatRequest report = membership.heartbeatToSend(now());
        assertNotNull(report, "reported at once: the coordinator waits for it to confirm it does not hold T1");
        assertTrue(report.getOwnedChanged());
        assertEquals(List.of(T0), owned(report));
    }

    @Test
    void joinSendsEpochZeroTheSubscriptionBothTimeoutsTheInstanceAndClientIdsAndNothingOwned() {
        GroupMembership membership = membership("instance-a");
        assertNull(membership.heartbeatToSend(now()), "nothing to send before subscribe");
        membership.subscribe(Subscription.ofTopics(List.of("b", "a", "b")), now());
        ConsumerGroupHeartbeatRequest join = membership.heartbeatToSend(now());
        assertEquals("g", join.getGroupId());
        assertEquals("member-1", join.getMemberId());
        assertEquals(0, join.getMemberEpoch());
        assertEquals("instance-a", join.getInstanceId());
        assertEquals("client-1", join.getClientId());
        assertEquals(45_000, join.getSessionTimeoutMs());
        assertEquals(300_000, join.getRebalanceTimeoutMs());
        assertTrue(join.getSubscriptionChanged());
        assertEquals(List.of("a", "b"), join.getSubscribedTopicNamesList());
        assertEquals("", join.getSubscribedTopicRegex());
        assertTrue(join.getOwnedChanged());
        assertEquals(List.of(), join.getOwnedPartitionsList());
        assertNull(membership.heartbeatToSend(now()), "one heartbeat in flight at a time");
    }

    @Test
    void aPatternSubscriptionIsSentAsTheRegex() {
        GroupMembership membership = membership(null);
        membership.subscribe(Subscription.ofPattern("orders-.*"), now());
        ConsumerGroupHeartbeatRequest join = membership.heartbeatToSend(now());
        assertEquals("orders-.*", join.getSubscribedTopicRegex());
        assertEquals(List.of(), join.getSubscribedTopicNamesList());
        assertEquals("", join.getInstanceId(), "a dynamic member");
    }

    @Test
    void heartbeatsFollowTheIntervalOfTheLatestAnswerAndLaterOnesCarryOnlyWhatChanged() {
        GroupMembership membership = membership(null);
        membership.subscribe(Subscription.ofTopics(List.of("t")), now());
        membership.heartbeatToSend(now());
        membership.onHeartbeatResponse(emptyAssignment(1, 3000), now());
        membership.reconciled(membership.reconciliation().version(), Set.of(), now());
        assertEquals(3000, membership.msUntilNextAction(now()));
        clock.advance(2999);
        assertNull(membership.heartbeatToSend(now()), "not due before the interval the answer named");
        clock.advance(1);
        ConsumerGroupHeartbeatRequest second = membership.heartbeatToSend(now());
        assertEquals(1, second.getMemberEpoch());
        assertFalse(second.getSubscriptionChanged(), "unchanged since the join");
        assertFalse(second.getOwnedChanged(), "unchanged since the join");
        assertEquals(0, second.getSessionTimeoutMs(), "timeouts only on join");
        assertEquals(0, second.getRebalanceTimeoutMs());
        membership.onHeartbeatResponse(answer(1, 1000), now());
        clock.advance(999);
        assertNull(membership.heartbeatToSend(now()));
        clock.advance(1);
        assertNotNull(membership.heartbeatToSend(now()), "the new interval (1000) applies");
    }

    @Test
    void aChangedSubscriptionGoesOutAtOnceAndOnlyUntilAcknowledged() {
        GroupMembership membership = joinedWith(membership(null), T0);
        clock.advance(10);
        membership.subscribe(Subscription.ofTopics(List.of("t", "u")), now());
        ConsumerGroupHeartbeatRequest change = membership.heartbeatToSend(now());
        assertTrue(change.getSubscriptionChanged());
        assertEquals(List.of("t", "u"), change.getSubscribedTopicNamesList());
        membership.onHeartbeatFailure(new NetworkException("lost", true, null), now());
        clock.advance(100);
        ConsumerGroupHeartbeatRequest retry = membership.heartbeatToSend(now());
        assertTrue(retry.getSubscriptionChanged(), "not acknowledged: sent again");
        membership.onHeartbeatResponse(answer(1, 3000), now());
        clock.advance(3000);
        assertFalse(membership.heartbeatToSend(now()).getSubscriptionChanged());
    }

    @Test
    void anAssignmentLackingOwnedPartitionsIsARevocationReportedAtOnceWithTheSmallerOwnedSet() {
        GroupMembership membership = joinedWith(membership(null), T0, T1);
        clock.advance(3000);
        membership.heartbeatToSend(now());
        GroupMembership.Effects effects = membership.onHeartbeatResponse(answer(2, 3000, T0, T2), now());
        assertTrue(effects.wakeApplication(), "the application thread has to revoke");
        assertEquals(State.RECONCILING, membership.state());
        assertTrue(membership.needsApplication());
        Reconciliation reconciliation = membership.reconciliation();
        assertEquals(Set.of(T1), reconciliation.revoked());
        assertEquals(Set.of(T2), reconciliation.assigned());
        assertFalse(reconciliation.lost());
        assertNull(membership.heartbeatToSend(now()), "nothing due while the application revokes");

        clock.advance(5);
        membership.ownedChanged(Set.of(T0), now());
        ConsumerGroupHeartbeatRequest report = membership.heartbeatToSend(now());
        assertNotNull(report, "the revocation is reported at once, not after the interval");
        assertEquals(2, report.getMemberEpoch());
        assertTrue(report.getOwnedChanged());
        assertEquals(List.of(T0), owned(report));
        membership.onHeartbeatResponse(answer(2, 3000), now());
        assertEquals(State.RECONCILING, membership.state(), "t-2 is still to be added");
        membership.reconciled(reconciliation.version(), Set.of(T0, T2), now());
        assertEquals(State.STABLE, membership.state());
        assertEquals(List.of(T0, T2), owned(membership.heartbeatToSend(now())));
    }

    @Test
    void ownedPartitionsThatChangeWhileAHeartbeatIsInFlightAreSentRightAfterItsAnswer() {
        GroupMembership membership = joinedWith(membership(null), T0, T1);
        clock.advance(3000);
        assertNotNull(membership.heartbeatToSend(now()));
        membership.ownedChanged(Set.of(T0), now());
        membership.onHeartbeatResponse(answer(1, 3000), now());
        ConsumerGroupHeartbeatRequest next = membership.heartbeatToSend(now());
        assertNotNull(next, "due at once, not in 3 s");
        assertEquals(List.of(T0), owned(next));
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"FENCED_MEMBER_EPOCH", "UNKNOWN_MEMBER_ID"})
    void aFencedMemberLosesItsPartitionsAndRejoinsWithEpochZeroOnceTheApplicationDroppedThem(ErrorCode code) {
        GroupMembership membership = joinedWith(membership(null), T0, T1);
        clock.advance(3000);
        membership.heartbeatToSend(now());
        assertTrue(membership.onHeartbeatResponse(error(code), now()).wakeApplication());
        assertEquals(State.FENCED, membership.state());
        assertTrue(membership.partitionsLost());
        assertTrue(membership.reconciliation().lost());
        assertEquals(0, membership.member().memberEpoch());
        clock.advance(60_000);
        assertNull(membership.heartbeatToSend(now()), "no rejoin before the application dropped its partitions");

        membership.lostHandled(now());
        ConsumerGroupHeartbeatRequest rejoin = membership.heartbeatToSend(now());
        assertEquals(0, rejoin.getMemberEpoch());
        assertEquals("member-1", rejoin.getMemberId(), "the same member id");
        assertTrue(rejoin.getOwnedChanged());
        assertEquals(List.of(), owned(rejoin));
        assertTrue(rejoin.getSubscriptionChanged());
        assertEquals(45_000, rejoin.getSessionTimeoutMs());
        membership.onHeartbeatResponse(answer(5, 3000, T1), now());
        assertEquals(Set.of(T1), membership.reconciliation().assigned());
        assertEquals(5, membership.member().memberEpoch());
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"NOT_COORDINATOR", "COORDINATOR_NOT_AVAILABLE",
            "COORDINATOR_LOAD_IN_PROGRESS"})
    void aMovedCoordinatorIsFoundAgainAndTheHeartbeatRetriedAfterBackoffWithItsChanges(ErrorCode code) {
        GroupMembership membership = joinedWith(membership(null), T0, T1);
        clock.advance(3000);
        membership.ownedChanged(Set.of(T0), now());
        membership.heartbeatToSend(now());
        GroupMembership.Effects effects = membership.onHeartbeatResponse(error(code), now());
        assertTrue(effects.findCoordinator());
        assertEquals(State.STABLE, membership.state(), "still a member");
        clock.advance(99);
        assertNull(membership.heartbeatToSend(now()), "backoff: 100 ms");
        clock.advance(1);
        ConsumerGroupHeartbeatRequest retry = membership.heartbeatToSend(now());
        assertEquals(1, retry.getMemberEpoch());
        assertEquals(List.of(T0), owned(retry), "the unacknowledged change goes again");
        membership.onHeartbeatResponse(error(code), now());
        clock.advance(199);
        assertNull(membership.heartbeatToSend(now()), "second backoff: 200 ms");
        clock.advance(1);
        assertNotNull(membership.heartbeatToSend(now()));
    }

    @Test
    void aFailedHeartbeatFindsTheCoordinatorAgainAndBacksOffExponentially() {
        GroupMembership membership = membership(null);
        membership.subscribe(Subscription.ofTopics(List.of("t")), now());
        List<Long> sentAt = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            while (membership.heartbeatToSend(now()) == null) {
                clock.advance(1);
            }
            sentAt.add(now());
            assertTrue(membership.onHeartbeatFailure(new NetworkException("down", true, null), now()).findCoordinator());
        }
        assertEquals(List.of(0L, 100L, 300L, 700L, 1500L, 2500L), sentAt, "100, 200, 400, 800, then capped at 1000");
        assertEquals(State.JOINING, membership.state());
    }

    @Test
    void aCallTheBrokerRefusesOutrightIsFatalNotRetried() {
        GroupMembership membership = membership(null);
        membership.subscribe(Subscription.ofTopics(List.of("t")), now());
        membership.heartbeatToSend(now());
        BrookException refused = new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR,
                "broker 127.0.0.1:9092 refused the call: UNIMPLEMENTED Method not found");
        assertTrue(membership.onHeartbeatFailure(refused, now()).wakeApplication());
        assertEquals(State.FATAL, membership.state());
        assertEquals(refused, membership.fatalError());
    }

    @Test
    void anUnreleasedInstanceIdRetriesTheJoinWithBackoff() {
        GroupMembership membership = membership("instance-a");
        membership.subscribe(Subscription.ofTopics(List.of("t")), now());
        membership.heartbeatToSend(now());
        assertFalse(membership.onHeartbeatResponse(error(ErrorCode.UNRELEASED_INSTANCE_ID), now()).findCoordinator());
        assertEquals(State.JOINING, membership.state());
        assertNull(membership.fatalError());
        clock.advance(100);
        assertEquals(0, membership.heartbeatToSend(now()).getMemberEpoch());
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"FENCED_INSTANCE_ID", "INVALID_REQUEST", "INVALID_GROUP_ID",
            "INVALID_SESSION_TIMEOUT", "UNSUPPORTED_ASSIGNOR", "GROUP_AUTHORIZATION_FAILED", "GROUP_MAX_SIZE_REACHED"})
    void aNonRetriableErrorEndsTheMembershipAndIsKeptForPoll(ErrorCode code) {
        GroupMembership membership = joinedWith(membership("instance-a"), T0);
        clock.advance(3000);
        membership.heartbeatToSend(now());
        assertTrue(membership.onHeartbeatResponse(error(code), now()).wakeApplication());
        assertEquals(State.FATAL, membership.state());
        BrookException fatal = membership.fatalError();
        assertEquals(code, fatal.errorCode());
        assertTrue(fatal.getMessage().contains(code.name()) && fatal.getMessage().contains("consumer group g"),
                fatal.getMessage());
        assertTrue(membership.partitionsLost());
        clock.advance(60_000);
        assertNull(membership.heartbeatToSend(now()), "nothing more is sent");
        assertTrue(membership.leave(now()).isDone(), "nothing to leave");
        assertEquals(State.UNSUBSCRIBED, membership.state());
        assertNull(membership.fatalError(), "unsubscribe clears it");
    }

    @Test
    void aDynamicMemberLeavesWithEpochMinusOne() {
        GroupMembership membership = joinedWith(membership(null), T0);
        CompletableFuture<Void> left = membership.leave(now());
        assertFalse(left.isDone());
        ConsumerGroupHeartbeatRequest leave = membership.heartbeatToSend(now());
        assertEquals(GroupMembership.LEAVE_EPOCH, leave.getMemberEpoch());
        assertEquals("member-1", leave.getMemberId());
        membership.onHeartbeatResponse(answer(-1, 0), now());
        assertTrue(left.isDone());
        assertEquals(State.UNSUBSCRIBED, membership.state());
        clock.advance(60_000);
        assertNull(membership.heartbeatToSend(now()));
    }

    @Test
    void aStaticMemberLeavesWithEpochMinusTwoAndItsInstanceId() {
        GroupMembership membership = joinedWith(membership("instance-a"), T0);
        CompletableFuture<Void> left = membership.leave(now());
        ConsumerGroupHeartbeatRequest leave = membership.heartbeatToSend(now());
        assertEquals(GroupMembership.LEAVE_STATIC_EPOCH, leave.getMemberEpoch());
        assertEquals("instance-a", leave.getInstanceId());
        membership.onHeartbeatFailure(new NetworkException("gone", true, null), now());
        assertTrue(left.isDone(), "a failed leave is not retried");
    }

    @Test
    void theAnswerToAHeartbeatSentBeforeTheLeaveIsIgnoredAndTheLeaveFollows() {
        GroupMembership membership = joinedWith(membership(null), T0);
        clock.advance(3000);
        assertEquals(1, membership.heartbeatToSend(now()).getMemberEpoch());
        CompletableFuture<Void> left = membership.leave(now());
        assertNull(membership.heartbeatToSend(now()), "the heartbeat is still in flight");
        membership.onHeartbeatResponse(answer(2, 3000, T0, T1), now());
        assertFalse(left.isDone());
        assertNull(membership.reconciliation(), "an assignment for a member that is leaving is not applied");
        assertEquals(GroupMembership.LEAVE_EPOCH, membership.heartbeatToSend(now()).getMemberEpoch());
        membership.onHeartbeatResponse(answer(-1, 0), now());
        assertTrue(left.isDone());
    }

    @Test
    void timeSpentInsidePollDoesNotCountAgainstMaxPollInterval() {
        GroupMembership membership = new GroupMembership(new GroupMembership.Settings("g", null, "c", 45_000,
                10_000), "member-1", new Backoff(100, 1000, NO_JITTER));
        joinedWith(membership, T0);
        membership.pollStarted(now());
        clock.advance(60_000);
        assertFalse(membership.checkPollTimer(now()), "a long wait inside poll is not being away");
        membership.pollEnded(now());
        clock.advance(10_000);
        assertFalse(membership.checkPollTimer(now()));
        clock.advance(1);
        assertTrue(membership.checkPollTimer(now()), "counted from the end of the last poll");
    }

    @Test
    void notPollingWithinMaxPollIntervalLeavesThenLosesThePartitionsAndRejoinsAtTheNextPoll() {
        GroupMembership membership = new GroupMembership(new GroupMembership.Settings("g", "instance-a", "c", 45_000,
                10_000), "member-1", new Backoff(100, 1000, NO_JITTER));
        joinedWith(membership, T0);
        clock.advance(9000);
        membership.heartbeatToSend(now());
        membership.onHeartbeatResponse(answer(1, 3000), now());
        clock.advance(1000);
        assertFalse(membership.checkPollTimer(now()), "exactly max.poll.interval.ms is still in time");
        assertEquals(1, membership.msUntilNextAction(now()));
        clock.advance(1);
        assertTrue(membership.checkPollTimer(now()));
        ConsumerGroupHeartbeatRequest leave = membership.heartbeatToSend(now());
        assertEquals(GroupMembership.LEAVE_EPOCH, leave.getMemberEpoch(), "-1 even for a static member: it failed");
        membership.onHeartbeatResponse(answer(-1, 0), now());
        assertEquals(State.FENCED, membership.state());
        assertTrue(membership.reconciliation().lost());

        clock.advance(50_000);
        membership.pollStarted(now());
        membership.lostHandled(now());
        assertEquals(0, membership.heartbeatToSend(now()).getMemberEpoch(), "rejoins at the next poll");
    }
}
