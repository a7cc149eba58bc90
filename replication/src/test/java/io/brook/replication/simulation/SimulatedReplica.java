package io.brook.replication.simulation;

import io.brook.api.v1.ErrorCode;
import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.FollowerTruncation.Step;
import io.brook.replication.PartitionFollowerState;
import io.brook.replication.PartitionLeaderState;
import io.brook.replication.PartitionLeaderState.Completion;
import io.brook.replication.PartitionLeaderState.IsrChange;
import io.brook.replication.simulation.Messages.AlterPartition;
import io.brook.replication.simulation.Messages.AlterPartitionAnswer;
import io.brook.replication.simulation.Messages.EpochAnswer;
import io.brook.replication.simulation.Messages.EpochQuery;
import io.brook.replication.simulation.Messages.Heartbeat;
import io.brook.replication.simulation.Messages.HeartbeatAnswer;
import io.brook.replication.simulation.Messages.MetadataPush;
import io.brook.replication.simulation.Messages.PartitionImage;
import io.brook.replication.simulation.Messages.Position;
import io.brook.replication.simulation.Messages.Push;
import io.brook.replication.simulation.Messages.Register;
import io.brook.replication.simulation.Messages.RegisterAnswer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * One broker's replica of the simulated partition: the replication module's real state machines
 * ({@link PartitionLeaderState}, {@link PartitionFollowerState}, through it
 * {@code FollowerTruncation}) driven the way the broker module drives them, in one class per
 * broker instead of four:
 *
 * <ul>
 *   <li>{@code Partition}: applying the committed registration (a new epoch makes it leader or
 *       follower; a newer partition epoch of its own epoch reaches the leader state); the leader
 *       appends a client batch stamped with its epoch, tells its state the new LEO and its durable
 *       end, asks for a group-commit flush and tells the state again when it completes; acks=all
 *       produces wait for the HW; a new leader records its epoch at its log end and starts with
 *       HW = min(its HW, LEO); a follower's truncation to its log end drops the epochs recorded
 *       there with nothing written.
 *   <li>{@code ReplicaFetcher}: a follower reconciles by OffsetForLeaderEpoch rounds (at most 16
 *       per run, then another run after a backoff), flushes, opens its stream with a reset
 *       position, applies pushed records, flushes them and only then reports its flushed end;
 *       keepalives; backoff on errors; a broken stream or a RESYNC starts over.
 *   <li>The leader's stream session ({@code ReplicationGrpcService}): pushes from the position of
 *       the latest reset, and the HW when it moves; a position is refused for another epoch or
 *       outside the log.
 *   <li>{@code ReplicaManager} and {@code BrokerLifecycle}: periodic ISR checks; AlterPartition
 *       with the partition epoch, resent while the proposal is pending and the answer is lost;
 *       registration with a new incarnation per process, heartbeats, metadata applied in order
 *       and only after registering.
 * </ul>
 *
 * A crash keeps only the {@link SimulatedLog} (what was flushed, and perhaps part of the rest);
 * everything else is volatile. Not thread-safe.
 */
final class SimulatedReplica {
    /** What a replica needs from the world. */
    interface Context {
        Scheduler scheduler();

        SimulatedNetwork network();

        Random random();

        boolean bug(SimulationBug bug);

        void trace(String event);

        long nextId();

        /** This replica became leader of {@code epoch}. */
        void becameLeader(int replica, int epoch);

        /** This replica, leading {@code epoch}, answered the acks=all produce of {@code entry} at {@code offset}: success. */
        void acknowledged(int replica, int epoch, long offset, Entry entry);
    }

    /** The timers and limits of the simulated brokers. */
    record Timing(long heartbeatMs, long keepaliveMs, long isrCheckMs, long backoffMs, long rpcTimeoutMs,
            long alterPartitionRetryMs, long replicaLagTimeMaxMs, int maxFlushMs, double slowFlushRate, int slowFlushMs,
            int maxPushRecords, int minInsyncReplicas) {}

    private enum FollowerAppend { APPENDED, IGNORED, RESYNC }

