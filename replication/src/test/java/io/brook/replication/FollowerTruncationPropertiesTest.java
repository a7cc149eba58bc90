package io.brook.replication;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.FollowerTruncation.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Leader and follower logs as the leader-epoch rules allow them (each epoch has one leader, so two
 * logs that both hold records of an epoch agree on them, except that the follower may hold records
 * of an epoch it led itself that never reached the new leader): a common prefix, then the leader's
 * own records and the follower's divergent ones. Running the truncation rounds against the leader
 * must leave the follower with exactly the common prefix: nothing divergent kept, nothing common
 * lost.
 */
class FollowerTruncationPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60) * 20;

    /** A log as the epoch of each offset (offsets 0..size-1), plus epochs recorded with no records. */
    private static final class ModelLog {
        final List<Integer> epochs = new ArrayList<>();
        /** An epoch recorded at the log end with no records yet (a new leader's own epoch), or -1. */
        int emptyLatestEpoch = -1;

        long end() {
            return epochs.size();
        }

        int latestEpoch() {
            return emptyLatestEpoch >= 0 ? emptyLatestEpoch : epochs.isEmpty() ? -1 : epochs.get(epochs.size() - 1);
        }

        /** The storage engine's endOffsetFor: the largest epoch at or below e, and where it ends. */
        EpochEnd endOffsetFor(int e) {
            return EpochModel.endOffsetFor(epochs, emptyLatestEpoch, e);
        }

        void truncateTo(long offset) {
            while (epochs.size() > offset) {
                epochs.remove(epochs.size() - 1);
            }
            if (emptyLatestEpoch >= 0 && offset < end()) {
                emptyLatestEpoch = -1;
            }
        }
    }

    @Test
    void truncationKeepsExactlyTheCommonPrefix() {
        qt().withExamples(EXAMPLES).forAll(integers().all()).checkAssert(seed -> {
            Random random = new Random(seed);
            ModelLog leader = new ModelLog();
            ModelLog follower = new ModelLog();
            // The common prefix: epochs non-decreasing.
            int epoch = random.nextInt(3);
            int common = random.nextInt(12);
            for (int i = 0; i < common; i++) {
                if (random.nextInt(4) == 0) {
                    epoch += 1 + random.nextInt(2);
                }
                leader.epochs.add(epoch);
                follower.epochs.add(epoch);
            }
            int last = epoch;
            // Extra records of the last common epoch on one side only: the leader's (the follower is
            // behind) or the follower's (it led that epoch; its records never reached the leader).
            int extra = random.nextInt(4);
            ModelLog extraSide = random.nextBoolean() ? leader : follower;
            for (int i = 0; i < extra && common > 0; i++) {
                extraSide.epochs.add(last);
            }
            // Later epochs, each led by one side only: odd/even split keeps them disjoint.
            int next = last + 1;
            for (int round = random.nextInt(4); round > 0; round--) {
                ModelLog side = random.nextBoolean() ? leader : follower;
                int records = random.nextInt(4);
                for (int i = 0; i < records; i++) {
                    side.epochs.add(next);
                }
                next += 1 + random.nextInt(2);
            }
            // The leader took over in an epoch above every other: recorded, maybe nothing written yet.
            if (random.nextBoolean()) {
                leader.emptyLatestEpoch = next;
            } else {
                int records = 1 + random.nextInt(3);
                for (int i = 0; i < records; i++) {
                    leader.epochs.add(next);
                }
            }
            int commonLength = 0;
            while (commonLength < Math.min(leader.epochs.size(), follower.epochs.size())
                    && leader.epochs.get(commonLength).equals(follower.epochs.get(commonLength))) {
                commonLength++;
            }
            String before = "leader " + leader.epochs + " (+" + leader.emptyLatestEpoch + "), follower " + follower.epochs;

            List<String> rounds = new ArrayList<>();
            for (int round = 0; follower.latestEpoch() >= 0; round++) {
                if (round > 20) {
                    throw new AssertionError("no agreement after 20 rounds: " + before + " " + rounds);
                }
                int requested = follower.latestEpoch();
                EpochEnd answer = leader.endOffsetFor(requested);
                Step step = FollowerTruncation.afterLeaderAnswer(requested, answer, follower::endOffsetFor, follower.end());
                rounds.add(requested + "->" + answer + "->" + step);
                if (step.isRetry()) {
                    throw new AssertionError("the leader recorded its epoch, so no retry is needed: " + before + " "
                            + rounds);
                }
                if (step.truncateTo() < commonLength) {
                    throw new AssertionError("truncated below the common prefix " + commonLength + ": " + before
                            + " " + rounds);
                }
                follower.truncateTo(step.truncateTo());
                if (step.done()) {
                    break;
                }
            }
            if (follower.end() != commonLength) {
                throw new AssertionError("the follower kept " + follower.epochs + " instead of the common prefix of "
                        + commonLength + ": " + before + " " + rounds);
            }
        });
    }
}
