package io.brook.broker.internal;

import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.metadata.PartitionRegistration;
import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.FollowerTruncation.Step;
import io.brook.replication.PartitionFollowerState;
import io.brook.replication.PartitionLeaderState;
import io.brook.replication.PartitionLeaderState.Completion;
import io.brook.replication.PartitionLeaderState.IsrChange;
import io.brook.storage.AppendResult;
import io.brook.storage.EpochEndOffset;
import io.brook.storage.PartitionLog;
import io.brook.storage.ReadResult;
import io.brook.storage.StorageException;
import io.brook.storage.TimestampAndOffset;
import io.brook.storage.TopicPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's replica of one partition: its log and, as the metadata says, the leader's state
 * ({@link PartitionLeaderState}: HW, ISR, acks) or the follower's ({@link PartitionFollowerState}:
 * reconciliation by epochs, then fetching). Every change of state happens under this object's
 * lock, so produce, follower positions, flush completions and metadata changes see one order.
 * Futures are completed and listeners called after the lock is released.
 *
 * <p>The rules it applies:
 * <ul>
 *   <li>Only the leader appends client batches, stamping its epoch; acks=all waits until the HW
 *       passes the batch (the HW counts the leader and each follower only up to what they have
 *       flushed, with {@code log.flush.on.ack}).
 *   <li>A retried idempotent batch gets its original offsets and, with acks=all, waits for the HW
 *       like a new one (the original may not be committed yet).
 *   <li>Losing the leadership answers every waiting acks=all produce NOT_LEADER_OR_FOLLOWER: the
 *       batch may or may not survive, and the producer retries (idempotence dedupes).
 *   <li>Consumers read below the HW, on the leader only. A follower applies only records of the
 *       leader and epoch it follows, contiguous with its log end, after reconciling.
 * </ul>
 */
public final class Partition {
    private static final Logger log = LoggerFactory.getLogger(Partition.class);

    /**
     * A deliberately broken build, for the chaos harness's own test only: acks=all answered as soon
     * as the leader appended, before any replica has the batch — so a leader crash loses
     * acknowledged writes, which the harness's lost-write checker must catch. Set only by the JVM
     * system property {@code brook.test.unsafeAckBeforeReplication=true}; never a configuration key.
     */
    static final boolean UNSAFE_ACK_BEFORE_REPLICATION = Boolean.getBoolean("brook.test.unsafeAckBeforeReplication");

    static {
        if (UNSAFE_ACK_BEFORE_REPLICATION) {
            log.error("BROKEN BUILD FOR TESTS: acks=all is acknowledged before replication "
                    + "(-Dbrook.test.unsafeAckBeforeReplication=true); acknowledged writes can be lost");
        }
    }

    /** What the broker does with this partition's news (called without the lock held). */
    public interface Events {
        /** The leader proposes an ISR change: send it to the controller, answer with {@link #onIsrChangeResult}. */
        void isrChangeProposed(Partition partition, IsrChange change);
    }

    /** Told when the leader appended records or the high watermark moved (no lock held). */
    public interface Listener {
        void onPartitionChange(Partition partition);
    }

    /** The outcome of a produce to this partition. */
    public record ProduceResult(ErrorCode error, String message, long baseOffset, long logAppendTimeMs,
            long logStartOffset, int leaderHint, int leaderEpochHint) {
        public static ProduceResult error(ErrorCode error, String message, int leaderHint, int leaderEpochHint) {
            return new ProduceResult(error, message, -1, -1, -1, leaderHint, leaderEpochHint);
        }
    }

    /** What a consumer fetch got: batches below the HW, or an error. */
    public record FetchResult(ErrorCode error, String message, long highWatermark, long logStartOffset,
            ByteBuffer records, long nextOffset, int leaderHint, int leaderEpochHint) {
        public int sizeInBytes() {
            return records.remaining();
        }
    }

    /** The leader's positions, read together for a follower's push. */
    public record LeaderView(int leaderEpoch, long highWatermark, long logStartOffset, long logEndOffset) {}

    /** An error for a follower (or NONE). */
    public record ReplicaError(ErrorCode error, String message) {
        static final ReplicaError NONE = new ReplicaError(ErrorCode.NONE, "");
    }