    /** A follower's stream as the leader tracks it. */
    private static final class Session {
        final long streamId;
        final int epoch;
        long sentOffset;
        long sentHighWatermark = -1;

        Session(long streamId, int epoch, long from) {
            this.streamId = streamId;
            this.epoch = epoch;
            this.sentOffset = from;
        }
    }

    private static final int ROUNDS_PER_RUN = 16;

    /** A timer's trace label. */
    private record Timer(int replica, String what) {
        @Override
        public String toString() {
            return replica + ": " + what;
        }
    }

    final int id;
    private final List<Integer> replicas;
    private final Context context;
    private final Timing timing;
    /** Persistent: survives crashes (as far as it was flushed). */
    final SimulatedLog log = new SimulatedLog();
    private boolean up = true;
    private int incarnation;
    /** Persistent, only for RESTARTED_LEADER_RESUMES_ITS_EPOCH: the last image applied before a crash. */
    private PartitionImage lastImageBeforeCrash;

    // Volatile state: reset by a crash.
    private boolean registered;
    private long appliedIndex;
    private PartitionImage image;
    private PartitionLeaderState leader;
    private PartitionFollowerState follower;
    private long highWatermark;
    private final TreeMap<Long, Entry> waiting = new TreeMap<>();
    private Session[] sessions;
    private final Map<Long, IsrChange> outstandingAlters = new TreeMap<>();
    // The fetcher (towards one leader at a time).
    private int fetchingFrom;
    private long streamId;
    private boolean started;
    private long notBeforeMs;
    private long outstandingQuery;
    private int queryFollowingEpoch;
    private int queryRequestedEpoch;
    private int roundsLeft;
    private boolean runScheduled;
    // Group commit.
    private boolean flushing;
    private List<LongConsumer> nextFlushRound = new ArrayList<>();

    SimulatedReplica(int id, List<Integer> replicas, Context context, Timing timing) {
        this.id = id;
        this.replicas = List.copyOf(replicas);
        this.context = context;
        this.timing = timing;
        resetVolatileState();
    }

    boolean isUp() {
        return up;
    }

    int incarnation() {
        return incarnation;
    }

    /** The leader state while this replica acts as a leader (it may not know yet that it no longer is). */
    Optional<PartitionLeaderState> leaderState() {
        return Optional.ofNullable(leader);
    }

    private void resetVolatileState() {
        registered = false;
        appliedIndex = -1;
        image = null;
        leader = null;
        follower = null;
        highWatermark = 0; // a reopened log knows no HW: it starts from the log start
        waiting.clear();
        sessions = new Session[replicas.size()];
        outstandingAlters.clear();
        fetchingFrom = -1;
        streamId = -1;
        started = false;
        notBeforeMs = 0;
        outstandingQuery = -1;
        roundsLeft = 0;
        runScheduled = false;
        flushing = false;
        nextFlushRound = new ArrayList<>();
    }

    private long now() {
        return context.scheduler().nowMs();
    }

    private void trace(String event) {
        context.trace(id + ": " + event);
    }

    // --------------------------------------------------------------------------- lifecycle

    /** The first process, registered before the run starts, with the controller's first image. */
    void start(PartitionImage initial) {
        registered = true;
        startTimers();
        applyImage(initial);
    }

    void crash(boolean keepSomeUnflushed) {
        if (image != null) {
            lastImageBeforeCrash = image;
        }
        up = false;
        long lost = log.crash(context.random(), keepSomeUnflushed);
        context.network().onCrash(id);
        resetVolatileState();
        trace("CRASH, lost " + lost + " unflushed records; log now " + log);
    }

    void restart() {
        up = true;
        incarnation++;
        resetVolatileState();
        trace("RESTART (incarnation " + incarnation + ") with log " + log);
        startTimers();
        if (context.bug(SimulationBug.RESTARTED_LEADER_RESUMES_ITS_EPOCH) && lastImageBeforeCrash != null) {
            registered = true; // as if the stale image were applied before the registration
            applyImage(lastImageBeforeCrash);
            registered = false;
        }
    }

