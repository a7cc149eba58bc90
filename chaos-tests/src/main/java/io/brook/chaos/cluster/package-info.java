/**
 * The chaos harness's cluster of real node processes and the nemesis that faults it.
 *
 * <p>{@link io.brook.chaos.cluster.ChaosCluster} starts N nodes from the cli's shaded jar, each in
 * a Linux network namespace of its own (or on loopback without root), and kills, pauses, restarts
 * and partitions them; {@link io.brook.chaos.cluster.Partition} says which links are cut.
 * {@link io.brook.chaos.cluster.NemesisSchedule} draws a run's faults from a seed (a pure function,
 * unit-tested without processes) and {@link io.brook.chaos.cluster.Nemesis} applies and heals them
 * on a thread of its own, recording each window as a {@link io.brook.chaos.cluster.Fault}.
 */
package io.brook.chaos.cluster;
