package io.brook.replication.simulation;

/**
 * Changes to the broker or the storage engine that the simulation found necessary, modelled here
 * until the real code has them. A normal run mirrors the real code (none on); a test turns one on
 * to show that it mends what the simulation found.
 */
public enum ProposedFix {
    /**
     * A follower's reconciliation round that truncates <em>to its log end</em> also drops the
     * leader epochs recorded at the log end (an epoch the follower led without writing anything).
     * Today {@code Partition.onEpochAnswer} truncates only below the log end and
     * {@code PartitionLog.truncateTo} does nothing at or past it, so such an epoch stays the
     * follower's latest: it asks the leader about it again and again, gets the same answer (an
     * older epoch ending at the follower's log end), and never fetches (the fetcher gives up after
     * 16 rounds until something else restarts it). The replica stays out of the ISR until its
     * broker restarts (reopening a log forgets an epoch with nothing written).
     */
    TRUNCATION_AT_LOG_END_DROPS_ITS_EMPTY_EPOCHS
}
