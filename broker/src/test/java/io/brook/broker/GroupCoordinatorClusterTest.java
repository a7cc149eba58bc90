package io.brook.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.Coordinator;
import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.DescribeGroupsRequest;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FindCoordinatorRequest;
import io.brook.api.v1.GroupDescription;
import io.brook.api.v1.ListGroupsRequest;
import io.brook.api.v1.OffsetCommitPartition;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopic;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.TopicPartitions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group coordinator on a real 3-node cluster: __consumer_offsets created on first use, the
 * coordinator found and serving, other brokers answering NOT_COORDINATOR, and a coordinator crash
 * after which the new leader of the partition serves the same group state (members and offsets).
 */
class GroupCoordinatorClusterTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestCluster.start(dir, 3, Map.of("offsets.topic.num.partitions", "3",
                "group.consumer.heartbeat.interval.ms", "200", "group.consumer.min.session.timeout.ms", "1000",
                "replica.lag.time.max.ms", "3000"));
        cluster.createTopic("orders", 4, 3, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Coordinator awaitCoordinator(String group) {
        AtomicReference<Coordinator> found = new AtomicReference<>();
        TestCluster.await("a coordinator for " + group, () -> {
            Coordinator c = cluster.groups(cluster.anyRunning()).findCoordinator(FindCoordinatorRequest.newBuilder()
                    .addGroupIds(group).build()).getCoordinators(0);
            if (c.getErrorCode() == ErrorCode.NONE && cluster.isRunning(c.getNodeId())) {
                found.set(c);
                return true;
            }
            return false;
        });
        return found.get();
    }

    /** Retries while the coordinator is loading or moving. */
    private static ConsumerGroupHeartbeatResponse heartbeat(String group, ConsumerGroupHeartbeatRequest request) {
        AtomicReference<ConsumerGroupHeartbeatResponse> answer = new AtomicReference<>();
        TestCluster.await("a heartbeat answer from the coordinator of " + group, () -> {
            ConsumerGroupHeartbeatResponse r = cluster.groups(awaitCoordinator(group).getNodeId())
                    .consumerGroupHeartbeat(request);
            answer.set(r);
            return r.getErrorCode() != ErrorCode.NOT_COORDINATOR && r.getErrorCode() != ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
                    && r.getErrorCode() != ErrorCode.COORDINATOR_NOT_AVAILABLE;
        }, () -> String.valueOf(answer.get()));
        return answer.get();
    }

    private static OffsetCommitResponse commit(int node, String group, String member, int epoch, int partition,
            long offset) {
        return cluster.groups(node).offsetCommit(OffsetCommitRequest.newBuilder().setGroupId(group).setMemberId(member)
                .setMemberEpoch(epoch).addTopics(OffsetCommitTopic.newBuilder().setTopic("orders")
                        .addPartitions(OffsetCommitPartition.newBuilder().setPartition(partition).setOffset(offset)))
                .build());
    }

    @Test
    void clientsCannotProduceToTheOffsetsTopic() {
        awaitCoordinator("any"); // __consumer_offsets exists from here
        var response = cluster.broker(cluster.anyRunning()).produce(io.brook.api.v1.ProduceRequest.newBuilder()
                .setAcks(1).addTopics(io.brook.api.v1.TopicProduceData.newBuilder().setTopic("__consumer_offsets")
                        .addPartitions(io.brook.api.v1.PartitionProduceData.newBuilder().setPartition(0)
                                .setRecords(io.brook.api.v1.RecordList.newBuilder().setProducerId(-1)
                                        .addRecords(io.brook.api.v1.Record.newBuilder()
                                                .setKey(com.google.protobuf.ByteString.copyFromUtf8("k"))))))
                .build());
        var partition = response.getTopics(0).getPartitions(0);
        assertEquals(ErrorCode.INVALID_TOPIC_EXCEPTION, partition.getErrorCode());
        assertTrue(partition.getErrorMessage().contains("internal"), partition.getErrorMessage());
    }

    @Test
    void theCoordinatorServesAGroupAndANewCoordinatorLoadsItAfterACrash() {
        String group = "payments";
        ConsumerGroupHeartbeatResponse joined = heartbeat(group, ConsumerGroupHeartbeatRequest.newBuilder()
                .setGroupId(group).setMemberId("m1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSessionTimeoutMs(30_000).setSubscriptionChanged(true).addSubscribedTopicNames("orders")
                .setOwnedChanged(true).build());
        assertEquals(ErrorCode.NONE, joined.getErrorCode(), joined.toString());
        assertEquals(1, joined.getMemberEpoch());
        assertEquals(200, joined.getHeartbeatIntervalMs());
        assertEquals(4, joined.getAssignment(0).getPartitionsCount());

        int coordinator = awaitCoordinator(group).getNodeId();
        assertEquals(ErrorCode.NONE, commit(coordinator, group, "m1", 1, 2, 17).getErrorCode());
        int other = coordinator % 3 + 1;
        assertEquals(ErrorCode.NOT_COORDINATOR, commit(other, group, "m1", 1, 2, 18).getErrorCode());
        assertEquals(ErrorCode.FENCED_MEMBER_EPOCH, commit(coordinator, group, "m1", 2, 2, 19).getErrorCode());
        assertEquals(17, cluster.groups(coordinator).offsetFetch(OffsetFetchRequest.newBuilder().setGroupId(group)
                .build()).getOffsets(0).getOffset());
        assertTrue(cluster.groups(coordinator).listGroups(ListGroupsRequest.getDefaultInstance()).getGroupsList()
                .stream().anyMatch(g -> g.getGroupId().equals(group) && g.getState().equals("Stable")));
        GroupDescription before = cluster.groups(coordinator).describeGroups(DescribeGroupsRequest.newBuilder()
                .addGroupIds(group).build()).getGroups(0);
        assertEquals("/127.0.0.1", before.getMembers(0).getClientHost());

        cluster.halt(coordinator);
        try {
            int next = awaitCoordinator(group).getNodeId();
            assertNotEquals(coordinator, next);
            // The member carries on with its epoch: the new coordinator read the group from the partition.
            ConsumerGroupHeartbeatResponse again = heartbeat(group, ConsumerGroupHeartbeatRequest.newBuilder()
                    .setGroupId(group).setMemberId("m1").setMemberEpoch(1).build());
            assertEquals(ErrorCode.NONE, again.getErrorCode(), again.toString());
            assertEquals(1, again.getMemberEpoch());
            int now = awaitCoordinator(group).getNodeId();
            assertEquals(17, cluster.groups(now).offsetFetch(OffsetFetchRequest.newBuilder().setGroupId(group)
                    .addTopics(TopicPartitions.newBuilder().setTopic("orders").addPartitions(2)).build())
                    .getOffsets(0).getOffset());
            GroupDescription after = cluster.groups(now).describeGroups(DescribeGroupsRequest.newBuilder()
                    .addGroupIds(group).build()).getGroups(0);
            assertEquals(before.getMembersList(), after.getMembersList());
            assertEquals(before.getPartitionsList(), after.getPartitionsList());
            assertEquals(before.getGroupEpoch(), after.getGroupEpoch());
        } finally {
            cluster.restart(coordinator);
        }
    }
}
