package io.brook.client;

import static io.brook.client.ScriptedGroupCluster.BROKER_1;
import static io.brook.client.ScriptedGroupCluster.BROKER_2;
import static io.brook.client.ScriptedGroupCluster.assign;
import static io.brook.client.ScriptedGroupCluster.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.client.internal.HeartbeatDriver;
import io.brook.common.ConfigException;
import io.brook.common.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link BrookConsumer#subscribe} against a scripted coordinator ({@link ScriptedGroupCluster}) on
 * a manual clock, with no heartbeat thread: every {@code poll(Duration.ZERO)} is one step (send
 * what is due, apply what was answered), so the order of commits, callbacks and heartbeats is
 * exact. {@link ScriptedGroupCluster#events} is the shared history: the cluster's requests and
 * the listener's callbacks.
 */
class GroupConsumerTest {
    private static final TopicPartition T0 = new TopicPartition("t", 0);
    private static final TopicPartition T1 = new TopicPartition("t", 1);
    private static final TopicPartition T2 = new TopicPartition("t", 2);

    private final ManualClock clock = new ManualClock();
    private final ScriptedGroupCluster cluster = new ScriptedGroupCluster().topic("t", 3);
    private final Listener listener = new Listener();

    /** Records its callbacks in the cluster's history. */
    private final class Listener implements ConsumerRebalanceListener {
        RuntimeException throwOnAssigned;

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            cluster.events.add("revoked " + new TreeSet<>(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            cluster.events.add("assigned " + new TreeSet<>(partitions));
            if (throwOnAssigned != null) {
                throw throwOnAssigned;
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            cluster.events.add("lost " + new TreeSet<>(partitions));
        }
    }

    private BrookConsumer consumer(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", BROKER_1, "group.id", "g",
                "client.id", "c1", "retry.backoff.ms", 0, "default.api.timeout.ms", 1000,
                "auto.offset.reset", "earliest", "auto.commit.interval.ms", 600_000));
        config.putAll(overrides);
        return new BrookConsumer(config, cluster, clock, new Random(7), HeartbeatDriver.Mode.CALLER_ONLY);
    }

    /** {@code times} polls of one step each; the records as "t-0@2=c". */
    private static List<String> poll(BrookConsumer consumer, int times) {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            for (ConsumerRecord record : consumer.poll(Duration.ZERO)) {
                records.add(record.topicPartition() + "@" + record.offset() + "=" + record.valueAsString());
            }
        }
        return records;
    }

    /** Subscribes to t and polls until the scripted assignment is applied and fetched. */
    private BrookConsumer joined(Map<String, Object> overrides, TopicPartition... assignment) {
        cluster.heartbeatAnswers.add(assign(1, assignment));
        BrookConsumer consumer = consumer(overrides);
        consumer.subscribe(List.of("t"), listener);
        assertEquals(List.of(), poll(consumer, 1), "joined and assigned; the first fetch is on its way");
        assertEquals(Set.of(assignment), consumer.assignment());
        return consumer;
    }

    private List<String> eventsSince(int mark) {
        synchronized (cluster.events) {
            return List.copyOf(cluster.events.subList(mark, cluster.events.size()));
        }
    }

    private ConsumerGroupHeartbeatRequest lastHeartbeat() {
        List<ConsumerGroupHeartbeatRequest> heartbeats = cluster.heartbeats();
        return heartbeats.get(heartbeats.size() - 1);
    }

    @Test
    void joinGetsAnAssignmentAndStartsEachPartitionAtItsCommittedOffsetElseAtAutoOffsetReset() {
        cluster.append(T0, "a", "b", "c", "d");
        cluster.append(T1, "x", "y");
        cluster.committed.put(T0, 2L);
        cluster.heartbeatAnswers.add(assign(1, T0, T1));
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.subscribe(List.of("t"), listener);
            assertEquals(Set.of("t"), consumer.subscription());
            assertEquals(Set.of(), consumer.assignment(), "nothing before the coordinator answers");
            List<String> records = poll(consumer, 3);
            assertEquals(List.of("t-0@2=c", "t-0@3=d", "t-1@0=x", "t-1@1=y"), records);
            assertEquals(Set.of(T0, T1), consumer.assignment());
            assertEquals(4, consumer.position(T0));

            ConsumerGroupHeartbeatRequest join = cluster.heartbeats().get(0);
            assertEquals(0, join.getMemberEpoch());
            assertEquals(List.of("t"), join.getSubscribedTopicNamesList());
            assertEquals(45_000, join.getSessionTimeoutMs());
            assertEquals(300_000, join.getRebalanceTimeoutMs());
            assertEquals("c1", join.getClientId());
            assertEquals(36, join.getMemberId().length(), "a UUID chosen by the client: " + join.getMemberId());
            assertEquals(List.of("find", "heartbeat epoch=0 owned=[]", "offset fetch", "assigned [t-0, t-1]",
                    "heartbeat epoch=1 owned=[t-0, t-1]"), eventsSince(0));
        }
    }

    /**
     * The one test with the heartbeat thread: heartbeats wait until the test answers them, and the
     * test moves the manual clock. The answer may be applied on the heartbeat thread a little after
     * the test moved the clock, so this checks that heartbeats keep coming without a poll, not
     * their exact times (heartbeatsFollowTheIntervalTheCoordinatorAnswers does).
     */
    @Test
    void theBackgroundThreadHeartbeatsWhileTheApplicationDoesNotPoll() throws Exception {
        cluster.holdHeartbeats = true;
        try (BrookConsumer consumer = new BrookConsumer(Map.of("bootstrap.servers", BROKER_1, "group.id", "g",
                "retry.backoff.ms", 0), cluster, clock, new Random(7), HeartbeatDriver.Mode.BACKGROUND_THREAD)) {
            consumer.subscribe(List.of("t"));
            ScriptedGroupCluster.Held heartbeat = cluster.held.poll(10, TimeUnit.SECONDS);
            assertEquals(0, heartbeat.request().getMemberEpoch(), "joined without a poll");
            for (int i = 0; i < 3; i++) {
                heartbeat.answer().complete(cluster.defaultHeartbeat(heartbeat.request()));
                heartbeat = null;
                for (int step = 0; step < 5 && heartbeat == null; step++) {
                    clock.advance(3000);
                    heartbeat = cluster.held.poll(2, TimeUnit.SECONDS);
                }
                assertTrue(heartbeat != null, "heartbeat " + (i + 1) + " came from the background thread");
                assertEquals(1, heartbeat.request().getMemberEpoch());
            }
            cluster.holdHeartbeats = false;
            heartbeat.answer().complete(cluster.defaultHeartbeat(heartbeat.request()));
        }
        assertEquals(-1, cluster.heartbeats().get(cluster.heartbeats().size() - 1).getMemberEpoch(), "left on close");
    }

    @Test
    void heartbeatsFollowTheIntervalTheCoordinatorAnswers() {
        try (BrookConsumer consumer = joined(Map.of(), T0)) {
            int sent = cluster.heartbeats().size();
            clock.advance(2999);
            poll(consumer, 1);
            assertEquals(sent, cluster.heartbeats().size(), "3000 ms not over");
            cluster.heartbeatIntervalMs = 500;
            clock.advance(1);
            poll(consumer, 1);
            assertEquals(sent + 1, cluster.heartbeats().size());
            ConsumerGroupHeartbeatRequest regular = lastHeartbeat();
            assertEquals(1, regular.getMemberEpoch());
            assertFalse(regular.getOwnedChanged(), "nothing changed since the last report");
            assertFalse(regular.getSubscriptionChanged());
            clock.advance(499);
            poll(consumer, 1);
            assertEquals(sent + 1, cluster.heartbeats().size());
            clock.advance(1);
            poll(consumer, 1);
            assertEquals(sent + 2, cluster.heartbeats().size(), "the answer's new interval, 500 ms");
        }
    }

    @Test
    void revocationCommitsThePositionsThenCallsOnPartitionsRevokedThenReportsTheSmallerOwnedSet() {
        cluster.append(T0, "a", "b");
        cluster.append(T1, "x", "y", "z");
        try (BrookConsumer consumer = joined(Map.of("enable.auto.commit", true), T0, T1)) {
            assertEquals(List.of("t-0@0=a", "t-0@1=b", "t-1@0=x", "t-1@1=y", "t-1@2=z"), poll(consumer, 1));
            cluster.heartbeatAnswers.add(assign(2, T0));
            clock.advance(3000);
            int mark = cluster.events.size();
            poll(consumer, 2);
            assertEquals(List.of("heartbeat epoch=1", "commit t-1=3", "revoked [t-1]",
                    "heartbeat epoch=2 owned=[t-0]", "assigned []"), eventsSince(mark));
            assertEquals(Set.of(T0), consumer.assignment());
            OffsetCommitRequest commit = cluster.commits().get(0);
            assertEquals(cluster.heartbeats().get(0).getMemberId(), commit.getMemberId());
            assertEquals(2, commit.getMemberEpoch(), "the member's current epoch (the answer that revoked raised it)");

            cluster.append(T1, "late");
            cluster.append(T0, "c");
            assertEquals(List.of("t-0@2=c"), poll(consumer, 3), "nothing more of the revoked partition");
        }
    }

    @Test
    void recordsOfARevokedPartitionAreNotReturnedEvenWhenAlreadyBufferedAndOnlyWhatPollReturnedIsCommitted() {
        cluster.append(T1, "x0", "x1", "x2", "x3", "x4");
        try (BrookConsumer consumer = joined(Map.of("enable.auto.commit", true, "max.poll.records", 2), T1)) {
            assertEquals(List.of("t-1@0=x0", "t-1@1=x1"), poll(consumer, 1), "three more are buffered");
            cluster.heartbeatAnswers.add(assign(2));
            clock.advance(3000);
            assertEquals(List.of(), poll(consumer, 4));
            assertEquals(Set.of(), consumer.assignment());
            assertEquals(List.of("commit t-1=2"), cluster.events.stream().filter(e -> e.startsWith("commit")).toList(),
                    "the position past the records returned, not past the ones buffered");
        }
    }

    @Test
    void autoCommitCommitsEveryIntervalExactlyThePositionsOfTheRecordsPollReturned() {
        cluster.append(T0, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        try (BrookConsumer consumer = joined(Map.of("enable.auto.commit", true, "auto.commit.interval.ms", 5000,
                "max.poll.records", 3), T0)) {
            assertEquals(List.of("t-0@0=a", "t-0@1=b", "t-0@2=c"), poll(consumer, 1));
            assertEquals(List.of(), cluster.commits(), "not before the interval");
            clock.advance(5000);
            assertEquals(List.of("t-0@3=d", "t-0@4=e", "t-0@5=f"), poll(consumer, 1));
            assertEquals(List.of("commit t-0=3"), commits(), "what earlier polls returned, not what was fetched (10)");
            assertEquals(1, cluster.commits().get(0).getMemberEpoch());
            clock.advance(4999);
            poll(consumer, 1);
            assertEquals(1, cluster.commits().size());
            clock.advance(1);
            poll(consumer, 1);
            assertEquals(List.of("commit t-0=3", "commit t-0=9"), commits());
            assertEquals(Map.of(T0, 9L), cluster.committed);
        }
    }

    private List<String> commits() {
        return cluster.commits().stream().map(ScriptedGroupCluster::describe).toList();
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"FENCED_MEMBER_EPOCH", "UNKNOWN_MEMBER_ID"})
    void aFencedMemberLosesItsPartitionsWithoutCommittingAndRejoinsWithEpochZero(ErrorCode code) {
        cluster.append(T0, "a", "b");
        try (BrookConsumer consumer = joined(Map.of("enable.auto.commit", true), T0)) {
            assertEquals(2, poll(consumer, 1).size());
            cluster.heartbeatAnswers.add(error(code));
            cluster.heartbeatAnswers.add(assign(4, T2));
            clock.advance(3000);
            int mark = cluster.events.size();
            poll(consumer, 3);
            assertEquals(List.of("heartbeat epoch=1", "lost [t-0]", "heartbeat epoch=0 owned=[]", "offset fetch",
                    "assigned [t-2]", "heartbeat epoch=4 owned=[t-2]"), eventsSince(mark));
            assertEquals(Set.of(T2), consumer.assignment());
            assertEquals(List.of(), cluster.commits(), "lost partitions are not committed");
            assertEquals(cluster.heartbeats().get(0).getMemberId(), lastHeartbeat().getMemberId(), "the same member id");
        }
    }

    @Test
    void aMovedCoordinatorIsFoundAgainAndTheHeartbeatAndTheCommitAreRetriedThere() {
        cluster.append(T0, "a");
        try (BrookConsumer consumer = joined(Map.of(), T0)) {
            assertEquals(1, cluster.findCoordinatorCalls());
            poll(consumer, 1);
            cluster.coordinator = BROKER_2;
            clock.advance(3000);
            poll(consumer, 2);
            List<ScriptedGroupCluster.Call> heartbeats = cluster.calls.stream()
                    .filter(c -> c.request() instanceof ConsumerGroupHeartbeatRequest).toList();
            assertEquals(List.of(BROKER_1, BROKER_1, BROKER_1, BROKER_2), heartbeats.stream()
                    .map(ScriptedGroupCluster.Call::address).toList(), "join, report, moved, retried at broker 2");
            assertEquals(2, cluster.findCoordinatorCalls());
            assertEquals(1, lastHeartbeat().getMemberEpoch(), "still the same member");

            cluster.coordinator = BROKER_1;
            consumer.commitSync();
            List<String> commitAddresses = cluster.calls.stream().filter(c -> c.request() instanceof OffsetCommitRequest)
                    .map(ScriptedGroupCluster.Call::address).toList();
            assertEquals(List.of(BROKER_2, BROKER_1), commitAddresses, "NOT_COORDINATOR, then the new coordinator");
            assertEquals(3, cluster.findCoordinatorCalls());
            assertEquals(Map.of(T0, 1L), cluster.committed);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"STALE_MEMBER_EPOCH", "FENCED_MEMBER_EPOCH", "UNKNOWN_MEMBER_ID"})
    void aCommitRefusedForTheMemberEpochIsACommitFailedExceptionAndIsNotRetried(ErrorCode code) {
        cluster.append(T0, "a", "b");
        try (BrookConsumer consumer = joined(Map.of(), T0)) {
            poll(consumer, 1);
            cluster.commitAnswers.add(request -> OffsetCommitResponse.newBuilder().setErrorCode(code)
                    .setErrorMessage("member epoch 1 is not the group's").build());
            CommitFailedException e = assertThrows(CommitFailedException.class, consumer::commitSync);
            assertEquals(code, e.errorCode());
            assertTrue(e.getMessage().contains(code.name()) && e.getMessage().contains("nothing was committed"),
                    e.getMessage());
            assertEquals(1, cluster.commits().size(), "never retried, with this epoch or another");
            assertEquals(Map.of(), cluster.committed);
        }
    }

    @Test
    void aDynamicMemberCommitsRevokesAndLeavesWithEpochMinusOneOnClose() {
        cluster.append(T0, "a", "b");
        BrookConsumer consumer = joined(Map.of("enable.auto.commit", true), T0);
        poll(consumer, 1);
        int mark = cluster.events.size();
        consumer.close(Duration.ofSeconds(5));
        assertEquals(List.of("commit t-0=2", "revoked [t-0]", "heartbeat epoch=-1"), eventsSince(mark));
        assertEquals("", lastHeartbeat().getInstanceId());
        consumer.close();
        assertEquals(mark + 3, cluster.events.size(), "a second close does nothing");
    }

    @Test
    void aStaticMemberLeavesWithEpochMinusTwoOnCloseAndItsInstanceId() {
        try (BrookConsumer consumer = joined(Map.of("group.instance.id", "host-7"), T0)) {
            assertEquals("host-7", cluster.heartbeats().get(0).getInstanceId());
            int mark = cluster.events.size();
            consumer.close();
            assertEquals(List.of("commit t-0=0", "revoked [t-0]", "heartbeat epoch=-2"), eventsSince(mark),
                    "auto-commit (the default) commits the position, here the start");
            assertEquals("host-7", lastHeartbeat().getInstanceId());
        }
    }

    @Test
    void unsubscribeGivesUpThePartitionsAndLeaves() {
        cluster.append(T0, "a");
        try (BrookConsumer consumer = joined(Map.of("enable.auto.commit", true), T0)) {
            poll(consumer, 1);
            int mark = cluster.events.size();
            consumer.unsubscribe();
            assertEquals(List.of("commit t-0=1", "revoked [t-0]", "heartbeat epoch=-1"), eventsSince(mark));
            assertEquals(Set.of(), consumer.assignment());
            assertEquals(Set.of(), consumer.subscription());
            assertThrows(IllegalStateException.class, () -> consumer.poll(Duration.ZERO));
            consumer.assign(List.of(T1)); // allowed once unsubscribed
        }
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"FENCED_INSTANCE_ID", "GROUP_AUTHORIZATION_FAILED",
            "UNSUPPORTED_ASSIGNOR", "INVALID_REQUEST"})
    void aFatalHeartbeatErrorIsThrownByEveryPollAndCloseDoesNotLeave(ErrorCode code) {
        try (BrookConsumer consumer = joined(Map.of("group.instance.id", "host-7"), T0)) {
            cluster.heartbeatAnswers.add(error(code));
            clock.advance(3000);
            BrookException first = assertThrows(BrookException.class, () -> consumer.poll(Duration.ZERO));
            assertEquals(code, first.errorCode());
            assertEquals(code, assertThrows(BrookException.class, () -> consumer.poll(Duration.ZERO)).errorCode());
            int heartbeats = cluster.heartbeats().size();
            clock.advance(60_000);
            assertThrows(BrookException.class, () -> consumer.poll(Duration.ZERO));
            consumer.close();
            assertEquals(heartbeats, cluster.heartbeats().size(), "nothing sent after a fatal error, not even a leave");
            assertTrue(cluster.events.contains("lost [t-0]"), "its partitions are not its own: lost, not revoked");
        }
    }

    @Test
    void anUnreleasedInstanceIdIsRetriedUntilTheJoinSucceeds() {
        cluster.heartbeatAnswers.add(error(ErrorCode.UNRELEASED_INSTANCE_ID));
        cluster.heartbeatAnswers.add(assign(3, T0));
        try (BrookConsumer consumer = consumer(Map.of("group.instance.id", "host-7"))) {
            consumer.subscribe(List.of("t"), listener);
            poll(consumer, 3);
            assertEquals(Set.of(T0), consumer.assignment());
            assertEquals(List.of(0, 0, 3), cluster.heartbeats().stream().map(ConsumerGroupHeartbeatRequest::getMemberEpoch)
                    .toList());
        }
    }

    @Test
    void aListenerExceptionIsThrownFromPollAfterTheAssignmentWasApplied() {
        IllegalStateException boom = new IllegalStateException("boom");
        listener.throwOnAssigned = boom;
        cluster.heartbeatAnswers.add(assign(1, T0));
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.subscribe(List.of("t"), listener);
            assertSame(boom, assertThrows(IllegalStateException.class, () -> consumer.poll(Duration.ZERO)));
            assertEquals(Set.of(T0), consumer.assignment());
            assertEquals(List.of(T0), ScriptedGroupCluster.partitions(lastHeartbeat().getOwnedPartitionsList()),
                    "reported as owned all the same");
            listener.throwOnAssigned = null;
            poll(consumer, 1);
        }
    }

    @Test
    void aChangedSubscriptionIsSentAtOnceAndAPatternAsARegex() {
        try (BrookConsumer consumer = joined(Map.of(), T0)) {
            consumer.subscribe(List.of("t", "u"), listener);
            poll(consumer, 1);
            ConsumerGroupHeartbeatRequest change = lastHeartbeat();
            assertTrue(change.getSubscriptionChanged());
            assertEquals(List.of("t", "u"), change.getSubscribedTopicNamesList());
            assertEquals(Set.of("t", "u"), consumer.subscription());
            assertThrows(IllegalStateException.class, () -> consumer.subscribe(Pattern.compile("t.*")));
        }
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.subscribe(Pattern.compile("t|u"));
            poll(consumer, 1);
            assertEquals("t|u", cluster.heartbeats().get(cluster.heartbeats().size() - 1).getSubscribedTopicRegex());
            assertThrows(IllegalArgumentException.class, () -> consumer.subscribe(Pattern.compile("t",
                    Pattern.CASE_INSENSITIVE)));
        }
    }

    @Test
    void commitAsyncCallbacksRunOnTheApplicationThreadInALaterCallInCommitOrder() {
        cluster.append(T0, "a", "b");
        try (BrookConsumer consumer = joined(Map.of(), T0)) {
            poll(consumer, 1);
            List<String> outcomes = new ArrayList<>();
            consumer.commitAsync((offsets, e) -> outcomes.add(offsets + " " + e));
            assertEquals(List.of(), outcomes, "answered already, but the callback waits for a later call");
            cluster.commitAnswers.add(request -> OffsetCommitResponse.newBuilder()
                    .setErrorCode(ErrorCode.STALE_MEMBER_EPOCH).build());
            consumer.commitAsync(Map.of(T0, new OffsetAndMetadata(1)), (offsets, e) ->
                    outcomes.add(offsets + " " + e.getClass().getSimpleName()));
            assertEquals(1, outcomes.size(), "the second commitAsync ran the first one's callback");
            poll(consumer, 1);
            assertEquals(List.of("{t-0=OffsetAndMetadata[offset=2, leaderEpoch=Optional[7], metadata=]} null",
                    "{t-0=OffsetAndMetadata[offset=1, leaderEpoch=Optional.empty, metadata=]} CommitFailedException"),
                    outcomes);
            assertEquals(Map.of(T0, 2L), cluster.committed);
        }
    }

    /**
     * The chaos harness's "committed offset backwards": a consumer joined while broker 1 was cut
     * off from the controller; broker 1 still called itself the leader (an epoch behind, a shorter
     * log) and answered the consumer's metadata first. Fetching there at the committed offset was
     * out of range, and auto.offset.reset took the group back to 0.
     */
    @Test
    void aCommittedOffsetsLeaderEpochKeepsTheConsumerOffABrokerThatKnowsOnlyAnOlderEpoch() {
        cluster.append(T0, "a", "b", "c", "d", "e");
        cluster.leader = 2;
        cluster.staleBroker = BROKER_1;
        cluster.staleLogSize = 2;
        cluster.coordinator = BROKER_2;
        cluster.committed.put(T0, 3L);
        cluster.committedEpochs.put(T0, cluster.leaderEpoch);
        cluster.heartbeatAnswers.add(assign(1, T0));
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.subscribe(List.of("t"), listener);
            assertEquals(List.of("t-0@3=d", "t-0@4=e"), poll(consumer, 6),
                    "read from the committed offset at the real leader, not reset at the stale one");
            consumer.commitSync();
            assertEquals(Map.of(T0, 5L), cluster.committed);
            assertEquals(cluster.leaderEpoch, cluster.committedEpochs.get(T0));
        }
    }

    @Test
    void aSeekWithALeaderEpochCommitsThatEpochUntilARecordIsPolled() {
        cluster.append(T0, "a", "b", "c");
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.assign(List.of(T0));
            consumer.seek(T0, new OffsetAndMetadata(2, java.util.Optional.of(5), ""));
            consumer.commitSync();
            assertEquals(5, cluster.committedEpochs.get(T0));
            assertEquals(List.of("t-0@2=c"), poll(consumer, 3));
            consumer.commitSync();
            assertEquals(cluster.leaderEpoch, cluster.committedEpochs.get(T0), "the polled record's epoch");
        }
    }

    @Test
    void committedReadsTheGroupsOffsetsWithNullForNone() {
        cluster.committed.put(T1, 42L);
        try (BrookConsumer consumer = consumer(Map.of())) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(T0, T1));
            assertEquals(42, committed.get(T1).offset());
            assertTrue(committed.containsKey(T0));
            assertNull(committed.get(T0));
        }
    }

    @Test
    void anAssignedConsumerWithAGroupCommitsAsNoMember() {
        cluster.append(T0, "a", "b", "c");
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.assign(List.of(T0));
            assertEquals(3, poll(consumer, 2).size());
            consumer.commitSync();
            OffsetCommitRequest commit = cluster.commits().get(0);
            assertEquals("", commit.getMemberId());
            assertEquals(-1, commit.getMemberEpoch());
            assertEquals(Map.of(T0, 3L), cluster.committed);
            assertEquals(List.of(), cluster.heartbeats(), "no membership in assign mode");
        }
    }

    @Test
    void groupOperationsNeedAGroupIdAndSubscribeExcludesAssign() {
        Map<String, Object> noGroup = new HashMap<>(Map.of("bootstrap.servers", BROKER_1));
        try (BrookConsumer consumer = new BrookConsumer(noGroup, cluster, clock, new Random(7),
                HeartbeatDriver.Mode.CALLER_ONLY)) {
            InvalidGroupIdException e = assertThrows(InvalidGroupIdException.class,
                    () -> consumer.subscribe(List.of("t")));
            assertEquals(ErrorCode.INVALID_GROUP_ID, e.errorCode());
            assertTrue(e.getMessage().contains("group.id"), e.getMessage());
            assertThrows(InvalidGroupIdException.class, consumer::commitSync);
            assertThrows(InvalidGroupIdException.class, () -> consumer.committed(Set.of(T0)));
            assertThrows(IllegalStateException.class, () -> consumer.poll(Duration.ZERO), "neither subscribed nor assigned");
        }
        noGroup.put("enable.auto.commit", "true");
        ConfigException config = assertThrows(ConfigException.class, () -> new BrookConsumer(noGroup, cluster, clock,
                new Random(7), HeartbeatDriver.Mode.CALLER_ONLY));
        assertTrue(config.getMessage().contains("enable.auto.commit"), config.getMessage());

        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.assign(List.of(T0));
            assertThrows(IllegalStateException.class, () -> consumer.subscribe(List.of("t")));
        }
        try (BrookConsumer consumer = consumer(Map.of())) {
            consumer.subscribe(List.of("t"));
            assertThrows(IllegalStateException.class, () -> consumer.assign(List.of(T0)));
            assertThrows(IllegalArgumentException.class, () -> consumer.subscribe(List.of("")));
        }
    }
}
