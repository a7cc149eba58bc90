/**
 * One chaos run end to end ({@link io.brook.chaos.run.ChaosRunner}, behind {@code brook chaos
 * run}): the cluster, the {@link io.brook.chaos.run.Workload workloads} recording every client
 * operation (queue: idempotent acks=all producers and a final read of every partition; group:
 * consumers in one group polling and committing what they polled, committed offsets sampled;
 * metadata: topics created and deleted, listed at the end), the nemesis, the checkers and the
 * report directory with its plot.
 */
package io.brook.chaos.run;