    /** What applying records from the leader did. */
    public enum FollowerAppend {
        /** Appended (or nothing to append); report the new position. */
        APPENDED,
        /** Not for this follower now (another leader or epoch, or not reconciled): ignored. */
        IGNORED,
        /** The records do not continue this log: ask the leader to send from the log end again. */
        RESYNC,
        /** The log refused them (corrupt, storage error): reconcile and fetch again later. */
        FAILED
    }

    private record WaitingProduce(long lastOffset, ProduceResult answer, CompletableFuture<ProduceResult> future) {}

    private final TopicPartition topicPartition;
    private final UUID topicId;
    private final int localId;
    private final PartitionLog partitionLog;
    private final boolean flushOnAck;
    private final Flusher groupCommit;
    private final Clock clock;
    private final Events events;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    // Guarded by this.
    private PartitionLeaderState leader;
    private PartitionFollowerState follower;
    private int leaderId = PartitionRegistration.NO_LEADER;
    private int leaderEpoch = -1;
    private List<Integer> replicas = List.of();
    private final PriorityQueue<WaitingProduce> waiting =
            new PriorityQueue<>(Comparator.comparingLong(WaitingProduce::lastOffset));
    /** What consumers may read below; the leader's HW, or the follower's. */
    private volatile long highWatermark;

