package io.brook.replication.simulation;

import io.brook.replication.PartitionLeaderState;
import io.brook.replication.simulation.Messages.Heartbeat;
import io.brook.replication.simulation.Messages.HeartbeatAnswer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * A deterministic simulation of one partition replicated on three brokers, built from the
 * replication module's real state machines ({@link SimulatedReplica}) and models of the rest: a
 * {@link ModelController}, a {@link SimulatedNetwork} and per-broker {@link SimulatedLog}s, all
 * driven by one {@link Scheduler} and one {@link Random} from the seed. A run is a function of its
 * seed (and of the {@link SimulationBug}s turned on): a failing seed replays exactly.
 *
 * <p>A run: a fault phase ({@code faultPhaseMs}) in which clients produce acks=all records, one
 * every few milliseconds with idle spells now and then (mostly to the current leader, sometimes to
 * any broker, so that a deposed leader that does not know it yet is written to), while a nemesis
 * crashes brokers (losing what they had not flushed, except for a random part of it in some seeds)
 * and restarts them, cuts a broker off from everyone, cuts a broker off from the controller only,
 * or cuts one link between brokers; then every link heals, every broker restarts, the network
 * stops losing messages, and a quiet phase ({@code quietPhaseMs}) lets the partition converge.
 * Each seed draws its own {@code min.insync.replicas} (2, or 1 in a quarter of the seeds), network
 * (loss 0 to 5%, delays up to 1..12 ms plus 2% of long ones, FIFO or reordered streams), disk
 * (fsync up to 2, 8 or 20 ms, 5% of them up to 60 ms slower) and how much unflushed data a crash
 * may leave. Time is scaled down from the real defaults: {@code replica.lag.time.max.ms} 100,
 * broker session timeout 120, heartbeats every 20 and follower keepalives every 25 ms.
 *
 * <p>Every event the scheduler runs is a step; after every step the enabled {@link Invariant}s
 * are checked (and {@link Invariant#CONVERGES_AFTER_FAULTS} at the end). A failure is a
 * {@link Failure} naming the invariant, the seed, the step, the configuration, every replica's
 * state and the last events.
 *
 * <p>Not thread-safe; one run per instance.
 */
public final class ReplicationProtocolSimulation {
    static final List<Integer> REPLICAS = List.of(0, 1, 2);

    static final long HEARTBEAT_MS = 20;
    static final long SESSION_TIMEOUT_MS = 120;
    static final long CONTROLLER_TICK_MS = 20;

    /** What to run. */
    public record Settings(long seed, Set<SimulationBug> bugs, Set<Invariant> checks, long faultPhaseMs,
            long quietPhaseMs, int traceLines) {
        public Settings {
            bugs = bugs.isEmpty() ? EnumSet.noneOf(SimulationBug.class) : EnumSet.copyOf(bugs);
            checks = checks.isEmpty() ? EnumSet.noneOf(Invariant.class) : EnumSet.copyOf(checks);
        }

        /** A normal run of {@code seed}: every check, no bug, the real code's behaviour. */
        public static Settings of(long seed) {
            return new Settings(seed, Set.of(), EnumSet.allOf(Invariant.class), 1_500, 1_000, 120);
        }

        public Settings withBug(SimulationBug bug) {
            return new Settings(seed, Set.of(bug), checks, faultPhaseMs, quietPhaseMs, traceLines);
        }

        public Settings withChecks(Set<Invariant> only) {
            return new Settings(seed, bugs, only, faultPhaseMs, quietPhaseMs, traceLines);
        }

        public Settings withTraceLines(int lines) {
            return new Settings(seed, bugs, checks, faultPhaseMs, quietPhaseMs, lines);
        }
    }

    /** What a passing run did. */
    public record Result(long seed, long steps, long simulatedMs, long produced, long acknowledged, long crashes,
            long partitions, long leaderships, long truncations, long messages, long lostMessages,
            long stepsWithTwoLeaders, long acknowledgedByDeposedLeaders) {}

    /** An invariant failed (or the model broke) at a step of a seed. */
    public static final class Failure extends AssertionError {
        private static final long serialVersionUID = 1L;
        private final Invariant invariant;
        private final long seed;

        Failure(Invariant invariant, long seed, String message) {
            super(message);
            this.invariant = invariant;
            this.seed = seed;
        }

        /** The invariant that failed, or null for an exception in the model or the code under test. */
        public Invariant invariant() {
            return invariant;
        }

        public long seed() {
            return seed;
        }
    }

    /** Thrown inside a step; turned into a {@link Failure} with the context. */
    private static final class Violation extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Invariant invariant;

        Violation(Invariant invariant, String message) {
            super(message, null, false, false);
            this.invariant = invariant;
        }
    }

    private record Acknowledged(long offset, Entry entry, int leader, int epoch) {}

    private final Settings settings;
    private final Random random;
    private final Scheduler scheduler = new Scheduler();
    private final SimulatedNetwork network;
    private final ModelController controller;
    private final SimulatedReplica[] replicas = new SimulatedReplica[REPLICAS.size()];
    private final int minInsyncReplicas;
    private final double keepUnflushedRate;
    private final String configuration;

    private final ArrayDeque<TraceLine> trace = new ArrayDeque<>();
    private final List<Acknowledged> acknowledged = new ArrayList<>();
    private final Map<Long, Entry> acknowledgedByOffset = new HashMap<>();
    private long acknowledgedEnd;
    private final long[] verifiedVersion = new long[REPLICAS.size()];
    private final int[] verifiedCount = new int[REPLICAS.size()];
    private final Map<Integer, Integer> leaderOfEpoch = new HashMap<>();
    private final Map<Integer, Long> highWatermarkOfEpoch = new HashMap<>();
    private long nextId = 1;
    private long nextValue = 1;
    private long steps;
    private long produced;
    private long crashes;
    private long partitions;
    private long truncations;
    private long stepsWithTwoLeaders;
    private long acknowledgedByDeposedLeaders;
    private boolean faultsOver;

    private ReplicationProtocolSimulation(Settings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.minInsyncReplicas = random.nextInt(4) == 0 ? 1 : 2;
        double[] lossRates = {0, 0.005, 0.02, 0.05};
        SimulatedNetwork.Settings net = new SimulatedNetwork.Settings(lossRates[random.nextInt(lossRates.length)],
                1 + random.nextInt(12), 0.02, 80, random.nextBoolean());
        this.keepUnflushedRate = random.nextInt(3) * 0.25;
        this.network = new SimulatedNetwork(scheduler, random, net);
        int[] flushMs = {2, 8, 20};
        SimulatedReplica.Timing timing = new SimulatedReplica.Timing(HEARTBEAT_MS, 25, 50, 20, 50, 20, 100,
                flushMs[random.nextInt(flushMs.length)], 0.05, 60, 4, minInsyncReplicas);
        this.configuration = "min.insync.replicas=" + minInsyncReplicas + ", " + net + ", keepUnflushedRate="
                + keepUnflushedRate + ", " + timing + ", bugs " + settings.bugs();
        this.controller = new ModelController(new ModelController.Context() {
            @Override
            public long nowMs() {
                return scheduler.nowMs();
            }

            @Override
            public void send(int to, Object message) {
                network.send(SimulatedNetwork.CONTROLLER, to, message);
            }

            @Override
            public boolean bug(SimulationBug bug) {
                return settings.bugs().contains(bug);
            }

            @Override
            public void trace(String event) {
                ReplicationProtocolSimulation.this.trace((Object) event);
            }
        }, REPLICAS, SESSION_TIMEOUT_MS);
        SimulatedReplica.Context context = new SimulatedReplica.Context() {
            @Override
            public Scheduler scheduler() {
                return scheduler;
            }

            @Override
            public SimulatedNetwork network() {
                return network;
            }

            @Override
            public Random random() {
                return random;
            }

            @Override
            public boolean bug(SimulationBug bug) {
                return settings.bugs().contains(bug);
            }

            @Override
            public void trace(String event) {
                if (event.contains("truncates")) {
                    truncations++;
                }
                ReplicationProtocolSimulation.this.trace((Object) event);
            }

            @Override
            public long nextId() {
                return nextId++;
            }

            @Override
            public void becameLeader(int replica, int epoch) {
                onBecameLeader(replica, epoch);
            }

            @Override
            public void acknowledged(int replica, int epoch, long offset, Entry entry) {
                onAcknowledged(replica, epoch, offset, entry);
            }
        };
        for (int id : REPLICAS) {
            replicas[id] = new SimulatedReplica(id, REPLICAS, context, timing);
        }
        network.attach(new SimulatedNetwork.Nodes() {
            @Override
            public boolean isUp(int node) {
                return node == SimulatedNetwork.CONTROLLER || replicas[node].isUp();
            }

            @Override
            public int incarnation(int node) {
                return node == SimulatedNetwork.CONTROLLER ? 0 : replicas[node].incarnation();
            }

            @Override
            public void deliver(int from, int to, Object message) {
                if (to == SimulatedNetwork.CONTROLLER) {
                    controller.receive(from, message);
                } else {
                    replicas[to].receive(from, message);
                }
            }

            @Override
            public void streamBroken(int node, long streamId) {
                replicas[node].streamBroken(streamId);
            }
        });
    }

    /** Runs {@code settings}; returns what the run did, or throws a {@link Failure}. */
    public static Result run(Settings settings) {
        return new ReplicationProtocolSimulation(settings).run();
    }

    private Result run() {
        long end = settings.faultPhaseMs() + settings.quietPhaseMs();
        try {
            for (SimulatedReplica replica : replicas) {
                replica.start(controller.image());
            }
            every(CONTROLLER_TICK_MS, controller::tick);
            scheduleNextProduce(end - 400);
            scheduleNextFault();
            scheduler.schedule(settings.faultPhaseMs(), "faults stop; everything heals", this::healEverything);
            checkInvariants();
            while (scheduler.nextDueMs() <= end) {
                Object label = scheduler.runNext();
                steps++;
                if (label != null && !isNoise(label)) {
                    trace(label);
                }
                checkInvariants();
            }
            if (settings.checks().contains(Invariant.CONVERGES_AFTER_FAULTS)) {
                checkConverged();
            }
        } catch (Violation v) {
            throw failure(v.invariant, v.getMessage(), null);
        } catch (RuntimeException e) {
            throw failure(null, "unexpected " + e, e);
        }
        long leaderships = leaderOfEpoch.size();
        return new Result(settings.seed(), steps, scheduler.nowMs(), produced, acknowledged.size(), crashes, partitions,
                leaderships, truncations, network.sentCount(), network.lostCount(), stepsWithTwoLeaders,
                acknowledgedByDeposedLeaders);
    }

    /** Heartbeats and their answers would crowd the trace out. */
    private static boolean isNoise(Object label) {
        return label instanceof SimulatedNetwork.Delivery d
                && (d.message() instanceof Heartbeat || d.message() instanceof HeartbeatAnswer);
    }

    private void every(long periodMs, Runnable action) {
        scheduler.schedule(periodMs, null, new Runnable() {
            @Override
            public void run() {
                action.run();
                scheduler.schedule(periodMs, null, this);
            }
        });
    }

    /** A line of the trace: rendered only when a failure is reported. */
    private record TraceLine(long atMs, Object event) {
        @Override
        public String toString() {
            return atMs + "ms " + event;
        }
    }

    private void trace(Object event) {
        trace.addLast(new TraceLine(scheduler.nowMs(), event));
        if (trace.size() > settings.traceLines()) {
            trace.removeFirst();
        }
    }

    // --------------------------------------------------------------------------- workload

    private void scheduleNextProduce(long stopMs) {
        long delay = 2 + random.nextInt(15);
        if (random.nextInt(40) == 0) {
            delay += 50 + random.nextInt(350); // an idle spell: leaders elected meanwhile write nothing
        }
        if (scheduler.nowMs() + delay >= stopMs) {
            return;
        }
        scheduler.schedule(delay, null, () -> {
            int target = controller.leader() >= 0 && random.nextInt(4) != 0 ? controller.leader()
                    : REPLICAS.get(random.nextInt(REPLICAS.size()));
            SimulatedReplica replica = replicas[target];
            if (replica.isUp()) {
                long value = nextValue++;
                produced++;
                trace("produce " + value + " to " + target + ": " + replica.produce(value));
            }
            scheduleNextProduce(stopMs);
        });
    }

    // ---------------------------------------------------------------------------- nemesis

    private void scheduleNextFault() {
        scheduler.schedule(20 + random.nextInt(250), null, () -> {
            if (faultsOver) {
                return;
            }
            injectFault();
            scheduleNextFault();
        });
    }

    private void injectFault() {
        int replica = REPLICAS.get(random.nextInt(REPLICAS.size()));
        int kind = random.nextInt(100);
        long duration = 20 + random.nextInt(480);
        if (kind < 40) {
            if (replicas[replica].isUp()) {
                crashes++;
                replicas[replica].crash(random.nextDouble() < keepUnflushedRate);
                scheduler.schedule(10 + random.nextInt(400), "restart " + replica, () -> {
                    if (!replicas[replica].isUp()) {
                        replicas[replica].restart();
                    }
                });
            }
        } else if (kind < 65) {
            partitions++;
            trace("PARTITION: " + replica + " cut off from everyone for " + duration + " ms");
            for (int node = 0; node < SimulatedNetwork.NODES; node++) {
                if (node != replica) {
                    cutFor(replica, node, duration);
                }
            }
        } else if (kind < 85) {
            partitions++;
            trace("PARTITION: " + replica + " cut off from the controller for " + duration + " ms");
            cutFor(replica, SimulatedNetwork.CONTROLLER, duration);
        } else {
            int other = REPLICAS.get((replica + 1 + random.nextInt(REPLICAS.size() - 1)) % REPLICAS.size());
            partitions++;
            trace("PARTITION: link " + replica + "-" + other + " cut for " + duration + " ms");
            cutFor(replica, other, duration);
        }
    }

    private void cutFor(int a, int b, long durationMs) {
        network.cut(a, b);
        scheduler.schedule(durationMs, "heal link " + a + "-" + b, () -> network.heal(a, b));
    }

    private void healEverything() {
        faultsOver = true;
        network.healAll();
        network.calm();
        for (SimulatedReplica replica : replicas) {
            if (!replica.isUp()) {
                replica.restart();
            }
        }
    }

    // -------------------------------------------------------------------------- invariants

    private boolean checking(Invariant invariant) {
        return settings.checks().contains(invariant);
    }

    private void onBecameLeader(int replica, int epoch) {
        Integer previous = leaderOfEpoch.putIfAbsent(epoch, replica);
        if (checking(Invariant.ONE_LEADER_PER_EPOCH) && previous != null && previous != replica) {
            throw new Violation(Invariant.ONE_LEADER_PER_EPOCH, "replica " + replica + " became leader of epoch " + epoch
                    + ", which replica " + previous + " led");
        }
    }

    private void onAcknowledged(int replica, int epoch, long offset, Entry entry) {
        Entry earlier = acknowledgedByOffset.putIfAbsent(offset, entry);
        if (earlier != null && !earlier.equals(entry) && checking(Invariant.ACKNOWLEDGED_RECORD_LOST)) {
            throw new Violation(Invariant.ACKNOWLEDGED_RECORD_LOST, "leader " + replica + " (epoch " + epoch
                    + ") acknowledged " + entry + " at offset " + offset + ", where " + earlier
                    + " was acknowledged before");
        }
        acknowledged.add(new Acknowledged(offset, entry, replica, epoch));
        if (epoch < controller.leaderEpoch()) {
            acknowledgedByDeposedLeaders++;
        }
        acknowledgedEnd = Math.max(acknowledgedEnd, offset + 1);
        trace(replica + ": ACK " + entry + " at " + offset + " (epoch " + epoch + ")");
    }

    private void checkInvariants() {
        List<Integer> isr = controller.isr();
        int acting = 0;
        for (SimulatedReplica replica : replicas) {
            Optional<PartitionLeaderState> state = replica.isUp() ? replica.leaderState() : Optional.empty();
            if (state.isEmpty()) {
                continue;
            }
            if (++acting == 2) {
                stepsWithTwoLeaders++;
            }
            int epoch = state.get().leaderEpoch();
            long hw = state.get().highWatermark();
            Long highest = highWatermarkOfEpoch.get(epoch);
            if (checking(Invariant.HIGH_WATERMARK_DECREASED) && highest != null && hw < highest) {
                throw new Violation(Invariant.HIGH_WATERMARK_DECREASED, "the HW of epoch " + epoch + " went back from "
                        + highest + " to " + hw + " (leader " + replica.id + ")");
            }
            highWatermarkOfEpoch.merge(epoch, hw, Math::max);
            if (checking(Invariant.ISR_DISAGREES_BELOW_HIGH_WATERMARK)) {
                for (int member : isr) {
                    SimulatedLog other = replicas[member].log;
                    if (other.logEndOffset() < hw || other.prefixHash(hw) != replica.log.prefixHash(hw)) {
                        long at = replica.log.firstDifference(other, hw);
                        throw new Violation(Invariant.ISR_DISAGREES_BELOW_HIGH_WATERMARK, "ISR replica " + member
                                + (at >= other.logEndOffset() ? " lacks offset " + at : " has "
                                        + other.entry(at) + " at offset " + at + " where leader " + replica.id
                                        + " has " + replica.log.entry(at)) + ", below the HW " + hw + " of epoch "
                                + epoch + " (ISR " + isr + ")");
                    }
                }
            }
        }
        for (int member : isr) {
            if (checking(Invariant.ACKNOWLEDGED_RECORD_LOST)) {
                checkAcknowledgedHeldBy(member);
            }
            if (checking(Invariant.ACKNOWLEDGED_RECORD_NOT_DURABLE) && replicas[member].log.recoveryPoint() < acknowledgedEnd) {
                throw new Violation(Invariant.ACKNOWLEDGED_RECORD_NOT_DURABLE, "ISR replica " + member
                        + " has flushed only below " + replicas[member].log.recoveryPoint() + ", but offset "
                        + (acknowledgedEnd - 1) + " was acknowledged");
            }
        }
    }

    /** Every acknowledged record is in {@code member}'s log; incremental while its log was not truncated. */
    private void checkAcknowledgedHeldBy(int member) {
        SimulatedLog log = replicas[member].log;
        if (log.structureVersion() != verifiedVersion[member]) {
            verifiedVersion[member] = log.structureVersion();
            verifiedCount[member] = 0;
        }
        for (int i = verifiedCount[member]; i < acknowledged.size(); i++) {
            Acknowledged a = acknowledged.get(i);
            if (a.offset() >= log.logEndOffset() || !log.entry(a.offset()).equals(a.entry())) {
                throw new Violation(Invariant.ACKNOWLEDGED_RECORD_LOST, "ISR replica " + member + " (ISR "
                        + controller.isr() + ") lost " + a.entry() + " at offset " + a.offset() + ", acknowledged by "
                        + "leader " + a.leader() + " in epoch " + a.epoch() + ": it has "
                        + (a.offset() < log.logEndOffset() ? log.entry(a.offset()).toString() : "no such offset"));
            }
        }
        verifiedCount[member] = acknowledged.size();
    }

    private void checkConverged() {
        int leaderId = controller.leader();
        String problem = null;
        if (leaderId < 0) {
            problem = "no leader";
        } else if (!controller.isr().containsAll(REPLICAS)) {
            problem = "the ISR is " + controller.isr();
        } else {
            SimulatedReplica leader = replicas[leaderId];
            Optional<PartitionLeaderState> state = leader.leaderState();
            long end = leader.log.logEndOffset();
            if (state.isEmpty() || state.get().leaderEpoch() != controller.leaderEpoch()) {
                problem = "replica " + leaderId + " does not act as the leader of epoch " + controller.leaderEpoch();
            } else if (state.get().highWatermark() != end) {
                problem = "the HW " + state.get().highWatermark() + " is below the log end " + end;
            } else {
                for (SimulatedReplica replica : replicas) {
                    if (replica.log.logEndOffset() != end || replica.log.prefixHash(end) != leader.log.prefixHash(end)) {
                        problem = "replica " + replica.id + "'s log differs from the leader's";
                    }
                }
            }
        }
        if (problem != null) {
            throw new Violation(Invariant.CONVERGES_AFTER_FAULTS, settings.quietPhaseMs()
                    + " ms after the faults stopped: " + problem);
        }
    }

    private Failure failure(Invariant invariant, String message, Throwable cause) {
        StringBuilder s = new StringBuilder();
        s.append(invariant == null ? "FAILED" : invariant.name()).append(": ").append(message).append('\n');
        s.append("seed ").append(settings.seed()).append(", step ").append(steps).append(", at ")
                .append(scheduler.nowMs()).append(" ms; ").append(configuration).append('\n');
        s.append("replay: mvn -B -o -q -pl replication -am verify -Dtest=ReplicationProtocolSimulationTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dbrook.simulation.seed=").append(settings.seed()).append('\n');
        s.append("controller: ").append(controller.image()).append('\n');
        for (SimulatedReplica replica : replicas) {
            s.append(replica.describe()).append('\n');
        }
        s.append("acknowledged: ").append(acknowledged.size()).append(" records below ").append(acknowledgedEnd)
                .append('\n');
        s.append("last ").append(trace.size()).append(" events:\n");
        for (TraceLine line : trace) {
            s.append("  ").append(line).append('\n');
        }
        Failure failure = new Failure(invariant, settings.seed(), s.toString());
        if (cause != null) {
            failure.initCause(cause);
        }
        return failure;
    }
}
