package io.brook.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.google.protobuf.ByteString;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicPartition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A metadata answer never takes the client's view of a partition back to an older leader epoch
 * (an out-of-date broker's answer), except for another incarnation of the topic or a committed
 * offset's epoch that every broker contradicts.
 */
class LeaderEpochsTest {
    private static final ByteString TOPIC_ID = ByteString.copyFromUtf8("0123456789abcdef");
    private static final TopicPartition T0 = new TopicPartition("t", 0);

    /** An answer from a 3-broker cluster: partition i of t led by leaders[i] in epochs[i]. */
    private static ClusterView answer(ByteString topicId, int[] leaders, int[] epochs) {
        TopicMetadata.Builder topic = TopicMetadata.newBuilder().setName("t").setTopicId(topicId)
                .setErrorCode(ErrorCode.NONE);
        for (int p = 0; p < leaders.length; p++) {
            topic.addPartitions(PartitionMetadata.newBuilder().setPartition(p).setErrorCode(ErrorCode.NONE)
                    .setLeaderId(leaders[p]).setLeaderEpoch(epochs[p]).addReplicas(1).addReplicas(2).addReplicas(3));
        }
        MetadataResponse.Builder response = MetadataResponse.newBuilder().setClusterId("c").addTopics(topic);
        for (int id = 1; id <= 3; id++) {
            response.addBrokers(BrokerEndpoint.newBuilder().setBrokerId(id).setHost("127.0.0.1").setPort(9090 + id));
        }
        return ClusterView.of(response.build(), 0);
    }

    private static ClusterView answer(int leader, int epoch) {
        return answer(TOPIC_ID, new int[] {leader}, new int[] {epoch});
    }

    @Test
    void theViewOfEachPartitionFollowsItsNewestEpochWhateverOrderTheAnswersComeIn() {
        // Each answer: (leader, epoch) for partitions 0 and 1, as four numbers.
        qt().forAll(lists().of(lists().of(integers().between(0, 4)).ofSize(4)).ofSizeBetween(1, 30))
                .checkAssert(answers -> {
                    LeaderEpochs epochs = new LeaderEpochs();
                    ClusterView view = ClusterView.EMPTY;
                    int[] newest = {-1, -1};
                    int[] leaderOfNewest = {-1, -1};
                    for (List<Integer> a : answers) {
                        int[] leaders = {a.get(0) + 1, a.get(2) + 1};
                        int[] answered = {a.get(1), a.get(3)};
                        boolean older = answered[0] < newest[0] || answered[1] < newest[1];
                        LeaderEpochs.Accepted accepted = epochs.accept(view, answer(TOPIC_ID, leaders, answered));
                        view = accepted.view();
                        assertEquals(older, accepted.stale(), "stale exactly when an epoch went back");
                        for (int p = 0; p < 2; p++) {
                            if (answered[p] >= newest[p]) {
                                newest[p] = answered[p];
                                leaderOfNewest[p] = leaders[p];
                            }
                            PartitionInfo info = view.partition("t", p);
                            assertEquals(newest[p], info.leaderEpoch(), "partition " + p + " after " + answers);
                            assertEquals(leaderOfNewest[p], info.leader(), "the leader named with the newest epoch");
                        }
                    }
                });
    }

    @Test
    void aCommittedEpochNewerThanTheViewMakesTheLeaderUnknownUntilAnAnswerOfThatEpoch() {
        LeaderEpochs epochs = new LeaderEpochs();
        ClusterView view = epochs.accept(ClusterView.EMPTY, answer(1, 4)).view();
        assertSame(view, epochs.observe(view, T0, 3), "an older committed epoch changes nothing");
        view = epochs.observe(view, T0, 5);
        assertEquals(-1, view.partition("t", 0).leader(), "the view's leader is of epoch 4, older than 5");

        LeaderEpochs.Accepted stale = epochs.accept(view, answer(1, 4));
        assertTrue(stale.stale());
        assertEquals(-1, stale.view().partition("t", 0).leader(), "an answer in epoch 4 is not believed");
        LeaderEpochs.Accepted fresh = epochs.accept(stale.view(), answer(2, 5));
        assertFalse(fresh.stale());
        assertEquals(2, fresh.view().partition("t", 0).leader());
    }

    @Test
    void aCommittedEpochThatEveryBrokerContradictsGivesWayAfterAsManyAnswersAsBrokers() {
        // The group kept offsets of an earlier incarnation of t: its epoch 9 is no epoch of today's t.
        LeaderEpochs epochs = new LeaderEpochs();
        ClusterView view = epochs.observe(epochs.accept(ClusterView.EMPTY, answer(1, 0)).view(), T0, 9);
        for (int i = 1; i < 3; i++) {
            LeaderEpochs.Accepted accepted = epochs.accept(view, answer(1, 0));
            assertTrue(accepted.stale(), "answer " + i);
            view = accepted.view();
            assertEquals(-1, view.partition("t", 0).leader());
        }
        LeaderEpochs.Accepted third = epochs.accept(view, answer(1, 0));
        assertFalse(third.stale(), "three brokers, three answers in a row: the answers win");
        assertEquals(1, third.view().partition("t", 0).leader());
        assertFalse(epochs.accept(third.view(), answer(3, 0)).stale(), "epoch 0 is now the newest seen");
    }

    @Test
    void anEpochSeenInAnAnswerAlwaysHolds() {
        LeaderEpochs epochs = new LeaderEpochs();
        ClusterView view = epochs.accept(ClusterView.EMPTY, answer(2, 5)).view();
        for (int i = 0; i < 10; i++) {
            LeaderEpochs.Accepted accepted = epochs.accept(view, answer(1, 4));
            assertTrue(accepted.stale());
            view = accepted.view();
            assertEquals(2, view.partition("t", 0).leader(), "the leader of epoch 5 is kept");
            assertEquals(5, view.partition("t", 0).leaderEpoch());
        }
    }

    @Test
    void anotherIncarnationOfTheTopicStartsItsEpochsAfresh() {
        LeaderEpochs epochs = new LeaderEpochs();
        ClusterView view = epochs.accept(ClusterView.EMPTY, answer(2, 5)).view();
        LeaderEpochs.Accepted recreated = epochs.accept(view,
                answer(ByteString.copyFromUtf8("fedcba9876543210"), new int[] {3}, new int[] {0}));
        assertFalse(recreated.stale());
        assertEquals(3, recreated.view().partition("t", 0).leader());
        assertEquals(0, recreated.view().partition("t", 0).leaderEpoch());
    }
}
