package io.brook.replication.simulation;

/**
 * Rules the simulation can break on purpose, in its own model of the broker and the controller
 * (never in the replication module's code), to show that the invariant checks catch what they
 * are for. A normal run has none; each negative control in {@code ReplicationProtocolSimulationTest}
 * turns one on and expects the simulation to fail with the named invariant.
 */
public enum SimulationBug {
    /**
     * A follower reports its log end instead of its flushed end (and does not flush before
     * starting a fetch), while crashes lose unflushed data: the HW counts records a follower can
     * lose. Caught by {@link Invariant#ACKNOWLEDGED_RECORD_LOST} once a follower crashes.
     */
    FOLLOWER_REPORTS_LOG_END,
    /**
     * The leader tells its state that everything it appended is durable ({@code onLeaderAppend(leo,
     * leo)}): the HW ignores the leader's own flushed end. Caught by
     * {@link Invariant#ACKNOWLEDGED_RECORD_LOST} once the leader crashes before its flush.
     */
    HIGH_WATERMARK_IGNORES_LEADER_FLUSH,
    /**
     * A follower of a new leader or epoch truncates to its (checkpointed) high watermark instead
     * of asking where its epochs end (Kafka before KIP-101). Caught by
     * {@link Invariant#ACKNOWLEDGED_RECORD_LOST}: a follower's HW lags the leader's, so it drops
     * acknowledged records while in the ISR.
     */
    TRUNCATE_TO_HIGH_WATERMARK,
    /**
     * The controller elects the first live replica in assignment order whether or not it is in the
     * ISR (which then becomes just the leader), as an always-unclean election. Caught by
     * {@link Invariant#ACKNOWLEDGED_RECORD_LOST}.
     */
    ELECTION_IGNORES_ISR,
    /**
     * A follower of a new leader or epoch skips reconciliation and fetches from its own log end,
     * keeping a suffix the leader never had. Caught by {@link Invariant#ISR_DISAGREES_BELOW_HIGH_WATERMARK}.
     */
    FOLLOWER_SKIPS_TRUNCATION,
    /**
     * A restarted broker acts on the last registration it saw before it died (as if it replayed a
     * stale metadata image before catching up): it leads its old epoch again, from a log that lost
     * its unflushed records and with the HW it starts with after a restart. Caught by
     * {@link Invariant#HIGH_WATERMARK_DECREASED}.
     */
    RESTARTED_LEADER_RESUMES_ITS_EPOCH,
    /**
     * The controller moves the leadership without a new leader epoch. Caught by
     * {@link Invariant#ONE_LEADER_PER_EPOCH}.
     */
    ELECTION_KEEPS_LEADER_EPOCH,
    /**
     * A follower's truncation to exactly its log end keeps the leader epochs recorded there with
     * nothing written, as the broker did before the fix the simulation found (then
     * {@code Partition.onEpochAnswer} truncated only below the log end and
     * {@code PartitionLog.truncateTo} did nothing at it). A deposed leader that wrote nothing in
     * its epoch keeps that epoch as its latest, asks the new leader where it ends, gets an older
     * epoch ending at its own log end, and asks the same again for ever: it never fetches and never
     * rejoins the ISR. Caught by {@link Invariant#CONVERGES_AFTER_FAULTS}.
     */
    TRUNCATION_AT_LOG_END_KEEPS_EMPTY_EPOCHS
}