    private void startTimers() {
        every(timing.heartbeatMs(), this::heartbeat);
        every(timing.isrCheckMs(), () -> {
            if (leader != null) {
                proposeIsrChange();
            }
        });
        every(timing.keepaliveMs(), this::keepalive);
    }

    /** Runs {@code action} every {@code periodMs} (first after a random part of it) while this process lives. */
    private void every(long periodMs, Runnable action) {
        int process = incarnation;
        long first = 1 + context.random().nextInt((int) periodMs);
        context.scheduler().schedule(first, null, new Runnable() {
            @Override
            public void run() {
                if (up && incarnation == process) {
                    action.run();
                    context.scheduler().schedule(periodMs, null, this);
                }
            }
        });
    }

    /** Runs {@code action} after {@code delayMs} if this process still lives then. */
    private void later(long delayMs, String what, Runnable action) {
        int process = incarnation;
        context.scheduler().schedule(delayMs, what == null ? null : new Timer(id, what), () -> {
            if (up && incarnation == process) {
                action.run();
            }
        });
    }

    // ----------------------------------------------------------------------------- messages

    void receive(int from, Object message) {
        if (message instanceof Push push) {
            onPush(push);
        } else if (message instanceof Position position) {
            onPosition(position);
        } else if (message instanceof EpochQuery query) {
            onEpochQuery(from, query);
        } else if (message instanceof EpochAnswer answer) {
            onEpochAnswer(answer);
        } else if (message instanceof MetadataPush push) {
            applyImage(push.image());
        } else if (message instanceof HeartbeatAnswer answer) {
            if (answer.error() == ErrorCode.STALE_BROKER_EPOCH) {
                registered = false;
            } else {
                applyImage(answer.image());
            }
        } else if (message instanceof RegisterAnswer answer) {
            if (!registered) {
                registered = true;
                trace("registered");
            }
            applyImage(answer.image());
        } else if (message instanceof AlterPartitionAnswer answer) {
            onAlterPartitionAnswer(answer);
        } else {
            throw new IllegalArgumentException(id + " got " + message);
        }
    }

    /** The other end of {@code stream} is gone (it broke, or was closed). */
    void streamBroken(long stream) {
        if (stream == streamId) {
            streamId = -1;
            started = false;
            scheduleRun(timing.backoffMs());
        }
        for (int f = 0; f < sessions.length; f++) {
            if (sessions[f] != null && sessions[f].streamId == stream) {
                sessions[f] = null;
            }
        }
    }

    private void heartbeat() {
        if (!registered) {
            context.network().send(id, SimulatedNetwork.CONTROLLER, new Register(id, incarnation));
        } else {
            context.network().send(id, SimulatedNetwork.CONTROLLER, new Heartbeat(id, incarnation, appliedIndex));
        }
    }

    // ------------------------------------------------------------------- metadata (Partition)

    /** {@code Partition.applyRegistration} and the fetcher hand-off of {@code ReplicaManager}, in metadata order. */
    private void applyImage(PartitionImage next) {
        if (!registered || next.index() <= appliedIndex) {
            return;
        }
        appliedIndex = next.index();
        image = next;
        boolean follow = false;
        if (next.leader() == id) {
            if (leader == null || leader.leaderEpoch() < next.leaderEpoch()) {
                becomeLeader(next);
            } else if (leader.partitionEpoch() < next.partitionEpoch()) {
                afterIsrChange(leader.onIsrChangeCommitted(next.isr(), next.partitionEpoch()));
            }
        } else {
            if (leader != null) {
                trace("no longer leads epoch " + leader.leaderEpoch() + " (" + next + ")");
                waiting.clear(); // NOT_LEADER_OR_FOLLOWER: the batches may or may not be committed
                leader = null;
                endSessions();
            }
            if (follower == null) {
                follower = new PartitionFollowerState(next.leader(), next.leaderEpoch());
                follow = true;
            } else if (next.leaderEpoch() > follower.leaderEpoch()
                    || (next.leaderEpoch() == follower.leaderEpoch() && next.leader() != follower.leaderId())) {
                follower.onLeaderChange(next.leader(), next.leaderEpoch());
                follow = true;
            }
        }
        if (next.leader() == id || next.leader() < 0) {
            unfollow();
        } else if (follow) {
            follow(next.leader());
        }
    }

