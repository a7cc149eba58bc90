/**
 * Checkers that read a finished chaos run's history and report the anomalies they find, each
 * named after its anomaly: {@link io.brook.chaos.check.LostWriteChecker},
 * {@link io.brook.chaos.check.DuplicateChecker},
 * {@link io.brook.chaos.check.InconsistentOffsetsChecker},
 * {@link io.brook.chaos.check.ReorderChecker},
 * {@link io.brook.chaos.check.NonMonotonicPollChecker},
 * {@link io.brook.chaos.check.CommittedOffsetBackwardsChecker},
 * {@link io.brook.chaos.check.SkippedByGroupChecker},
 * {@link io.brook.chaos.check.LostTopicChangeChecker}, and the figures of
 * {@link io.brook.chaos.check.AvailabilityChecker}. {@link io.brook.chaos.check.Checkers#all()}
 * lists them; {@link io.brook.chaos.check.Summary} renders their results.
 *
 * <p>All of it is pure: deterministic functions of the history and the fault windows, no
 * threads, no clock. Values are the identity of writes (the workloads send unique values).
 */
package io.brook.chaos.check;
