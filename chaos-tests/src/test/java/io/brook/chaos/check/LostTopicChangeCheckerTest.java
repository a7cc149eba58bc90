package io.brook.chaos.check;

import static io.brook.chaos.check.CheckAssertions.assertFigure;
import static io.brook.chaos.check.CheckAssertions.assertOneAnomaly;
import static io.brook.chaos.check.CheckAssertions.assertValid;
import static io.brook.chaos.check.CheckAssertions.check;

import io.brook.chaos.history.Op;
import io.brook.chaos.history.testing.HistoryBuilder;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LostTopicChangeCheckerTest {
    private final LostTopicChangeChecker checker = new LostTopicChangeChecker();
    private final HistoryBuilder h = new HistoryBuilder();

    private void create(String topic, int partitions, Op.Type outcome) {
        Op invoke = h.add(Op.invokeCreateTopic(300, topic, partitions));
        complete(invoke, outcome);
    }

    private void delete(String topic, Op.Type outcome) {
        complete(h.add(Op.invokeDeleteTopic(300, topic)), outcome);
    }

    private void complete(Op invoke, Op.Type outcome) {
        Op plain = invoke.recordedAt(-1, -1);
        h.add(switch (outcome) {
            case OK -> plain.ok();
            case FAIL -> plain.fail("refused");
            case INFO -> plain.info("timed out");
            case INVOKE -> throw new IllegalArgumentException();
        });
    }

    /** The final listing: topic name then its partition count, repeated. */
    private Op listing(Object... topicsAndCounts) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int i = 0; i < topicsAndCounts.length; i += 2) {
            for (int p = 0; p < (Integer) topicsAndCounts[i + 1]; p++) {
                partitions.add(new TopicPartition((String) topicsAndCounts[i], p));
            }
        }
        h.add(Op.invokeListTopics(301));
        return h.add(Op.okListTopics(301, partitions));
    }

    @Test
    void passesWhenTheListingAgreesWithEveryAcknowledgedChange() {
        create("a", 2, Op.Type.OK);
        create("b", 1, Op.Type.OK);
        delete("b", Op.Type.OK);
        create("c", 1, Op.Type.FAIL);
        create("d", 3, Op.Type.INFO);
        create("e", 1, Op.Type.OK);
        delete("e", Op.Type.INFO);
        listing("a", 2, "d", 3, "queue", 6);
        CheckResult result = check(checker, h.build());
        assertValid(result);
        assertFigure(result, "creates-ok", 3L);
        assertFigure(result, "deletes-ok", 1L);
        assertFigure(result, "topics-listed", 3L);
    }

    @Test
    void flagsAnAcknowledgedCreateMissingFromTheListing() {
        create("a", 2, Op.Type.OK);
        listing("queue", 6);
        assertOneAnomaly(check(checker, h.build()), "lost topic: a was created (invoke op 0, ok op 1) but the final"
                + " listing (op 3) does not have it");
    }

    @Test
    void flagsAnAcknowledgedDeleteStillListed() {
        create("a", 1, Op.Type.OK);
        delete("a", Op.Type.OK);
        listing("a", 1);
        assertOneAnomaly(check(checker, h.build()), "deleted topic present: a was deleted (invoke op 2, ok op 3)");
    }

    @Test
    void flagsARefusedCreateThatHappenedAnyway() {
        create("a", 1, Op.Type.FAIL);
        listing("a", 1);
        assertOneAnomaly(check(checker, h.build()), "refused topic present: creating a failed", "refused");
    }

    @Test
    void flagsATopicWithOtherPartitionsThanCreated() {
        create("a", 3, Op.Type.OK);
        listing("a", 2);
        assertOneAnomaly(check(checker, h.build()), "wrong partitions: a was created with partitions [0, 1, 2]",
                "has [0, 1]");
    }

    @Test
    void indeterminateChangesAllowEitherOutcome() {
        create("a", 1, Op.Type.INFO);
        create("b", 1, Op.Type.INFO);
        create("c", 1, Op.Type.OK);
        delete("c", Op.Type.INFO);
        create("d", 1, Op.Type.OK);
        delete("d", Op.Type.INFO);
        listing("a", 1, "c", 1);
        assertValid(check(checker, h.build()));
    }

    @Test
    void aChangeThatCompletedOnlyAfterTheListingWasInvokedIsNotJudged() {
        Op invoke = h.add(Op.invokeCreateTopic(300, "late", 1));
        h.add(Op.invokeListTopics(301));
        h.add(invoke.recordedAt(-1, -1).ok());
        h.add(Op.okListTopics(301, List.of()));
        assertValid(check(checker, h.build()));
    }

    @Test
    void aFailedDeleteLeavesTheTopic() {
        create("a", 1, Op.Type.OK);
        delete("a", Op.Type.FAIL);
        listing();
        assertOneAnomaly(check(checker, h.build()), "lost topic: a");
    }

    @Test
    void createsWithoutAFinalListingCannotBeChecked() {
        create("a", 1, Op.Type.OK);
        assertOneAnomaly(check(checker, h.build()), "no final listing of the topics: 1 created topics");
    }

    @Test
    void aHistoryWithoutTopicChangesIsValid() {
        h.send(0, HistoryBuilder.Q0, "v", 0);
        assertValid(check(checker, h.build()));
    }
}