    private void becomeLeader(PartitionImage registration) {
        waiting.clear();
        follower = null;
        int epoch = registration.leaderEpoch();
        log.assignLeaderEpoch(epoch);
        long logEnd = log.logEndOffset();
        long durable = context.bug(SimulationBug.HIGH_WATERMARK_IGNORES_LEADER_FLUSH) ? logEnd
                : Math.min(log.recoveryPoint(), logEnd);
        long hw = Math.min(highWatermark, logEnd);
        leader = new PartitionLeaderState(id, replicas, registration.isr(), epoch, registration.partitionEpoch(),
                timing.minInsyncReplicas(), timing.replicaLagTimeMaxMs(), logEnd, durable, hw, now());
        sessions = new Session[replicas.size()];
        trace("LEADS epoch " + epoch + " from " + logEnd + " (ISR " + registration.isr() + ", HW " + hw + ", durable "
                + durable + ") log " + log);
        context.becameLeader(id, epoch);
        if (durable < logEnd) {
            requestLeaderFlush(epoch);
        }
        if (leader.onLeaderFlushed(durable)) {
            afterHighWatermarkMove();
        }
    }

    // -------------------------------------------------------------------- produce (leader)

    /** A client's acks=all batch of one record; returns what happened, for the trace. */
    String produce(long value) {
        if (leader == null) {
            return "NOT_LEADER_OR_FOLLOWER";
        }
        int epoch = leader.leaderEpoch();
        if (leader.checkBeforeAppend(-1) != ErrorCode.NONE) {
            return "NOT_ENOUGH_REPLICAS (ISR " + leader.isr() + ")";
        }
        long offset = log.appendAsLeader(epoch, value);
        Entry entry = log.entry(offset);
        long logEnd = log.logEndOffset();
        boolean moved = leader.onLeaderAppend(logEnd,
                context.bug(SimulationBug.HIGH_WATERMARK_IGNORES_LEADER_FLUSH) ? logEnd : leader.durableEndOffset());
        Completion completion = leader.completionOf(offset);
        String outcome;
        if (completion == Completion.DONE) {
            context.acknowledged(id, epoch, offset, entry);
            outcome = "acknowledged at once";
        } else if (completion == Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND) {
            outcome = "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
        } else {
            waiting.put(offset, entry);
            outcome = "waiting";
        }
        if (moved) {
            afterHighWatermarkMove();
        }
        requestLeaderFlush(epoch);
        pumpAll();
        return "appended " + entry + " at " + offset + " in epoch " + epoch + ": " + outcome;
    }

    private void requestLeaderFlush(int epoch) {
        groupCommit(durable -> onLeaderFlushed(epoch, durable));
    }

    private void onLeaderFlushed(int epoch, long durable) {
        if (leader == null || leader.leaderEpoch() != epoch) {
            return;
        }
        if (leader.onLeaderFlushed(Math.min(durable, leader.logEndOffset()))) {
            afterHighWatermarkMove();
        }
    }

    /** {@code GroupCommit.flush}: one flush at a time; requests during it share the next one. */
    private void groupCommit(LongConsumer done) {
        nextFlushRound.add(done);
        if (!flushing) {
            startFlushRound();
        }
    }

    private void startFlushRound() {
        flushing = true;
        List<LongConsumer> served = nextFlushRound;
        nextFlushRound = new ArrayList<>();
        long target = log.logEndOffset();
        long version = log.structureVersion();
        long fsyncMs = 1 + context.random().nextInt(timing.maxFlushMs());
        if (context.random().nextDouble() < timing.slowFlushRate()) {
            fsyncMs += context.random().nextInt(timing.slowFlushMs()); // a latency spike of the disk
        }
        later(fsyncMs, "fsync up to " + target + " completes", () -> {
            log.completeFlush(target, version);
            flushing = false;
            long durable = log.recoveryPoint();
            if (!nextFlushRound.isEmpty()) {
                startFlushRound();
            }
            served.forEach(callback -> callback.accept(durable));
        });
    }

