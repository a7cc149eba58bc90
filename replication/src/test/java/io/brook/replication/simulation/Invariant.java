package io.brook.replication.simulation;

/**
 * What {@link ReplicationProtocolSimulation} checks after every step. Every failure names one,
 * so a negative control can say which check caught its bug.
 */
public enum Invariant {
    /**
     * An acknowledged record is never lost. A record is <em>acknowledged</em> when a leader
     * answered its acks=all produce with success: that leader's HW passed the record's offset. It
     * is <em>lost</em> when some replica in the controller's committed ISR does not hold it (the
     * same value at the same offset) in its log; a replica that is down counts with the log its
     * restart will recover (the flushed prefix, and whatever unflushed part survived). With unclean
     * election disabled only ISR replicas become leader and the ISR is never emptied, so while
     * this holds, the record survives any failures that leave one ISR replica: that is "never lost
     * while one replica that had it in the ISR survives".
     */
    ACKNOWLEDGED_RECORD_LOST,
    /**
     * With {@code log.flush.on.ack}: every acknowledged record is below the flushed end of every
     * replica in the controller's ISR, so that no crash can lose it. (Stronger than
     * {@link #ACKNOWLEDGED_RECORD_LOST}, which it implies after any crash; it fails as soon as the
     * HW passes what one ISR replica has not flushed.)
     */
    ACKNOWLEDGED_RECORD_NOT_DURABLE,
    /** A leader's HW never goes back within its leader epoch (across restarts too). */
    HIGH_WATERMARK_DECREASED,
    /**
     * Every replica in the controller's ISR holds, below the HW of any replica acting as leader,
     * exactly that leader's records.
     */
    ISR_DISAGREES_BELOW_HIGH_WATERMARK,
    /** At most one replica ever becomes leader in a given leader epoch. */
    ONE_LEADER_PER_EPOCH,
    /**
     * After the faults stop (links healed, every replica restarted) and some quiet time: one
     * leader, every replica in the ISR, the same log everywhere, and the leader's HW at its log
     * end. Checked once, at the end of a run.
     */
    CONVERGES_AFTER_FAULTS
}
