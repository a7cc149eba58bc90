package io.brook.client.internal;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.TopicPartitions;
import io.brook.client.BrookException;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's membership in its group under the KIP-848 protocol (brook/v1/group.proto): what to
 * send in the next ConsumerGroupHeartbeat and when, what an answer changes, and what the
 * application thread has to do about it. Events in ({@link #subscribe}, {@link #heartbeatToSend},
 * {@link #onHeartbeatResponse}, {@link #reconciled}, ...), each with the time; effects out (a
 * request, {@link Effects}, a {@link Reconciliation}). No I/O, no threads, no clock of its own:
 * {@link HeartbeatDriver} sends what it returns, the consumer's poll applies what it asks for.
 *
 * <p>Thread-safe: every method is synchronized (the heartbeat thread and the application thread
 * share it). Lives as long as its consumer; the member id is chosen once, at construction.
 *
 * <pre>
 *                 subscribe                answer                  reconciled (latest target)
 *  UNSUBSCRIBED ------------> JOINING ------------> RECONCILING ------------------------> STABLE
 *       ^                       ^   epoch 0            ^   |                                |
 *       |                       |                      |   +-- answer with an assignment <--+
 *       |            lostHandled|                      |
 *       |                       |     FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID (joined states)
 *       |                    FENCED <------------------------------------------------------+
 *       |                       ^ poll interval expired: leave first (epoch -1)
 *       +--- answer/failure --- LEAVING <-- leave (epoch -1; -2 for a static member)
 *
 *  FATAL (a non-retriable error: FENCED_INSTANCE_ID, INVALID_*, GROUP_AUTHORIZATION_FAILED, a
 *  broker that refuses the call itself, ...):
 *  nothing more is sent; poll() throws the error until unsubscribe or close.
 * </pre>
 *
 * <p>Implementation notes. The application thread owns the truth of which partitions the consumer
 * holds (the fetcher's assignment); this class mirrors it in {@code owned}, reported through
 * {@link #ownedChanged} and {@link #reconciled}. A target assignment from an answer becomes a
 * {@link Reconciliation} for the application (revoke what the target lacks, then add what it
 * has). Leaving FENCED always waits for the application ({@link #lostHandled}): it may be in the
 * middle of a reconciliation, and a rejoin before it dropped its partitions would report stale
 * ones. Fields are sent only when changed (subscription_changed, owned_changed): a version per
 * field, acknowledged by a successful answer to the request that carried it, so a lost or failed
 * heartbeat simply sends them again. At most one heartbeat is in flight.
 */
public final class GroupMembership {
    private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);

    /** Used until the first answer names the coordinator's interval. */
    static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 5000;
    /** Member epoch of a leave. */
    public static final int LEAVE_EPOCH = -1;
    /** Member epoch of a static member leaving for now (it keeps its partitions for the session timeout). */
    public static final int LEAVE_STATIC_EPOCH = -2;

    public enum State { UNSUBSCRIBED, JOINING, RECONCILING, STABLE, FENCED, LEAVING, FATAL }

    /**
     * What the membership sends on join.
     *
     * @param instanceId group.instance.id, null for a dynamic member
     * @param maxPollIntervalMs sent as rebalance_timeout_ms, and the poll timer
     */
    public record Settings(String groupId, String instanceId, String clientId, int sessionTimeoutMs,
            int maxPollIntervalMs) {}

    /** What the consumer subscribes to: topic names (sorted), or one regular expression. */
    public record Subscription(List<String> topics, String regex) {
        public static Subscription ofTopics(Collection<String> topics) {
            return new Subscription(List.copyOf(new TreeSet<>(topics)), "");
        }

        public static Subscription ofPattern(String regex) {
            return new Subscription(List.of(), regex);
        }

        public boolean isPattern() {
            return !regex.isEmpty();
        }
    }

    /** Who commits: the member id and epoch ({@link #NONE}: no member, for assign mode). */
    public record Member(String memberId, int memberEpoch) {
        public static final Member NONE = new Member("", -1);
    }

    /**
     * What the application thread must do. {@code lost}: drop every partition it holds without
     * committing, then {@link #lostHandled}. Otherwise revoke {@code revoked}, add {@code assigned},
     * then {@link #reconciled} with {@code version}.
     */
    public record Reconciliation(long version, boolean lost, Set<TopicPartition> revoked,
            Set<TopicPartition> assigned) {}

    /** What the driver does after an answer: forget the coordinator, wake the application's poll. */
    public record Effects(boolean findCoordinator, boolean wakeApplication) {
        static final Effects NONE = new Effects(false, false);
    }

    private record InFlight(int epoch, long subscriptionVersion, long ownedVersion) {}

    private final Settings settings;
    private final Backoff backoff;
    private final String memberId;
    private final String logPrefix;

    private State state = State.UNSUBSCRIBED;
    private int memberEpoch;
    private Subscription subscription;
    private long subscriptionVersion;
    private long subscriptionAcked = -1;
    private Set<TopicPartition> owned = Set.of();
    private long ownedVersion;
    private long ownedAcked = -1;
    /** An assignment gave partitions this member did not own; guarded by this. */
    private boolean givenNotTaken;
    private Set<TopicPartition> target = Set.of();
    private long targetVersion;
    private long reconciledVersion;
    private int heartbeatIntervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS;
    private long nextHeartbeatMs;
    private InFlight inFlight;
    private int failures;
    private boolean joinSent;
    private long lastPollMs;
    private boolean inPoll;
    private State afterLeave;
    private int leaveEpoch;
    private CompletableFuture<Void> left = CompletableFuture.completedFuture(null);
    private BrookException fatal;

    public GroupMembership(Settings settings, String memberId, Backoff backoff) {
        this.settings = settings;
        this.memberId = memberId;
        this.backoff = backoff;
        this.logPrefix = "[Consumer clientId=" + settings.clientId() + ", groupId=" + settings.groupId() + "] ";
    }

    public synchronized State state() {
        return state;
    }

    public synchronized Member member() {
        return new Member(memberId, memberEpoch);
    }

    /** Whether the coordinator knows this consumer as a member with an epoch (commits can succeed). */
    public synchronized boolean joined() {
        return (state == State.STABLE || state == State.RECONCILING) && memberEpoch > 0;
    }

    public synchronized Subscription subscription() {
        return subscription;
    }

    /** The error that ended the membership, or null. */
    public synchronized BrookException fatalError() {
        return fatal;
    }

    /** Whether poll must return to the application thread's work: a reconciliation, lost partitions, a fatal error. */
    public synchronized boolean needsApplication() {
        return losing() || state == State.FATAL || (state == State.RECONCILING && targetVersion != reconciledVersion);
    }

    /**
     * Whether the partitions the application holds are no longer its own to commit or revoke: it
     * was fenced, is leaving because it did not poll in time, or the membership failed for good.
     * They are to be dropped as lost (onPartitionsLost, nothing committed).
     */
    public synchronized boolean partitionsLost() {
        return losing() || state == State.FATAL;
    }

    private boolean losing() {
        return state == State.FENCED || (state == State.LEAVING && afterLeave == State.FENCED);
    }

    // ----------------------------------------------------------------- application thread events

    /** Joins (from UNSUBSCRIBED), or sends the changed subscription at once. */
    public synchronized void subscribe(Subscription subscription, long nowMs) {
        this.subscription = subscription;
        subscriptionVersion++;
        switch (state) {
            case UNSUBSCRIBED -> {
                lastPollMs = nowMs;
                join(nowMs);
            }
            case JOINING, STABLE, RECONCILING -> nextHeartbeatMs = nowMs;
            case LEAVING -> {
                if (afterLeave == State.UNSUBSCRIBED) {
                    afterLeave = State.JOINING;
                }
            }
            case FENCED, FATAL -> { } // sent when it rejoins; a fatal membership stays so
        }
    }

    /**
     * Leaves the group (epoch -1, or -2 for a static member). The application has given up its
     * partitions already. The future completes when the coordinator answered the leave, or it
     * failed, or at once when there is nothing to leave.
     */
    public synchronized CompletableFuture<Void> leave(long nowMs) {
        subscription = null;
        switch (state) {
            case UNSUBSCRIBED, FATAL, FENCED -> {
                transition(State.UNSUBSCRIBED, "unsubscribed");
                memberEpoch = 0;
                fatal = null;
                return CompletableFuture.completedFuture(null);
            }
            case LEAVING -> {
                afterLeave = State.UNSUBSCRIBED;
                return left;
            }
            default -> {
                if (!joinSent) {
                    transition(State.UNSUBSCRIBED, "unsubscribed before joining");
                    memberEpoch = 0;
                    return CompletableFuture.completedFuture(null);
                }
                startLeaving(settings.instanceId() != null ? LEAVE_STATIC_EPOCH : LEAVE_EPOCH, State.UNSUBSCRIBED,
                        "leaving the group");
                return left;
            }
        }
    }

    /**
     * The application thread entered poll: the max.poll.interval.ms timer stands still until
     * {@link #pollEnded} (waiting inside poll, or in a rebalance callback, is not being away).
     */
    public synchronized void pollStarted(long nowMs) {
        inPoll = true;
        lastPollMs = nowMs;
    }

    /** The application thread left poll: max.poll.interval.ms counts from now. */
    public synchronized void pollEnded(long nowMs) {
        inPoll = false;
        lastPollMs = nowMs;
    }

    /** What the application must do now, or null. */
    public synchronized Reconciliation reconciliation() {
        if (losing()) {
            return new Reconciliation(targetVersion, true, Set.of(), Set.of());
        }
        if (state != State.RECONCILING || targetVersion == reconciledVersion) {
            return null;
        }
        Set<TopicPartition> revoked = new TreeSet<>(owned);
        revoked.removeAll(target);
        Set<TopicPartition> assigned = new TreeSet<>(target);
        assigned.removeAll(owned);
        return new Reconciliation(targetVersion, false, revoked, assigned);
    }

    /** The application now holds {@code partitions} (after a revocation): reported at once. */
    public synchronized void ownedChanged(Set<TopicPartition> partitions, long nowMs) {
        if (partitions.equals(owned)) {
            return;
        }
        owned = Set.copyOf(partitions);
        ownedVersion++;
        if (state == State.JOINING || state == State.STABLE || state == State.RECONCILING) {
            nextHeartbeatMs = nowMs;
        }
    }

    /** The application applied reconciliation {@code version} and holds {@code partitions}. */
    public synchronized void reconciled(long version, Set<TopicPartition> partitions, long nowMs) {
        if (givenNotTaken && partitions.equals(owned)) {
            // Report it even unchanged: the coordinator counts a partition it gave as held until this
            // member says it does not hold it, and an answer asked it back before it was taken.
            ownedVersion++;
            if (state == State.JOINING || state == State.STABLE || state == State.RECONCILING) {
                nextHeartbeatMs = nowMs;
            }
        }
        givenNotTaken = false;
        ownedChanged(partitions, nowMs);
        if (state == State.RECONCILING && version > reconciledVersion) {
            reconciledVersion = version;
            if (version == targetVersion) {
                transition(State.STABLE, "reconciled assignment " + owned);
            }
        }
    }

    /** The application dropped its partitions after a fence: rejoin with epoch 0 (once left, if leaving). */
    public synchronized void lostHandled(long nowMs) {
        if (!losing()) {
            return;
        }
        owned = Set.of();
        ownedVersion++;
        target = Set.of();
        reconciledVersion = targetVersion;
        if (state == State.LEAVING) {
            afterLeave = subscription == null ? State.UNSUBSCRIBED : State.JOINING;
        } else if (subscription == null) {
            transition(State.UNSUBSCRIBED, "partitions lost, not subscribed");
        } else {
            join(nowMs);
        }
    }

    // ------------------------------------------------------------------------ driver events

    /**
     * Leaves the group when the application has not polled within max.poll.interval.ms (its
     * partitions are then lost; it rejoins at its next poll). Returns whether it did.
     */
    public synchronized boolean checkPollTimer(long nowMs) {
        boolean member = state == State.JOINING || state == State.STABLE || state == State.RECONCILING;
        if (!member || !joinSent || inPoll || nowMs - lastPollMs <= settings.maxPollIntervalMs()) {
            return false;
        }
        log.warn("{}poll() was not called for {} ms, more than max.poll.interval.ms ({}): leaving the group; the "
                        + "partitions are lost and the consumer rejoins at its next poll. Poll more often, or process "
                        + "fewer records per poll (max.poll.records).", logPrefix, nowMs - lastPollMs,
                settings.maxPollIntervalMs());
        startLeaving(LEAVE_EPOCH, State.FENCED, "leaving the group: max.poll.interval.ms expired");
        return true;
    }

    /** The heartbeat to send now, or null (not due, one in flight, or nothing to say). */
    public synchronized ConsumerGroupHeartbeatRequest heartbeatToSend(long nowMs) {
        if (inFlight != null) {
            return null;
        }
        ConsumerGroupHeartbeatRequest.Builder request = ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(settings.groupId()).setMemberId(memberId)
                .setInstanceId(settings.instanceId() == null ? "" : settings.instanceId())
                .setClientId(settings.clientId());
        if (state == State.LEAVING) {
            inFlight = new InFlight(leaveEpoch, subscriptionVersion, ownedVersion);
            return request.setMemberEpoch(leaveEpoch).build();
        }
        if (!(state == State.JOINING || state == State.STABLE || state == State.RECONCILING)
                || nowMs < nextHeartbeatMs) {
            return null;
        }
        boolean joining = memberEpoch == 0;
        request.setMemberEpoch(memberEpoch);
        if (joining) {
            request.setRebalanceTimeoutMs(settings.maxPollIntervalMs()).setSessionTimeoutMs(settings.sessionTimeoutMs());
        }
        if (joining || subscriptionVersion != subscriptionAcked) {
            request.setSubscriptionChanged(true).addAllSubscribedTopicNames(subscription.topics())
                    .setSubscribedTopicRegex(subscription.regex());
        }
        if (joining || ownedVersion != ownedAcked) {
            request.setOwnedChanged(true).addAllOwnedPartitions(byTopic(owned));
        }
        inFlight = new InFlight(memberEpoch, subscriptionVersion, ownedVersion);
        joinSent = true;
        return request.build();
    }

    /** The coordinator answered the heartbeat in flight. */
    public synchronized Effects onHeartbeatResponse(ConsumerGroupHeartbeatResponse response, long nowMs) {
        InFlight sent = inFlight;
        inFlight = null;
        if (sent == null) {
            return Effects.NONE;
        }
        if (state == State.LEAVING) {
            return finishLeaveIfSent(sent, response.getErrorCode().name(), nowMs);
        }
        if (!(state == State.JOINING || state == State.STABLE || state == State.RECONCILING)) {
            return Effects.NONE; // an answer from before a fatal error or an unsubscribe
        }
        ErrorCode code = response.getErrorCode();
        if (code == ErrorCode.NONE) {
            return accepted(sent, response, nowMs);
        }
        if (CoordinatorLookup.coordinatorMoved(code)) {
            log.info("{}heartbeat answered {}: finding the coordinator again", logPrefix, code);
            retryLater(nowMs);
            return new Effects(true, false);
        }
        switch (code) {
            case FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID -> {
                if (state == State.JOINING) { // nothing owned, nothing to lose: join again
                    log.info("{}join answered {} ({}): retrying", logPrefix, code, response.getErrorMessage());
                    retryLater(nowMs);
                    return Effects.NONE;
                }
                transition(State.FENCED, "fenced by the coordinator (" + code + ": " + response.getErrorMessage()
                        + "); partitions " + owned + " are lost, rejoining with epoch 0 at the next poll");
                memberEpoch = 0;
                return new Effects(false, true);
            }
            case UNRELEASED_INSTANCE_ID -> {
                log.info("{}instance id {} is still held by another member: retrying", logPrefix,
                        settings.instanceId());
                retryLater(nowMs);
                return Effects.NONE;
            }
            default -> {
                if (Errors.retriable(code)) {
                    log.info("{}heartbeat answered {} ({}): retrying", logPrefix, code, response.getErrorMessage());
                    retryLater(nowMs);
                    return Effects.NONE;
                }
                fatal = Errors.exception(code, "The group coordinator refused consumer group " + settings.groupId()
                        + ": " + code + (response.getErrorMessage().isEmpty() ? "" : " (" + response.getErrorMessage()
                        + ")") + ".");
                log.error("{}{}", logPrefix, fatal.getMessage());
                transition(State.FATAL, "fatal error");
                return new Effects(false, true);
            }
        }
    }

    /**
     * The heartbeat in flight failed before an answer: retried after a backoff when trying again
     * may help (no answer, a broken connection, no coordinator yet), else the membership's fatal
     * error (the broker refused the call itself, or FindCoordinator answered a non-retriable code).
     */
    public synchronized Effects onHeartbeatFailure(Throwable error, long nowMs) {
        InFlight sent = inFlight;
        inFlight = null;
        if (sent == null) {
            return Effects.NONE;
        }
        if (state == State.LEAVING) {
            Effects effects = finishLeaveIfSent(sent, "failed: " + error.getMessage(), nowMs);
            return new Effects(true, effects.wakeApplication());
        }
        if (!(state == State.JOINING || state == State.STABLE || state == State.RECONCILING)) {
            return Effects.NONE;
        }
        BrookException failure = Futures.asBrook(error);
        if (!failure.retriable()) { // e.g. a broker without the group service, or refused FindCoordinator
            fatal = failure;
            log.error("{}heartbeat failed for good: {}", logPrefix, failure.getMessage());
            transition(State.FATAL, "fatal error");
            return new Effects(true, true);
        }
        log.info("{}heartbeat failed ({}): finding the coordinator again", logPrefix, error.getMessage());
        retryLater(nowMs);
        return new Effects(true, false);
    }

    /**
     * How long the driver may wait before it calls {@link #heartbeatToSend} or
     * {@link #checkPollTimer} again (Long.MAX_VALUE: until woken, e.g. by an answer).
     */
    public synchronized long msUntilNextAction(long nowMs) {
        if (inFlight != null) {
            return Long.MAX_VALUE;
        }
        return switch (state) {
            case LEAVING -> 0;
            case JOINING, STABLE, RECONCILING -> {
                long wait = Math.max(0, nextHeartbeatMs - nowMs);
                if (joinSent && !inPoll) {
                    wait = Math.min(wait, Math.max(0, lastPollMs + settings.maxPollIntervalMs() + 1 - nowMs));
                }
                yield wait;
            }
            default -> Long.MAX_VALUE;
        };
    }

    // ---------------------------------------------------------------------------- internals

    private Effects accepted(InFlight sent, ConsumerGroupHeartbeatResponse response, long nowMs) {
        failures = 0;
        subscriptionAcked = Math.max(subscriptionAcked, sent.subscriptionVersion());
        ownedAcked = Math.max(ownedAcked, sent.ownedVersion());
        if (response.getHeartbeatIntervalMs() > 0) {
            heartbeatIntervalMs = response.getHeartbeatIntervalMs();
        }
        nextHeartbeatMs = nowMs + heartbeatIntervalMs;
        if (ownedVersion != ownedAcked || subscriptionVersion != subscriptionAcked) {
            nextHeartbeatMs = nowMs; // changed while this one was in flight: report at once
        }
        if (response.getMemberEpoch() > 0) {
            if (response.getMemberEpoch() != memberEpoch) {
                log.info("{}member {} epoch {} -> {}", logPrefix, memberId, memberEpoch, response.getMemberEpoch());
            }
            memberEpoch = response.getMemberEpoch();
        }
        if (!response.getMemberId().isEmpty() && !response.getMemberId().equals(memberId)) {
            log.warn("{}the coordinator answered member id {} for member {}; keeping ours", logPrefix,
                    response.getMemberId(), memberId);
        }
        boolean assignment = false;
        if (response.getHasAssignment()) {
            Set<TopicPartition> next = partitions(response.getAssignmentList());
            // The coordinator repeats an assignment it is not sure the member has (while it revokes,
            // after a lost answer): only a different one is a new reconciliation.
            if (state == State.JOINING || !next.equals(target)
                    || targetVersion == reconciledVersion && !next.equals(owned)) {
                givenNotTaken |= !owned.containsAll(next);
                target = next;
                targetVersion++;
                assignment = true;
            }
        }
        if (targetVersion != reconciledVersion) {
            transition(State.RECONCILING, assignment ? "new assignment " + target : "reconciling");
        } else if (state != State.STABLE) {
            transition(State.STABLE, "joined with epoch " + memberEpoch);
        }
        return new Effects(false, assignment);
    }

    private void join(long nowMs) {
        memberEpoch = 0;
        joinSent = false;
        failures = 0;
        subscriptionAcked = -1;
        ownedAcked = -1;
        nextHeartbeatMs = nowMs;
        transition(State.JOINING, "joining as member " + memberId
                + (settings.instanceId() == null ? "" : " (instance " + settings.instanceId() + ")"));
    }

    private void startLeaving(int epoch, State next, String why) {
        leaveEpoch = epoch;
        afterLeave = next;
        left = new CompletableFuture<>();
        transition(State.LEAVING, why + " with epoch " + epoch);
    }

    private Effects finishLeaveIfSent(InFlight sent, String outcome, long nowMs) {
        if (sent.epoch() != leaveEpoch) {
            return Effects.NONE; // a heartbeat from before the leave: the leave goes next
        }
        log.info("{}leave answered: {}", logPrefix, outcome);
        memberEpoch = 0;
        State next = afterLeave;
        if (next == State.JOINING && subscription != null) {
            join(nowMs);
        } else {
            transition(next == State.JOINING ? State.UNSUBSCRIBED : next, "left the group");
        }
        left.complete(null);
        return new Effects(false, next == State.FENCED);
    }

    private void retryLater(long nowMs) {
        nextHeartbeatMs = nowMs + backoff.delayMs(failures++);
        // The failed heartbeat may have reached the coordinator and changed what it expects (a
        // revocation, new partitions): the next one carries everything, so that its answer does too.
        subscriptionAcked = -1;
        ownedAcked = -1;
    }

    private void transition(State next, String why) {
        if (next != state) {
            log.info("{}{} -> {}: {}", logPrefix, state, next, why);
        }
        state = next;
    }

    /** Partitions grouped by topic, both sorted (the wire form). */
    static List<TopicPartitions> byTopic(Collection<TopicPartition> partitions) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition partition : new TreeSet<>(partitions)) {
            byTopic.computeIfAbsent(partition.topic(), t -> new ArrayList<>()).add(partition.partition());
        }
        List<TopicPartitions> wire = new ArrayList<>();
        byTopic.forEach((topic, numbers) -> wire.add(TopicPartitions.newBuilder().setTopic(topic)
                .addAllPartitions(numbers).build()));
        return wire;
    }

    static Set<TopicPartition> partitions(List<TopicPartitions> wire) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (TopicPartitions topic : wire) {
            for (int partition : topic.getPartitionsList()) {
                partitions.add(new TopicPartition(topic.getTopic(), partition));
            }
        }
        return Set.copyOf(partitions);
    }
}
