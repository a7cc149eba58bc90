package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;
import static io.brook.chaos.history.testing.HistoryBuilder.Q0;
import static io.brook.chaos.history.testing.HistoryBuilder.Q1;
import static io.brook.chaos.history.testing.HistoryBuilder.message;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.testing.HistoryBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonMonotonicPollCheckerTest {
    private static final String GROUP = "g";

    private final NonMonotonicPollChecker checker = new NonMonotonicPollChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    @Test
    void passesPollsThatMoveForward() {
        h.assign(5, GROUP, Q0, Q1);
        h.poll(5, message(Q0, 0, "a"), message(Q0, 1, "b"), message(Q1, 0, "x"));
        h.poll(5, message(Q0, 4, "c"), message(Q1, 1, "y"));
        h.poll(5);
        h.poll(5, message(Q0, 5, "d"));
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "polls", 4L);
        assertFigure(result, "records-polled", 6L);
        assertFigure(result, "assignment-changes", 1L);
    }

    @Test
    void flagsAPollThatGoesBackWithinAStableAssignment() {
        Op assign = h.assign(5, GROUP, Q0);
        Op first = h.poll(5, message(Q0, 11, "a"), message(Q0, 12, "b"));
        Op second = h.poll(5, message(Q0, 10, "z"));
        assertOneAnomaly(check(checker, h.build()), "non-monotonic poll: process 5, queue-0: poll op "
                + second.index() + " returned offset 10 after poll op " + first.index() + " returned offset 12, with"
                + " no assignment change since op " + assign.index());
    }

    @Test
    void flagsAPollThatReturnsTheLastOffsetAgain() {
        h.poll(5, message(Q0, 3, "a"));
        h.poll(5, message(Q0, 3, "a"));
        assertOneAnomaly(check(checker, h.build()), "returned offset 3 after poll op", "since the start");
    }

    @Test
    void flagsOffsetsOutOfOrderWithinOnePoll() {
        Op poll = h.poll(5, message(Q0, 3, "a"), message(Q0, 2, "b"), message(Q0, 4, "c"));
        assertOneAnomaly(check(checker, h.build()), "poll op " + poll.index() + " returned offset 2 after offset 3"
                + " in the same poll");
    }

    @Test
    void aConsumerMayGoBackAfterItsPartitionWasReassigned() {
        h.assign(5, GROUP, Q0);
        h.poll(5, message(Q0, 7, "a"));
        h.revoke(5, GROUP, Q0);
        h.assign(5, GROUP, Q0);
        h.poll(5, message(Q0, 5, "b"));
        h.assign(5, GROUP, Q0);
        h.poll(5, message(Q0, 5, "b"));
        assertValid(check(checker, h.build()));
    }

    @Test
    void aRevokeNamingNoPartitionResetsThemAll() {
        h.poll(5, message(Q0, 7, "a"), message(Q1, 7, "b"));
        h.revoke(5, GROUP);
        h.poll(5, message(Q0, 1, "c"), message(Q1, 1, "d"));
        assertValid(check(checker, h.build()));
    }

    @Test
    void anotherPartitionsReassignmentLeavesThisOneStable() {
        Op assign = h.assign(5, GROUP, Q0, Q1);
        h.poll(5, message(Q0, 7, "a"), message(Q1, 7, "b"));
        h.revoke(5, GROUP, Q1);
        h.assign(5, GROUP, Q1);
        h.poll(5, message(Q0, 6, "c"), message(Q1, 6, "d"));
        assertOneAnomaly(check(checker, h.build()), "process 5, queue-0", "since op " + assign.index());
    }

    @Test
    void consumersAreIndependentAndOnlyOkPollsCount() {
        h.poll(5, message(Q0, 7, "a"));
        h.poll(6, message(Q0, 1, "b"));
        h.add(Op.invokePoll(5));
        h.add(Op.invokePoll(5).info("timed out").withMessages(List.of(message(Q0, 2, "x"))));
        h.poll(5, message(Q0, 8, "c"));
        assertValid(check(checker, h.build()));
    }

    @Test
    void anEmptyHistoryHasNoNonMonotonicPolls() {
        assertValid(check(checker, History.of(List.of())));
    }
}
