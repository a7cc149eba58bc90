package io.brook.chaos.cluster;

import java.util.List;

/**
 * One fault window as it happened: what was done to which nodes, and when, in nanoseconds since
 * the run's start (the origin the history uses too).
 *
 * @param kind the fault
 * @param targets the nodes it was done to: the killed or paused node; for a partition, the nodes
 *     cut off from the majority (the isolated node, the minority, or for a bridge the bridge node)
 * @param detail a readable account: how the target was chosen, the components, a failed heal
 * @param startNanos when the fault was applied (just before the kill, SIGSTOP or cut)
 * @param healNanos when its heal began (the relaunch, SIGCONT or restore), {@link #NOT_HEALED}
 *     while the fault is still in force
 */
public record Fault(FaultKind kind, List<Integer> targets, String detail, long startNanos, long healNanos) {
    public static final long NOT_HEALED = -1;

    public Fault {
        targets = List.copyOf(targets);
    }

    public boolean healed() {
        return healNanos != NOT_HEALED;
    }

    Fault healedAt(long nanos, String moreDetail) {
        return new Fault(kind, targets, moreDetail.isEmpty() ? detail : detail + "; " + moreDetail, startNanos, nanos);
    }
}