    private void afterHighWatermarkMove() {
        long hw = leader.highWatermark();
        highWatermark = hw;
        log.checkpointHighWatermark(hw);
        while (!waiting.isEmpty() && waiting.firstKey() < hw) {
            Map.Entry<Long, Entry> done = waiting.pollFirstEntry();
            context.acknowledged(id, leader.leaderEpoch(), done.getKey(), done.getValue());
        }
        pumpAll();
    }

    private void afterIsrChange(boolean highWatermarkMoved) {
        if (highWatermarkMoved) {
            afterHighWatermarkMove();
        }
        waiting.entrySet().removeIf(w -> leader.completionOf(w.getKey()) == Completion.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    }

    // ----------------------------------------------------------------- the leader's followers

    private ErrorCode checkFollower(int followerId, int followerEpoch) {
        if (leader == null) {
            return ErrorCode.NOT_LEADER_OR_FOLLOWER;
        }
        if (followerEpoch < leader.leaderEpoch()) {
            return ErrorCode.FENCED_LEADER_EPOCH;
        }
        if (followerEpoch > leader.leaderEpoch()) {
            return ErrorCode.UNKNOWN_LEADER_EPOCH;
        }
        if (followerId == id || !replicas.contains(followerId)) {
            return ErrorCode.NOT_LEADER_OR_FOLLOWER;
        }
        return ErrorCode.NONE;
    }

    private void onEpochQuery(int from, EpochQuery query) {
        ErrorCode error = checkFollower(query.followerId(), query.currentLeaderEpoch());
        EpochEnd end = error == ErrorCode.NONE ? log.endOffsetFor(query.requestedEpoch()) : EpochEnd.UNDEFINED;
        context.network().send(id, from, new EpochAnswer(query.queryId(), error, end));
    }

    private void onPosition(Position position) {
        int f = position.followerId();
        ErrorCode error = checkFollower(f, position.leaderEpoch());
        if (error == ErrorCode.NONE) {
            if (position.fetchOffset() > leader.logEndOffset() || position.fetchOffset() < 0) {
                error = ErrorCode.OFFSET_OUT_OF_RANGE;
            } else {
                if (leader.onFollowerFetch(f, position.fetchOffset(), now())) {
                    afterHighWatermarkMove();
                }
                proposeIsrChange();
            }
        }
        Session current = sessions[f];
        if (error != ErrorCode.NONE) {
            if (current != null && current.streamId == position.streamId()) {
                sessions[f] = null;
            }
            context.network().sendOnStream(position.streamId(), id, f, new Push(position.streamId(), id,
                    leader == null ? -1 : leader.leaderEpoch(), position.fetchOffset(), List.of(), -1, error));
            return;
        }
        if (current == null || position.streamId() > current.streamId
                || (position.streamId() == current.streamId && (position.reset() || current.epoch != position.leaderEpoch()))) {
            sessions[f] = new Session(position.streamId(), position.leaderEpoch(), position.fetchOffset());
        }
        pump(f);
    }

    private void pumpAll() {
        for (int f = 0; f < sessions.length; f++) {
            pump(f);
        }
    }

    /** Sends follower {@code f} what it lacks: records from where its stream is, or a newer HW. */
    private void pump(int f) {
        Session session = sessions[f];
        if (session == null || leader == null) {
            return;
        }
        if (session.epoch != leader.leaderEpoch()) {
            sessions[f] = null;
            context.network().sendOnStream(session.streamId, id, f, new Push(session.streamId, id, leader.leaderEpoch(),
                    session.sentOffset, List.of(), -1, ErrorCode.NOT_LEADER_OR_FOLLOWER));
            return;
        }
        long end = log.logEndOffset();
        long hw = leader.highWatermark();
        if (session.sentOffset < end) {
            long to = Math.min(end, session.sentOffset + timing.maxPushRecords());
            context.network().sendOnStream(session.streamId, id, f, new Push(session.streamId, id, session.epoch,
                    session.sentOffset, log.read(session.sentOffset, to), hw, ErrorCode.NONE));
            session.sentOffset = to;
            session.sentHighWatermark = hw;
        } else if (hw > session.sentHighWatermark) {
            context.network().sendOnStream(session.streamId, id, f, new Push(session.streamId, id, session.epoch,
                    session.sentOffset, List.of(), hw, ErrorCode.NONE));
            session.sentHighWatermark = hw;
        }
    }

    /** The leadership ended: every session is told so and dropped. */
    private void endSessions() {
        for (int f = 0; f < sessions.length; f++) {
            Session session = sessions[f];
            if (session != null) {
                context.network().sendOnStream(session.streamId, id, f, new Push(session.streamId, id, -1,
                        session.sentOffset, List.of(), -1, ErrorCode.NOT_LEADER_OR_FOLLOWER));
                sessions[f] = null;
            }
        }
    }

    // ------------------------------------------------------------------ ISR changes (leader)

    private void proposeIsrChange() {
        leader.proposeIsrChange(now()).ifPresent(change -> {
            trace("proposes ISR " + change.newIsr() + " (was " + leader.isr() + ", partition epoch "
                    + change.partitionEpoch() + ")");
            sendAlterPartition(change);
        });
    }

    private boolean isPending(IsrChange change) {
        return leader != null && leader.pendingIsrChange().equals(Optional.of(change));
    }

    private void sendAlterPartition(IsrChange change) {
        long request = context.nextId();
        outstandingAlters.put(request, change);
        context.network().send(id, SimulatedNetwork.CONTROLLER, new AlterPartition(request, id, incarnation, change));
        later(timing.rpcTimeoutMs(), null, () -> {
            if (outstandingAlters.remove(request) != null && isPending(change)) {
                sendAlterPartition(change); // the answer was lost: ask again while the change is pending
            }
        });
    }

    private void onAlterPartitionAnswer(AlterPartitionAnswer answer) {
        IsrChange sent = outstandingAlters.remove(answer.requestId());
        if (sent == null) {
            return; // answered after its timeout: the retry's answer counts
        }
        if (answer.error() != ErrorCode.NONE) {
            later(timing.alterPartitionRetryMs(), null, () -> {
                if (isPending(sent)) {
                    sendAlterPartition(sent);
                }
            });
            return;
        }
        // Partition.onIsrChangeResult
        if (!isPending(sent)) {
            return;
        }
        if (answer.leaderEpoch() == leader.leaderEpoch() && answer.partitionEpoch() > leader.partitionEpoch()
                && answer.isr().contains(id)) {
            trace("ISR is now " + answer.isr() + " (partition epoch " + answer.partitionEpoch() + ")");
            afterIsrChange(leader.onIsrChangeCommitted(answer.isr(), answer.partitionEpoch()));
        } else {
            trace("ISR change " + sent.newIsr() + " refused: " + answer.partitionError());
            leader.onIsrChangeFailed();
        }
    }

    // ---------------------------------------------------------------------- follower side

    /** The fetcher takes this partition towards {@code leaderId}: reconcile, then fetch. */
    private void follow(int leaderId) {
        if (fetchingFrom != leaderId) {
            closeStream();
            fetchingFrom = leaderId;
        }
        started = false;
        notBeforeMs = 0;
        outstandingQuery = -1;
        run();
    }

    private void unfollow() {
        closeStream();
        fetchingFrom = -1;
        started = false;
        outstandingQuery = -1;
    }

    private void closeStream() {
        if (streamId >= 0) {
            context.network().closeStream(streamId);
            streamId = -1;
        }
    }

    private void scheduleRun(long delayMs) {
        if (runScheduled) {
            return;
        }
        runScheduled = true;
        later(delayMs, "fetcher runs", () -> {
            runScheduled = false;
            run();
        });
    }

    /**
     * {@code ReplicaFetcher.run}: up to {@value #ROUNDS_PER_RUN} epoch questions, then start
     * fetching (or, still reconciling, run again after a backoff).
     */
    private void run() {
        roundsLeft = ROUNDS_PER_RUN;
        nextStep();
    }

    private record FollowerStep(int leaderId, int leaderEpoch, PartitionFollowerState.Action action) {}

    private Optional<FollowerStep> followerNext() {
        if (follower == null || follower.leaderId() < 0) {
            return Optional.empty();
        }
        return Optional.of(new FollowerStep(follower.leaderId(), follower.leaderEpoch(),
                follower.next(log.latestEpoch(), log.logEndOffset())));
    }

    private void nextStep() {
        if (fetchingFrom < 0 || started || outstandingQuery >= 0) {
            return;
        }
        if (now() < notBeforeMs) {
            scheduleRun(notBeforeMs - now());
            return;
        }
        Optional<FollowerStep> step = followerNext();
        if (step.isEmpty() || step.get().leaderId() != fetchingFrom) {
            return;
        }
        if (step.get().action() instanceof PartitionFollowerState.AskEpochEnd ask) {
            if (context.bug(SimulationBug.TRUNCATE_TO_HIGH_WATERMARK)
                    || context.bug(SimulationBug.FOLLOWER_SKIPS_TRUNCATION)) {
                long to = context.bug(SimulationBug.TRUNCATE_TO_HIGH_WATERMARK) ? log.checkpointedHighWatermark()
                        : log.logEndOffset();
                truncate(step.get().leaderEpoch(), ask.epoch(), new EpochEnd(ask.epoch(), to));
                nextStep();
                return;
            }
            if (roundsLeft == 0) {
                trace("still not reconciled after " + ROUNDS_PER_RUN + " rounds; runs again in "
                        + timing.backoffMs() + " ms");
                scheduleRun(timing.backoffMs());
                return;
            }
            roundsLeft--;
            long query = context.nextId();
            outstandingQuery = query;
            queryFollowingEpoch = step.get().leaderEpoch();
            queryRequestedEpoch = ask.epoch();
            context.network().send(id, fetchingFrom, new EpochQuery(query, id, step.get().leaderEpoch(), ask.epoch()));
            later(timing.rpcTimeoutMs(), null, () -> {
                if (outstandingQuery == query) {
                    outstandingQuery = -1; // lost: the blocking call times out
                    scheduleRun(timing.backoffMs());
                }
            });
            return;
        }
        if (streamId < 0) {
            streamId = context.network().openStream(id, fetchingFrom);
        }
        if (!context.bug(SimulationBug.FOLLOWER_REPORTS_LOG_END)) {
            log.flush(); // so that the position to send from is also durable
        }
        context.network().sendOnStream(streamId, id, fetchingFrom,
                new Position(streamId, id, step.get().leaderEpoch(), log.logEndOffset(), true));
        started = true;
    }

    private void onEpochAnswer(EpochAnswer answer) {
        if (answer.queryId() != outstandingQuery) {
            return;
        }
        outstandingQuery = -1;
        if (answer.error() != ErrorCode.NONE) {
            notBeforeMs = now() + timing.backoffMs();
            scheduleRun(timing.backoffMs());
            return;
        }
        truncate(queryFollowingEpoch, queryRequestedEpoch, answer.end());
        if (answer.end().isUndefined()) {
            notBeforeMs = now() + timing.backoffMs(); // the leader has not recorded its epoch yet
            scheduleRun(timing.backoffMs());
            return;
        }
        nextStep();
    }

    /**
     * {@code Partition.onEpochAnswer}: truncates as the epochs say; a truncation to the log end
     * removes no record but drops the epochs recorded there (unless
     * {@link SimulationBug#TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS}).
     */
    private boolean truncate(int followingEpoch, int requestedEpoch, EpochEnd answer) {
        if (follower == null || follower.leaderEpoch() != followingEpoch) {
            return false;
        }
        long logEnd = log.logEndOffset();
        Step step = follower.onEpochEnd(requestedEpoch, answer, log::endOffsetFor, logEnd);
        if (!step.isRetry() && step.truncateTo() < logEnd) {
            log.truncateTo(step.truncateTo());
            trace("truncates from " + logEnd + " to " + log.logEndOffset() + " (asked epoch " + requestedEpoch
                    + ", leader answered " + answer + ")");
            if (highWatermark > log.logEndOffset()) {
                highWatermark = log.logEndOffset();
            }
        } else if (!step.isRetry() && step.truncateTo() == logEnd
                && !context.bug(SimulationBug.TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS)) {
            log.truncateTo(logEnd); // drops an empty epoch at the end, or the same question comes back
        }
        return step.done();
    }

    private void onPush(Push push) {
        if (push.streamId() != streamId) {
            return; // a message of an old stream: gRPC delivers nothing of it
        }
        Optional<FollowerStep> step = followerNext();
        if (step.isEmpty() || step.get().leaderId() != fetchingFrom) {
            return;
        }
        if (push.error() != ErrorCode.NONE) {
            started = false;
            if (push.error() == ErrorCode.OFFSET_OUT_OF_RANGE) {
                reconcileAgain(step.get().leaderEpoch());
            } else {
                notBeforeMs = now() + timing.backoffMs();
            }
            scheduleRun(0);
            return;
        }
        FollowerAppend result = appendFromLeader(push);
        if (result == FollowerAppend.APPENDED && !push.records().isEmpty()) {
            long stream = streamId;
            if (context.bug(SimulationBug.FOLLOWER_REPORTS_LOG_END)) {
                sendPosition(stream);
            } else {
                groupCommit(durable -> sendPosition(stream));
            }
        } else if (result == FollowerAppend.RESYNC) {
            started = false;
            scheduleRun(0);
        }
    }

    /** After applying (and flushing) pushed records: the position, for the epoch followed now. */
    private void sendPosition(long stream) {
        if (stream != streamId) {
            return;
        }
        followerNext().ifPresent(step -> {
            if (step.leaderId() == fetchingFrom) {
                context.network().sendOnStream(stream, id, fetchingFrom,
                        new Position(stream, id, step.leaderEpoch(), followerPosition(), false));
            }
        });
    }

    /** {@code Partition.appendFromLeader}. */
    private FollowerAppend appendFromLeader(Push push) {
        if (follower == null || follower.leaderId() != push.leaderId() || follower.leaderEpoch() != push.leaderEpoch()
                || !follower.isReconciled()) {
            return FollowerAppend.IGNORED;
        }
        if (push.fromOffset() != log.logEndOffset()) {
            return FollowerAppend.RESYNC;
        }
        if (!push.records().isEmpty()) {
            log.appendAsFollower(push.records());
        }
        long hw = follower.onFetched(push.highWatermark(), log.logEndOffset());
        if (hw > highWatermark) {
            highWatermark = hw;
            log.checkpointHighWatermark(hw);
        }
        return FollowerAppend.APPENDED;
    }

    private void reconcileAgain(int followingEpoch) {
        if (follower != null && follower.leaderEpoch() == followingEpoch) {
            follower = new PartitionFollowerState(follower.leaderId(), follower.leaderEpoch());
        }
    }

    /** What this follower reports: what it has flushed (log.flush.on.ack). */
    private long followerPosition() {
        long logEnd = log.logEndOffset();
        return context.bug(SimulationBug.FOLLOWER_REPORTS_LOG_END) ? logEnd : Math.min(log.recoveryPoint(), logEnd);
    }

    private void keepalive() {
        if (started && streamId >= 0) {
            sendPosition(streamId);
        }
    }

    /** One line about this replica's state, for a failure report. */
    String describe() {
        StringBuilder s = new StringBuilder();
        s.append("replica ").append(id).append(up ? " up" : " DOWN").append(" (incarnation ").append(incarnation)
                .append(")");
        if (leader != null) {
            s.append(" leader of epoch ").append(leader.leaderEpoch()).append(" ISR ").append(leader.isr())
                    .append(" maximal ").append(leader.maximalIsr()).append(" HW ").append(leader.highWatermark())
                    .append(" durable ").append(leader.durableEndOffset());
        } else if (follower != null) {
            s.append(" follower of ").append(follower.leaderId()).append(" epoch ").append(follower.leaderEpoch())
                    .append(follower.isReconciled() ? " reconciled" : " reconciling").append(started ? " fetching" : "")
                    .append(" HW ").append(highWatermark);
        }
        s.append("; log ").append(log);
        return s.toString();
    }
}
