package io.brook.replication.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.replication.simulation.ReplicationProtocolSimulation.Failure;
import io.brook.replication.simulation.ReplicationProtocolSimulation.Result;
import io.brook.replication.simulation.ReplicationProtocolSimulation.Settings;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The deterministic simulation of the replication protocol ({@link ReplicationProtocolSimulation})
 * over many seeds, and its negative controls.
 *
 * <p><b>Seeds.</b> {@link #acknowledgedRecordsSurviveAndThePartitionConverges} runs
 * {@code brook.simulation.seeds} seeds (400) from the seed surefire passes as {@code QT_SEED} (fixed
 * in the parent POM; {@code -Dqt.seed=<n>} explores another range, as for the property tests), on
 * the model of the code as it is, with every invariant: the safety checks after every step and
 * convergence at the end. A failure prints its invariant, seed, step, configuration, every
 * replica's state and the last events, and the command that replays it alone with the whole trace
 * ({@code -Dbrook.simulation.seed=<seed>}). A seed names a run of this version of the simulation:
 * changing the model reshuffles what every seed does.
 *
 * <p><b>The bug it found.</b> A deposed leader that wrote nothing in its epoch never rejoined the
 * ISR: its truncation to its log end kept the empty epoch, so it asked the same OffsetForLeaderEpoch
 * question for ever. Fixed in {@code PartitionLog.truncateTo} (at the log end it drops the epochs
 * recorded there), {@code Partition.onEpochAnswer} (it calls {@code truncateTo(logEnd)} when the
 * step truncates to the log end) and {@code ReplicaFetcher} (after 16 rounds it runs again after
 * a backoff instead of stopping); the model has the fix, and
 * {@link #aDeposedLeaderThatWroteNothingRejoinsTheIsr} pins the seed that showed it.
 * {@link SimulationBug#TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS} restores the old truncation as a
 * negative control.
 *
 * <p><b>Negative controls.</b> Each {@link SimulationBug} breaks one rule in the simulation's model
 * of the broker or the controller (never in the replication module). With only the invariant that
 * is meant to catch it enabled, the simulation must go red within {@link #CONTROL_SEEDS} seeds
 * ({@link #LIVENESS_CONTROL_SEEDS} for the one caught by convergence),
 * naming that invariant; the test prints the seed and the headline. What each caught when written
 * (in this version of the model):
 *
 * <ul>
 *   <li>{@code FOLLOWER_REPORTS_LOG_END}: ACKNOWLEDGED_RECORD_LOST at seed 20261122: a follower
 *       that never flushed crashed and came back without 26 records the leader had counted it for.
 *   <li>{@code HIGH_WATERMARK_IGNORES_LEADER_FLUSH}: ACKNOWLEDGED_RECORD_LOST at 20261157: the
 *       leader acknowledged records during a slow fsync and crashed before it completed.
 *   <li>{@code TRUNCATE_TO_HIGH_WATERMARK}: ACKNOWLEDGED_RECORD_LOST at 20261125: a follower of a
 *       new leader cut acknowledged records above its lagging HW while in the ISR.
 *   <li>{@code ELECTION_IGNORES_ISR}: ACKNOWLEDGED_RECORD_LOST at 20261127: an out-of-sync
 *       replica led and became the whole ISR.
 *   <li>{@code FOLLOWER_SKIPS_TRUNCATION}: ISR_DISAGREES_BELOW_HIGH_WATERMARK at 20261122: a
 *       follower kept a deposed leader's uncommitted suffix and the HW passed it.
 *   <li>{@code RESTARTED_LEADER_RESUMES_ITS_EPOCH}: HIGH_WATERMARK_DECREASED at 20261124: a
 *       restarted leader led its old epoch again from HW 0.
 *   <li>{@code ELECTION_KEEPS_LEADER_EPOCH}: ONE_LEADER_PER_EPOCH at 20261122, the first election.
 *   <li>{@code TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS}: CONVERGES_AFTER_FAULTS at 20261230, the
 *       seed of {@link #aDeposedLeaderThatWroteNothingRejoinsTheIsr}: replica 1 was still asking
 *       about its empty epoch 1, 16 rounds every 20 ms, when the quiet phase ended.
 * </ul>
 */
class ReplicationProtocolSimulationTest {
    private static final long FIRST_SEED = Long.getLong("QT_SEED", 20261122L);
    private static final int SEEDS = Integer.getInteger("brook.simulation.seeds", 400);
    private static final Long REPLAY_SEED = Long.getLong("brook.simulation.seed");
    /** How many seeds a negative control of a safety rule may take to go red. */
    static final int CONTROL_SEEDS = 100;
    /**
     * How many seeds {@link SimulationBug#TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS} may take: it
     * needs a rare history (a leader that wrote nothing, deposed without restarting and not
     * restarted before the faults stop), 13 of the first 2,500 seeds, the first at 20261230.
     */
    static final int LIVENESS_CONTROL_SEEDS = 500;

    @Test
    void acknowledgedRecordsSurviveAndThePartitionConverges() {
        runSeeds("as the code is", Settings::of);
    }

    /**
     * The seed that showed the bug the simulation found (20261230 of this version): replica 1
     * became leader of epoch 1 at offset 19 and wrote nothing in it (alone in the ISR with
     * min.insync.replicas=2, its produces were refused, and then none came), was cut off from the
     * controller and deposed without restarting (replica 0 led epoch 2 from the same offset 19).
     * Following the new leader, replica 1 asks where epoch 1, its latest (recorded at its log end),
     * ends; the leader answers that epoch 0 ends at 19, replica 1's own log end, so the round
     * truncates to the log end. That truncation now drops epoch 1, the next question is about epoch
     * 0, and replica 1 fetches and rejoins the ISR. With the old truncation
     * ({@link SimulationBug#TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS}) the same seed still asks
     * about epoch 1 round after round and never converges, which shows the seed still reaches the
     * case.
     *
     * <p>Since 2026-12-02 a leader proposes a follower back into the ISR only when it was caught up
     * within {@code replica.lag.time.max.ms} (a silent follower was flapping in and out), which
     * moves every trajectory: seed 20261230 no longer reaches the case. 20261236 does (found by
     * searching the seeds for one that never converges with the old truncation and passes without
     * it): there replica 0 is the one left reconciling round after round.
     */
    @Test
    void aDeposedLeaderThatWroteNothingRejoinsTheIsr() {
        long seed = 20261236L;
        ReplicationProtocolSimulation.run(Settings.of(seed));

        Failure failure = assertThrows(Failure.class, () -> ReplicationProtocolSimulation.run(Settings.of(seed)
                .withBug(SimulationBug.TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS).withTraceLines(Integer.MAX_VALUE)));
        assertEquals(Invariant.CONVERGES_AFTER_FAULTS, failure.invariant(), failure.getMessage());
        assertTrue(failure.getMessage().contains("0: still not reconciled after 16 rounds"), failure.getMessage());
        assertTrue(failure.getMessage().contains("replica 0 up (incarnation 0) follower of 1 epoch 7 reconciling"),
                failure.getMessage());
    }

    @ParameterizedTest
    @EnumSource(SimulationBug.class)
    void negativeControlGoesRed(SimulationBug bug) {
        Invariant expected = caughtBy(bug);
        int budget = expected == Invariant.CONVERGES_AFTER_FAULTS ? LIVENESS_CONTROL_SEEDS : CONTROL_SEEDS;
        for (long seed = FIRST_SEED; seed < FIRST_SEED + budget; seed++) {
            try {
                ReplicationProtocolSimulation.run(Settings.of(seed).withBug(bug).withChecks(EnumSet.of(expected)));
            } catch (Failure failure) {
                assertEquals(expected, failure.invariant(), failure.getMessage());
                String message = failure.getMessage();
                System.out.println(bug + " is caught at seed " + seed + ": " + message.substring(0, message.indexOf('\n')));
                return;
            }
        }
        fail(bug + " went unnoticed by " + expected + " over " + budget + " seeds from " + FIRST_SEED);
    }

    static Invariant caughtBy(SimulationBug bug) {
        return switch (bug) {
            case FOLLOWER_REPORTS_LOG_END, HIGH_WATERMARK_IGNORES_LEADER_FLUSH, TRUNCATE_TO_HIGH_WATERMARK,
                    ELECTION_IGNORES_ISR -> Invariant.ACKNOWLEDGED_RECORD_LOST;
            case FOLLOWER_SKIPS_TRUNCATION -> Invariant.ISR_DISAGREES_BELOW_HIGH_WATERMARK;
            case RESTARTED_LEADER_RESUMES_ITS_EPOCH -> Invariant.HIGH_WATERMARK_DECREASED;
            case ELECTION_KEEPS_LEADER_EPOCH -> Invariant.ONE_LEADER_PER_EPOCH;
            case TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS -> Invariant.CONVERGES_AFTER_FAULTS;
        };
    }

    private interface Variant {
        Settings of(long seed);
    }

    /** Runs the seeds (or only {@code -Dbrook.simulation.seed}, with the whole trace) and prints what they did. */
    private static void runSeeds(String what, Variant variant) {
        if (REPLAY_SEED != null) {
            Result result = ReplicationProtocolSimulation.run(variant.of(REPLAY_SEED).withTraceLines(Integer.MAX_VALUE));
            System.out.println("seed " + REPLAY_SEED + " " + what + " passed: " + result);
            return;
        }
        long steps = 0;
        long acknowledged = 0;
        long crashes = 0;
        long partitions = 0;
        long leaderships = 0;
        long truncations = 0;
        long twoLeaders = 0;
        long deposedAcks = 0;
        for (long seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
            Result result = ReplicationProtocolSimulation.run(variant.of(seed));
            steps += result.steps();
            acknowledged += result.acknowledged();
            crashes += result.crashes();
            partitions += result.partitions();
            leaderships += result.leaderships();
            truncations += result.truncations();
            twoLeaders += result.stepsWithTwoLeaders();
            deposedAcks += result.acknowledgedByDeposedLeaders();
        }
        System.out.println(SEEDS + " seeds from " + FIRST_SEED + " " + what + ": " + steps + " steps, " + acknowledged
                + " acknowledged records, " + crashes + " crashes, " + partitions + " partitions, " + leaderships
                + " leaderships, " + truncations + " truncations, " + twoLeaders + " steps with two acting leaders, "
                + deposedAcks + " records acknowledged by a leader already deposed");
    }
}