    public Partition(TopicPartition topicPartition, UUID topicId, int localId, PartitionLog partitionLog,
            boolean flushOnAck, Flusher groupCommit, Clock clock, Events events) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.localId = localId;
        this.partitionLog = partitionLog;
        this.flushOnAck = flushOnAck;
        this.groupCommit = groupCommit;
        this.clock = clock;
        this.events = events;
        long known = partitionLog.highWatermark();
        // A log the broker has never been told a HW for (a new log, or one reopened after a
        // restart) starts from its log start: the leader's rules move it up as replicas report.
        this.highWatermark = known == Long.MAX_VALUE ? partitionLog.logStartOffset()
                : Math.min(known, partitionLog.logEndOffset());
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public UUID topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return partitionLog;
    }

    public long highWatermark() {
        return highWatermark;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** The leader's state (tests and status), if this broker leads the partition. */
    public synchronized Optional<PartitionLeaderState> leaderState() {
        return Optional.ofNullable(leader);
    }

    // ------------------------------------------------------------------------------- metadata

    /**
     * Applies the committed registration of this partition. Returns whether this broker now follows
     * a (new) leader or epoch, so the caller (re)starts fetching from it.
     */
    public boolean applyRegistration(PartitionRegistration registration, int minInsyncReplicas,
            long replicaLagTimeMaxMs) {
        List<Runnable> after = new ArrayList<>();
        boolean newLeaderToFollow = false;
        synchronized (this) {
            replicas = registration.replicas();
            if (registration.leader() == localId) {
                if (leader == null || leader.leaderEpoch() < registration.leaderEpoch()) {
                    becomeLeader(registration, minInsyncReplicas, replicaLagTimeMaxMs, after);
                } else if (leader.partitionEpoch() < registration.partitionEpoch()) {
                    boolean moved = leader.onIsrChangeCommitted(registration.isr(), registration.partitionEpoch());
                    afterIsrChange(moved, after);
                }
            } else {
                if (leader != null) {
                    failWaiting(ErrorCode.NOT_LEADER_OR_FOLLOWER, "the leadership of " + topicPartition
                            + " moved to broker " + registration.leader() + "; the batch may or may not be committed",
                            registration.leader(), registration.leaderEpoch(), after);
                    log.info("Broker {} no longer leads {} (epoch {}: leader {})", localId, topicPartition,
                            registration.leaderEpoch(), registration.leader());
                    leader = null;
                }
                if (follower == null) {
                    follower = new PartitionFollowerState(registration.leader(), registration.leaderEpoch());
                    newLeaderToFollow = true;
                } else if (registration.leaderEpoch() > follower.leaderEpoch()
                        || (registration.leaderEpoch() == follower.leaderEpoch()
                        && registration.leader() != follower.leaderId())) {
                    follower.onLeaderChange(registration.leader(), registration.leaderEpoch());
                    newLeaderToFollow = true;
                }
            }
            leaderId = registration.leader();
            leaderEpoch = registration.leaderEpoch();
        }
        after.forEach(Runnable::run);
        return newLeaderToFollow;
    }

    private void becomeLeader(PartitionRegistration registration, int minInsyncReplicas, long replicaLagTimeMaxMs,
            List<Runnable> after) {
        failWaiting(ErrorCode.NOT_LEADER_OR_FOLLOWER, "a new leader epoch " + registration.leaderEpoch()
                + " of " + topicPartition + " started", localId, registration.leaderEpoch(), after);
        follower = null;
        partitionLog.assignLeaderEpoch(registration.leaderEpoch());
        long logEnd = partitionLog.logEndOffset();
        long durable = flushOnAck ? Math.min(partitionLog.recoveryPoint(), logEnd) : logEnd;
        long hw = Math.min(highWatermark, logEnd);
        leader = new PartitionLeaderState(localId, registration.replicas(), registration.isr(),
                registration.leaderEpoch(), registration.partitionEpoch(), minInsyncReplicas, replicaLagTimeMaxMs,
                logEnd, durable, hw, clock.monotonicMilliseconds());
        log.info("Broker {} leads {} in epoch {} from offset {} (ISR {}, HW {})", localId, topicPartition,
                registration.leaderEpoch(), logEnd, registration.isr(), hw);
        if (durable < logEnd) {
            int epoch = registration.leaderEpoch();
            after.add(() -> requestLeaderFlush(epoch));
        }
        // The HW may move at once (a leader alone in its ISR).
        if (leader.onLeaderFlushed(durable)) {
            afterHighWatermarkMove(after);
        }
    }

    /** The topic's {@code min.insync.replicas} changed: the leader applies it at once. */
    public void onMinInsyncReplicasChanged(int minInsyncReplicas) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (leader != null) {
                afterIsrChange(leader.onMinInsyncReplicasChanged(minInsyncReplicas), after);
            }
        }
        after.forEach(Runnable::run);
    }

    /** This broker no longer hosts the partition (deleted, or moved away). */
    public void close() {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            failWaiting(ErrorCode.NOT_LEADER_OR_FOLLOWER, topicPartition + " is no longer on broker " + localId,
                    PartitionRegistration.NO_LEADER, -1, after);
            leader = null;
            follower = null;
        }
        after.forEach(Runnable::run);
    }

    // -------------------------------------------------------------------------------- produce

    /**
     * Appends a client's batch as the leader and answers per {@code acks}: 1 (and 0) after the
     * append, -1 when the HW passed it (REQUEST_TIMED_OUT after {@code timeoutMs}: the batch may
     * still be committed later).
     */
    public CompletableFuture<ProduceResult> append(ByteBuffer records, int acks, long timeoutMs) {
        return append(records, acks, timeoutMs, -1);
    }

    /**
     * Like {@link #append(ByteBuffer, int, long)}, but only while this replica leads in
     * {@code expectedLeaderEpoch} (-1: any epoch); otherwise FENCED_LEADER_EPOCH and nothing is
     * written. For writers whose decisions rest on what they read as leader of one epoch (the group
     * coordinator).
     */
    public CompletableFuture<ProduceResult> append(ByteBuffer records, int acks, long timeoutMs,
            int expectedLeaderEpoch) {
        List<Runnable> after = new ArrayList<>();
        CompletableFuture<ProduceResult> answer;
        boolean appended = false;
        int epoch;
        synchronized (this) {
            if (leader == null) {
                return CompletableFuture.completedFuture(notLeader());
            }
            epoch = leader.leaderEpoch();
            if (expectedLeaderEpoch >= 0 && epoch != expectedLeaderEpoch) {
                return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.FENCED_LEADER_EPOCH,
                        topicPartition + " is led in epoch " + epoch + ", not " + expectedLeaderEpoch, localId, epoch));
            }
            ErrorCode check = leader.checkBeforeAppend(acks);
            if (check != ErrorCode.NONE) {
                return CompletableFuture.completedFuture(ProduceResult.error(check, topicPartition + " has "
                        + leader.isr().size() + " in-sync replicas " + leader.isr() + ", fewer than its "
                        + "min.insync.replicas; acks=all is refused until the ISR grows", -1, -1));
            }
            AppendResult result = partitionLog.appendAsLeader(records, epoch);
            long firstOffset;
            long lastOffset;
            long appendTime = -1;
            boolean moved = false;
            if (result instanceof AppendResult.Rejected rejected) {
                return CompletableFuture.completedFuture(ProduceResult.error(rejected.error(), rejected.message(),
                        -1, -1));
            } else if (result instanceof AppendResult.Appended ok) {
                firstOffset = ok.firstOffset();
                lastOffset = ok.lastOffset();
                appendTime = ok.logAppendTimeMs();
                long logEnd = partitionLog.logEndOffset();
                moved = leader.onLeaderAppend(logEnd, flushOnAck ? leader.durableEndOffset() : logEnd);
                appended = true;
            } else {
                AppendResult.Duplicate duplicate = (AppendResult.Duplicate) result;
                firstOffset = duplicate.firstOffset();
                lastOffset = duplicate.lastOffset();
            }
            ProduceResult ok = new ProduceResult(ErrorCode.NONE, "", firstOffset, appendTime,
                    partitionLog.logStartOffset(), -1, -1);
            if (acks != -1 || UNSAFE_ACK_BEFORE_REPLICATION) {
                answer = CompletableFuture.completedFuture(ok);
            } else {
                Completion completion = leader.completionOf(lastOffset);
                if (completion == Completion.DONE) {
                    answer = CompletableFuture.completedFuture(ok);
                } else if (completion == Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND) {
                    answer = CompletableFuture.completedFuture(notEnoughAfterAppend());
                } else {
                    answer = new CompletableFuture<>();
                    waiting.add(new WaitingProduce(lastOffset, ok, answer));
                    answer.completeOnTimeout(ProduceResult.error(ErrorCode.REQUEST_TIMED_OUT, topicPartition
                            + ": the in-sync replicas did not confirm offset " + lastOffset + " within " + timeoutMs
                            + " ms; the batch may still be committed", -1, -1), timeoutMs, TimeUnit.MILLISECONDS);
                }
            }
            if (moved) {
                afterHighWatermarkMove(after);
            }
        }
        if (appended) {
            if (flushOnAck) {
                requestLeaderFlush(epoch);
            }
            notifyListeners();
        }
        after.forEach(Runnable::run);
        return answer;
    }

    private void requestLeaderFlush(int epoch) {
        groupCommit.flush(partitionLog).whenComplete((durable, error) -> {
            if (error != null) {
                onLeaderFlushFailed(epoch, error);
            } else {
                onLeaderFlushed(epoch, durable);
            }
        });
    }

    private void onLeaderFlushed(int epoch, long durable) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (leader == null || leader.leaderEpoch() != epoch) {
                return;
            }
            if (leader.onLeaderFlushed(Math.min(durable, leader.logEndOffset()))) {
                afterHighWatermarkMove(after);
            }
        }
        after.forEach(Runnable::run);
    }

    private void onLeaderFlushFailed(int epoch, Throwable error) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (leader != null && leader.leaderEpoch() == epoch) {
                failWaiting(ErrorCode.STORAGE_ERROR, topicPartition + ": flushing the log failed ("
                        + error.getMessage() + "); the broker cannot confirm these records", -1, -1, after);
            }
        }
        after.forEach(Runnable::run);
    }

    private ProduceResult notLeader() {
        return ProduceResult.error(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + localId + " is not the leader of "
                + topicPartition + (leaderId >= 0 ? "; broker " + leaderId + " is" : "; it has no leader now"),
                leaderId, leaderEpoch);
    }

    private ProduceResult notEnoughAfterAppend() {
        return ProduceResult.error(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, topicPartition + ": the batch was "
                + "written on the leader, but the ISR fell below min.insync.replicas before it was committed", -1, -1);
    }

    /** Under the lock: the leader's HW moved; publishes it and completes the produces it covers. */
    private void afterHighWatermarkMove(List<Runnable> after) {
        long hw = leader.highWatermark();
        highWatermark = hw;
        partitionLog.updateHighWatermark(hw);
        while (!waiting.isEmpty() && waiting.peek().lastOffset() < hw) {
            WaitingProduce done = waiting.poll();
            after.add(() -> done.future().complete(done.answer()));
        }
        after.add(this::notifyListeners);
    }

    /** Under the lock: after a committed ISR change, answer the waiting produces it dooms. */
    private void afterIsrChange(boolean hwMoved, List<Runnable> after) {
        if (hwMoved) {
            afterHighWatermarkMove(after);
        }
        List<WaitingProduce> doomed = new ArrayList<>();
        for (WaitingProduce w : waiting) {
            if (leader.completionOf(w.lastOffset()) == Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND) {
                doomed.add(w);
            }
        }
        waiting.removeAll(doomed);
        ProduceResult failed = notEnoughAfterAppend();
        doomed.forEach(w -> after.add(() -> w.future().complete(failed)));
    }

    private void failWaiting(ErrorCode error, String message, int leaderHint, int epochHint, List<Runnable> after) {
        ProduceResult failed = ProduceResult.error(error, message, leaderHint, epochHint);
        for (WaitingProduce w : waiting) {
            after.add(() -> w.future().complete(failed));
        }
        waiting.clear();
    }

    private void notifyListeners() {
        for (Listener listener : listeners) {
            listener.onPartitionChange(this);
        }
    }

    // ------------------------------------------------------------------- the leader's followers

    /** The leader's epoch, HW and log bounds, or empty when this broker does not lead. */
    public synchronized Optional<LeaderView> leaderView() {
        if (leader == null) {
            return Optional.empty();
        }
        return Optional.of(new LeaderView(leader.leaderEpoch(), leader.highWatermark(), partitionLog.logStartOffset(),
                partitionLog.logEndOffset()));
    }

    /** Checks a follower's fetch of {@code followerEpoch} and takes its position. */
    public ReplicaError onFollowerPosition(int followerId, int followerEpoch, long fetchOffset) {
        List<Runnable> after = new ArrayList<>();
        ReplicaError answer;
        synchronized (this) {
            answer = checkFollower(followerId, followerEpoch);
            if (answer == ReplicaError.NONE) {
                if (fetchOffset > leader.logEndOffset() || fetchOffset < partitionLog.logStartOffset()) {
                    answer = new ReplicaError(ErrorCode.OFFSET_OUT_OF_RANGE, "follower " + followerId + " of "
                            + topicPartition + " is at " + fetchOffset + ", outside the leader's log ["
                            + partitionLog.logStartOffset() + ", " + leader.logEndOffset() + "]");
                } else {
                    long now = clock.monotonicMilliseconds();
                    if (leader.onFollowerFetch(followerId, fetchOffset, now)) {
                        afterHighWatermarkMove(after);
                    }
                    proposeIsrChange(now, after);
                }
            }
        }
        after.forEach(Runnable::run);
        return answer;
    }

    private ReplicaError checkFollower(int followerId, int followerEpoch) {
        if (leader == null) {
            return new ReplicaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + localId + " does not lead "
                    + topicPartition);
        }
        if (followerEpoch < leader.leaderEpoch()) {
            return new ReplicaError(ErrorCode.FENCED_LEADER_EPOCH, topicPartition + " is in leader epoch "
                    + leader.leaderEpoch() + "; the follower's " + followerEpoch + " is stale");
        }
        if (followerEpoch > leader.leaderEpoch()) {
            return new ReplicaError(ErrorCode.UNKNOWN_LEADER_EPOCH, "broker " + localId + " has not yet seen leader "
                    + "epoch " + followerEpoch + " of " + topicPartition);
        }
        if (followerId == localId || !replicas.contains(followerId)) {
            return new ReplicaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + followerId
                    + " is not a follower of " + topicPartition + " (replicas " + replicas + ")");
        }
        return ReplicaError.NONE;
    }

    /** The leader's answer to a follower's epoch question: an error, or where the epoch ends. */
    public record EpochAnswer(ReplicaError error, EpochEnd end) {}

    /** Where an epoch ends in this (leader's) log, for a follower of {@code followerEpoch}. */
    public synchronized EpochAnswer epochEnd(int followerId, int followerEpoch, int requestedEpoch) {
        ReplicaError error = checkFollower(followerId, followerEpoch);
        if (error != ReplicaError.NONE) {
            return new EpochAnswer(error, EpochEnd.UNDEFINED);
        }
        return new EpochAnswer(error, toEpochEnd(partitionLog.endOffsetForEpoch(requestedEpoch)));
    }

    private static EpochEnd toEpochEnd(EpochEndOffset end) {
        return end.isUndefined() ? EpochEnd.UNDEFINED : new EpochEnd(end.leaderEpoch(), end.endOffset());
    }

    /** Periodic: the leader's ISR shrink (and expand) check. */
    public void maybeChangeIsr() {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (leader != null) {
                proposeIsrChange(clock.monotonicMilliseconds(), after);
            }
        }
        after.forEach(Runnable::run);
    }

    private void proposeIsrChange(long now, List<Runnable> after) {
        leader.proposeIsrChange(now).ifPresent(change -> {
            log.info("Broker {} proposes ISR {} for {} (was {}, partition epoch {})", localId, change.newIsr(),
                    topicPartition, leader.isr(), change.partitionEpoch());
            after.add(() -> events.isrChangeProposed(this, change));
        });
    }

    /**
     * The controller's answer to {@code sent}: the partition's state after it (on success and on
     * most errors). A committed state with a newer partition epoch is the truth; otherwise the
     * proposal failed and the next check may propose again. Answers to proposals that are no
     * longer pending are ignored.
     */
    public void onIsrChangeResult(IsrChange sent, ErrorCode error, List<Integer> isr, int resultLeaderEpoch,
            int resultPartitionEpoch) {
        List<Runnable> after = new ArrayList<>();
        synchronized (this) {
            if (leader == null || !leader.pendingIsrChange().equals(Optional.of(sent))) {
                return;
            }
            // Only a committed change (NONE) is taken from the answer. An error answer's ISR may be
            // what a cut-off controller believes but never committed (found by the chaos harness:
            // a leader took an ISR of itself from such an answer and acknowledged writes alone that
            // the majority never had); the committed state arrives through the metadata anyway.
            if (error == ErrorCode.NONE && resultLeaderEpoch == leader.leaderEpoch()
                    && resultPartitionEpoch > leader.partitionEpoch() && isr.contains(localId)) {
                log.info("Broker {}: ISR of {} is now {} (partition epoch {})", localId, topicPartition, isr,
                        resultPartitionEpoch);
                afterIsrChange(leader.onIsrChangeCommitted(isr, resultPartitionEpoch), after);
            } else {
                log.info("Broker {}: ISR change {} of {} refused: {}", localId, sent.newIsr(), topicPartition, error);
                leader.onIsrChangeFailed();
            }
        }
        after.forEach(Runnable::run);
    }

    /** Whether {@code change} is still the pending proposal (a lost answer is retried while it is). */
    public synchronized boolean isPending(IsrChange change) {
        return leader != null && leader.pendingIsrChange().equals(Optional.of(change));
    }

    // ----------------------------------------------------------------------- follower side

    /** The next step of this follower for the leader and epoch it follows; empty when not following. */
    public synchronized Optional<FollowerStep> followerNext() {
        if (follower == null || follower.leaderId() < 0) {
            return Optional.empty();
        }
        PartitionFollowerState.Action action = follower.next(partitionLog.latestEpoch(), partitionLog.logEndOffset());
        return Optional.of(new FollowerStep(follower.leaderId(), follower.leaderEpoch(), action));
    }

    /** A follower's next step, with the leader and epoch it is for. */
    public record FollowerStep(int leaderId, int leaderEpoch, PartitionFollowerState.Action action) {}

    /**
     * The leader's answer to the follower's epoch question for {@code followingEpoch}: truncates as
     * the epochs say. Returns whether the log is now reconciled (fetching may start).
     */
    public boolean onEpochAnswer(int followingEpoch, int requestedEpoch, EpochEnd answer) {
        synchronized (this) {
            if (follower == null || follower.leaderEpoch() != followingEpoch) {
                return false;
            }
            long logEnd = partitionLog.logEndOffset();
            Step step = follower.onEpochEnd(requestedEpoch, answer, e -> toEpochEnd(partitionLog.endOffsetForEpoch(e)),
                    logEnd);
            if (!step.isRetry() && step.truncateTo() == logEnd) {
                partitionLog.truncateTo(logEnd); // drops an empty epoch at the end, or the same question comes back
            } else if (!step.isRetry() && step.truncateTo() < logEnd) {
                partitionLog.truncateTo(step.truncateTo());
                log.info("Broker {} truncated {} from {} to {} (leader {} epoch {}: epoch {} ends at {})", localId,
                        topicPartition, logEnd, partitionLog.logEndOffset(), follower.leaderId(), followingEpoch,
                        answer.epoch(), answer.endOffset());
                if (highWatermark > partitionLog.logEndOffset()) {
                    highWatermark = partitionLog.logEndOffset();
                }
            }
            return step.done();
        }
    }

    /**
     * The leader's log starts after this follower's end (retention moved on): start over, empty,
     * at the leader's log start.
     */
    public synchronized void restartAt(int followingEpoch, long leaderLogStart) {
        if (follower != null && follower.leaderEpoch() == followingEpoch
                && partitionLog.logEndOffset() < leaderLogStart) {
            log.info("Broker {} restarts its log of {} at {} (the leader's log starts there)", localId, topicPartition,
                    leaderLogStart);
            partitionLog.truncateFullyAndStartAt(leaderLogStart);
            highWatermark = Math.min(highWatermark, leaderLogStart);
        }
    }

    /** The leader refused this follower's position: reconcile with it again before fetching. */
    public synchronized void reconcileAgain(int followingEpoch) {
        if (follower != null && follower.leaderEpoch() == followingEpoch) {
            follower = new PartitionFollowerState(follower.leaderId(), follower.leaderEpoch());
        }
    }

    /** Applies records the leader of {@code dataEpoch} sent, continuing from {@code fromOffset}. */
    public FollowerAppend appendFromLeader(int fromLeader, int dataEpoch, long fromOffset, ByteBuffer records,
            long leaderHighWatermark) {
        synchronized (this) {
            if (follower == null || follower.leaderId() != fromLeader || follower.leaderEpoch() != dataEpoch
                    || !follower.isReconciled()) {
                return FollowerAppend.IGNORED;
            }
            if (fromOffset != partitionLog.logEndOffset()) {
                return FollowerAppend.RESYNC;
            }
            if (records.hasRemaining()) {
                for (RecordBatch batch : RecordBatch.batches(records.duplicate())) {
                    if (batch.partitionLeaderEpoch() > dataEpoch) {
                        // Records of a later epoch sent under this one: not this leadership's log.
                        log.warn("Broker {}: leader {} sent {} records of epoch {} under epoch {}; reconciling again",
                                localId, fromLeader, topicPartition, batch.partitionLeaderEpoch(), dataEpoch);
                        return FollowerAppend.FAILED;
                    }
                }
                AppendResult result = partitionLog.appendAsFollower(records);
                if (result instanceof AppendResult.Rejected rejected) {
                    log.warn("Broker {} could not apply records of {} from leader {}: {} {}", localId, topicPartition,
                            fromLeader, rejected.error(), rejected.message());
                    return FollowerAppend.FAILED;
                }
            }
            long hw = follower.onFetched(leaderHighWatermark, partitionLog.logEndOffset());
            if (hw > highWatermark) {
                highWatermark = hw;
                partitionLog.updateHighWatermark(hw);
            }
            return FollowerAppend.APPENDED;
        }
    }

    /** What this follower reports to its leader: its log end, or what it has flushed with flush-on-ack. */
    public long followerPosition() {
        long logEnd = partitionLog.logEndOffset();
        return flushOnAck ? Math.min(partitionLog.recoveryPoint(), logEnd) : logEnd;
    }

    public boolean flushOnAck() {
        return flushOnAck;
    }

    // ---------------------------------------------------------------------------- consumers

    /** A consumer's read at {@code offset}: whole batches below the HW, on the leader only. */
    public FetchResult read(long offset, int maxBytes, int clientLeaderEpoch) {
        int epoch;
        long hw;
        synchronized (this) {
            if (leader == null) {
                return fetchError(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + localId + " is not the leader of "
                        + topicPartition + (leaderId >= 0 ? "; broker " + leaderId + " is" : ""));
            }
            epoch = leader.leaderEpoch();
            hw = leader.highWatermark();
        }
        if (clientLeaderEpoch >= 0 && clientLeaderEpoch < epoch) {
            return fetchError(ErrorCode.FENCED_LEADER_EPOCH, topicPartition + " is in leader epoch " + epoch
                    + "; refresh metadata (the client knows " + clientLeaderEpoch + ")");
        }
        if (clientLeaderEpoch > epoch) {
            return fetchError(ErrorCode.UNKNOWN_LEADER_EPOCH, "broker " + localId + " has not yet seen leader epoch "
                    + clientLeaderEpoch + " of " + topicPartition);
        }
        ReadResult read = partitionLog.read(offset, maxBytes, hw, true);
        if (read.error() != ErrorCode.NONE) {
            if (read.error() == ErrorCode.OFFSET_OUT_OF_RANGE && offset > read.logStartOffset() && offset <= hw) {
                // Raced an append past the HW check: nothing to read yet.
                return new FetchResult(ErrorCode.NONE, "", hw, read.logStartOffset(), ByteBuffer.allocate(0), offset,
                        -1, -1);
            }
            return new FetchResult(read.error(), read.message() + (read.error() == ErrorCode.OFFSET_OUT_OF_RANGE
                    ? " (high watermark " + hw + ")" : ""), hw, read.logStartOffset(), ByteBuffer.allocate(0), offset,
                    -1, -1);
        }
        long next = offset;
        for (RecordBatch batch : read.batches()) {
            next = Math.max(next, batch.nextOffset());
        }
        return new FetchResult(ErrorCode.NONE, "", hw, read.logStartOffset(), read.records(), next, -1, -1);
    }

    private FetchResult fetchError(ErrorCode error, String message) {
        int hint;
        int epochHint;
        synchronized (this) {
            hint = leaderId;
            epochHint = leaderEpoch;
        }
        return new FetchResult(error, message, -1, -1, ByteBuffer.allocate(0), -1, hint, epochHint);
    }

    /** A ListOffsets answer: the offset (or -1) and the timestamp found (or -1). */
    public record OffsetAnswer(ErrorCode error, String message, long offset, long timestamp, int leaderEpoch) {}

    /** Earliest (-2), latest (-1: the HW), or the first offset at or after a timestamp, below the HW. */
    public OffsetAnswer listOffset(long timestamp, int clientLeaderEpoch) {
        int epoch;
        long hw;
        synchronized (this) {
            if (leader == null) {
                return new OffsetAnswer(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + localId
                        + " is not the leader of " + topicPartition, -1, -1, leaderEpoch);
            }
            epoch = leader.leaderEpoch();
            hw = leader.highWatermark();
        }
        if (clientLeaderEpoch >= 0 && clientLeaderEpoch != epoch) {
            ErrorCode code = clientLeaderEpoch < epoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
            return new OffsetAnswer(code, topicPartition + " is in leader epoch " + epoch + ", not "
                    + clientLeaderEpoch, -1, -1, epoch);
        }
        if (timestamp == -2) {
            return new OffsetAnswer(ErrorCode.NONE, "", partitionLog.logStartOffset(), -1, epoch);
        }
        if (timestamp == -1) {
            return new OffsetAnswer(ErrorCode.NONE, "", hw, -1, epoch);
        }
        if (timestamp < 0) {
            return new OffsetAnswer(ErrorCode.INVALID_REQUEST, "timestamp " + timestamp + " is neither -1 (latest), "
                    + "-2 (earliest) nor a time in ms", -1, -1, epoch);
        }
        try {
            Optional<TimestampAndOffset> found = partitionLog.offsetForTimestamp(timestamp);
            if (found.isEmpty() || found.get().offset() >= hw) {
                return new OffsetAnswer(ErrorCode.NONE, "", -1, -1, epoch);
            }
            return new OffsetAnswer(ErrorCode.NONE, "", found.get().offset(), found.get().timestamp(), epoch);
        } catch (StorageException e) {
            return new OffsetAnswer(e.errorCode(), e.getMessage(), -1, -1, epoch);
        }
    }

    @Override
    public String toString() {
        return "Partition(" + topicPartition + " on " + localId + ")";
    }
}
