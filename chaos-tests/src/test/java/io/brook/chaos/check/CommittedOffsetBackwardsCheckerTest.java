package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static io.brook.chaos.history.testing.HistoryBuilder.Q1;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommittedOffsetBackwardsCheckerTest {
    private final CommittedOffsetBackwardsChecker checker = new CommittedOffsetBackwardsChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesCommitsThatNeverDecrease() {
        h.commit(5, "g", Q0, 3);
        h.commit(5, "g", Q0, 3);
        h.commit(6, "g", Q0, 9);
        h.committed(7, "g", Q0, 9);
        h.commit(6, "g", Q0, 10);
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "commits", 4L);
        assertFigure(result, "committed-reads", 1L);
    }

    @Test
    void flagsACommitBelowAnEarlierOne() {
        h.commit(5, "g", Q0, 9); // ops 0, 1
        h.commit(6, "g", Q0, 7); // ops 2, 3
        CheckResult result = check(checker, h.build());
        assertOneAnomaly(result, "committed offset backwards: group g, queue-0: commit by process 6 (invoke op 2,"
                + " ok op 3) set 7 after commit by process 5 (invoke op 0, ok op 1) set 9");
        assertFigure(result, "backwards", 1L);
    }

    @Test
    void flagsACommittedReadBelowAnEarlierCommit() {
        h.commit(5, "g", Q0, 9);
        h.committed(7, "g", Q0, 4); // ops 2, 3
        assertOneAnomaly(check(checker, h.build()), "committed read by process 7 (invoke op 2, ok op 3) returned 4"
                + " after commit by process 5");
    }

    @Test
    void flagsACommittedReadBelowAnEarlierCommittedRead() {
        h.committed(7, "g", Q0, 9);
        h.committed(7, "g", Q0, 8);
        assertOneAnomaly(check(checker, h.build()), "returned 8 after committed read by process 7");
    }

    @Test
    void reportsAgainstTheHighestEarlierObservation() {
        h.commit(5, "g", Q0, 9);
        h.commit(5, "g", Q0, 12); // ops 2, 3
        h.commit(5, "g", Q0, 10);
        assertOneAnomaly(check(checker, h.build()), "set 10 after commit by process 5 (invoke op 2, ok op 3) set 12");
    }

    @Test
    void overlappingCommitsAreNotCompared() {
        Map<io.brook.client.TopicPartition, Long> nine = Map.of(Q0, 9L);
        Map<io.brook.client.TopicPartition, Long> seven = Map.of(Q0, 7L);
        h.add(Op.invokeCommit(5, "g", nine));
        h.add(Op.invokeCommit(6, "g", seven));
        h.add(Op.okCommit(5, "g", nine));
        h.add(Op.okCommit(6, "g", seven));
        assertValid(check(checker, h.build()));
    }

    @Test
    void failedAndIndeterminateCommitsAreLeftOut() {
        h.commit(5, "g", Q0, 9);
        h.add(Op.invokeCommit(6, "g", Map.of(Q0, 2L)));
        h.add(Op.invokeCommit(6, "g", Map.of(Q0, 2L)).fail("fenced"));
        h.add(Op.invokeCommit(6, "g", Map.of(Q0, 3L)));
        h.add(Op.invokeCommit(6, "g", Map.of(Q0, 3L)).info("timed out"));
        assertValid(check(checker, h.build()));
    }

    @Test
    void groupsAndPartitionsAreIndependent() {
        h.commit(5, "g", Q0, 9);
        h.commit(5, "g", Q1, 1);
        h.commit(5, "other", Q0, 1);
        assertValid(check(checker, h.build()));
    }

    @Test
    void aCompletionWithoutOffsetsUsesTheInvocations() {
        h.commit(5, "g", Q0, 9);
        h.add(Op.invokeCommit(5, "g", Map.of(Q0, 4L)));
        h.add(Op.invoke(5, Op.COMMIT).withGroup("g").ok());
        assertOneAnomaly(check(checker, h.build()), "set 4 after");
    }

    @Test
    void anEmptyHistoryHasNoCommits() {
        CheckResult result = check(checker, History.of(List.of()));
        assertValid(result);
        assertFigure(result, "commits", 0L);
    }
}
