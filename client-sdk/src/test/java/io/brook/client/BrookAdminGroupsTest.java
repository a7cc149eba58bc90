package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.DeleteGroupResult;
import io.brook.api.v1.DeleteGroupsRequest;
import io.brook.api.v1.DeleteGroupsResponse;
import io.brook.api.v1.DescribeGroupsRequest;
import io.brook.api.v1.DescribeGroupsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.GroupMemberDescription;
import io.brook.api.v1.GroupPartition;
import io.brook.api.v1.ListGroupsResponse;
import io.brook.api.v1.OffsetCommitPartitionResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopicResponse;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.api.v1.CommittedOffset;
import io.brook.api.v1.TopicPartitions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link BrookAdmin}'s group calls against scripted brokers ({@link ScriptedGroupBrokers}): where
 * each call goes, how lag is computed from the coordinator's committed offsets and the leaders'
 * offsets, retries when the coordinator moves, and how the coordinator's errors are reported.
 */
class BrookAdminGroupsTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);

    @Test
    void lagIsTheHighWatermarkMinusTheCommittedOffsetOrTheWholeLogWhenNothingIsCommitted() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(2).topic("orders", 1, 2, 1)
                .offsets("orders", 0, 0, 10).offsets("orders", 1, 4, 10).offsets("orders", 2, 0, 5)
                .coordinator("g", 2);
        cluster.answer(2, "describeGroups", DescribeGroupsResponse.newBuilder().addGroups(
                io.brook.api.v1.GroupDescription.newBuilder().setGroupId("g").setErrorCode(ErrorCode.NONE)
                        .setState("Stable").setGroupEpoch(5).setAssignmentEpoch(5).setCoordinatorId(2)
                        .setAssignor("uniform")
                        .addMembers(GroupMemberDescription.newBuilder().setMemberId("m1").setClientId("c1")
                                .setClientHost("/10.0.0.1").setMemberEpoch(5).addSubscribedTopicNames("orders")
                                .addAssignment(TopicPartitions.newBuilder().setTopic("orders").addPartitions(1)
                                        .addPartitions(0))
                                .addTargetAssignment(TopicPartitions.newBuilder().setTopic("orders").addPartitions(0)
                                        .addPartitions(1).addPartitions(2)))
                        .addPartitions(partition("orders", 0, 3, "m1"))
                        .addPartitions(partition("orders", 1, -1, "m1"))
                        .addPartitions(partition("orders", 2, 7, ""))).build());
        try (BrookAdmin admin = cluster.admin()) {
            GroupDescription g = admin.describeGroups(List.of("g")).get("g");
            assertEquals(GroupState.STABLE, g.state());
            assertEquals(2, g.coordinatorId());
            assertEquals("127.0.0.1:9093", g.coordinatorAddress());
            assertEquals("uniform", g.assignor());
            assertEquals(List.of(new MemberDescription("m1", Optional.empty(), "c1", "/10.0.0.1", 5, List.of("orders"),
                    Optional.empty(), Set.of(ORDERS_0, ORDERS_1), Set.of(ORDERS_0, ORDERS_1,
                            new TopicPartition("orders", 2)))), g.members());
            assertEquals(List.of(ORDERS_0, ORDERS_1), List.copyOf(g.members().get(0).assignment()),
                    "assignments iterate in partition order");
            assertEquals(List.of(
                    new PartitionLag(ORDERS_0, OptionalLong.of(3), OptionalLong.of(10), OptionalLong.of(7),
                            Optional.of("m1")),
                    new PartitionLag(ORDERS_1, OptionalLong.empty(), OptionalLong.of(10), OptionalLong.of(6),
                            Optional.of("m1")),
                    new PartitionLag(new TopicPartition("orders", 2), OptionalLong.of(7), OptionalLong.of(5),
                            OptionalLong.of(0), Optional.empty())), g.partitions(),
                    "7 = 10 - 3; nothing committed: 6 = 10 - 4 (log start); committed beyond the log end: 0");
        }
        List<String> lookups = cluster.calls.stream().filter(c -> c.startsWith("listOffsets")).sorted().toList();
        assertEquals(List.of("listOffsets@1 orders-0 -1", "listOffsets@1 orders-2 -1", "listOffsets@2 orders-1 -1",
                "listOffsets@2 orders-1 -2"), lookups,
                "the log end of every partition and the log start of the uncommitted one, each at its leader");
        assertEquals(List.of("describeGroups@2"), groupCalls(cluster), "the description comes from the coordinator");
    }

    @Test
    void partitionOfADeletedTopicIsDescribedWithItsCommittedOffsetButNoLogEndNorLag() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).topic("orders", 1).offsets("orders", 0, 0, 4)
                .coordinator("g", 1);
        cluster.answer(1, "describeGroups", DescribeGroupsResponse.newBuilder().addGroups(
                io.brook.api.v1.GroupDescription.newBuilder().setGroupId("g").setState("Empty").setCoordinatorId(1)
                        .addPartitions(partition("gone", 0, 12, "")).addPartitions(partition("orders", 0, 1, "")))
                .build());
        try (BrookAdmin admin = cluster.admin()) {
            assertEquals(List.of(
                    new PartitionLag(new TopicPartition("gone", 0), OptionalLong.of(12), OptionalLong.empty(),
                            OptionalLong.empty(), Optional.empty()),
                    new PartitionLag(ORDERS_0, OptionalLong.of(1), OptionalLong.of(4), OptionalLong.of(3),
                            Optional.empty())), admin.describeGroups(List.of("g")).get("g").partitions());
        }
    }

    @Test
    void groupThatDoesNotExistIsDescribedAsDeadWhetherTheCoordinatorSaysDeadOrGroupIdNotFound() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).coordinator("nobody", 1).coordinator("ghost", 1);
        cluster.answer(1, "describeGroups", DescribeGroupsResponse.newBuilder().addGroups(
                io.brook.api.v1.GroupDescription.newBuilder().setGroupId("nobody").setState("Dead").setCoordinatorId(1))
                .build());
        cluster.answer(1, "describeGroups", DescribeGroupsResponse.newBuilder().addGroups(
                io.brook.api.v1.GroupDescription.newBuilder().setGroupId("ghost")
                        .setErrorCode(ErrorCode.GROUP_ID_NOT_FOUND).setErrorMessage("no group ghost")).build());
        try (BrookAdmin admin = cluster.admin()) {
            Map<String, GroupDescription> described = admin.describeGroups(List.of("nobody", "ghost"));
            assertEquals(List.of("nobody", "ghost"), List.copyOf(described.keySet()), "in the order given");
            for (GroupDescription dead : described.values()) {
                assertEquals(GroupState.DEAD, dead.state(), dead.toString());
                assertFalse(dead.exists());
                assertEquals(List.of(), dead.members());
                assertEquals(List.of(), dead.partitions());
            }
        }
        assertFalse(cluster.calls.stream().anyMatch(c -> c.startsWith("listOffsets")), "nothing to look up");
    }

    @Test
    void describeFindsTheCoordinatorAgainAfterNotCoordinatorAndAsksTheNewOne() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(2).coordinator("g", 1);
        cluster.script(1, "describeGroups", (DescribeGroupsRequest request) -> {
            cluster.coordinator("g", 2); // the coordinator moved after the client found it
            return CompletableFuture.completedFuture(DescribeGroupsResponse.newBuilder().addGroups(
                    io.brook.api.v1.GroupDescription.newBuilder().setGroupId("g")
                            .setErrorCode(ErrorCode.NOT_COORDINATOR).setErrorMessage("broker 1 is not the coordinator"))
                    .build());
        });
        cluster.answer(2, "describeGroups", DescribeGroupsResponse.newBuilder().addGroups(
                io.brook.api.v1.GroupDescription.newBuilder().setGroupId("g").setState("Empty").setCoordinatorId(2)
                        .setAssignor("uniform")).build());
        try (BrookAdmin admin = cluster.admin()) {
            GroupDescription g = admin.describeGroups(List.of("g")).get("g");
            assertEquals(GroupState.EMPTY, g.state());
            assertEquals(2, g.coordinatorId());
            assertEquals("127.0.0.1:9093", g.coordinatorAddress());
        }
        assertEquals(List.of("describeGroups@1", "describeGroups@2"), groupCalls(cluster));
        assertEquals(2, cluster.calls.stream().filter(c -> c.startsWith("findCoordinator@")).count(),
                "found once, then again after NOT_COORDINATOR");
    }

    @Test
    void coordinatorStillLoadingTheGroupIsAskedAgain() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).coordinator("g", 1);
        cluster.answer(1, "offsetFetch", OffsetFetchResponse.newBuilder()
                .setErrorCode(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS).setErrorMessage("loading").build());
        cluster.answer(1, "offsetFetch", OffsetFetchResponse.newBuilder().addOffsets(CommittedOffset.newBuilder()
                .setTopic("orders").setPartition(0).setOffset(5).setLeaderEpoch(-1)).build());
        try (BrookAdmin admin = cluster.admin()) {
            assertEquals(Map.of(ORDERS_0, new OffsetAndMetadata(5)), admin.listGroupOffsets("g"));
        }
        assertEquals(List.of("offsetFetch@1", "offsetFetch@1"), groupCalls(cluster));
    }

    @Test
    void listGroupsAsksEveryBrokerAndMergesTheAnswersSortedById() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(3);
        cluster.answer(1, "listGroups", groups(1, "orders-app", "billing"));
        cluster.answer(2, "listGroups", groups(2, "audit", "moving"));
        cluster.answer(3, "listGroups", groups(3, "moving", "clicks"));
        try (BrookAdmin admin = cluster.admin()) {
            assertEquals(List.of(new GroupListing("audit", GroupState.STABLE, "consumer", 2),
                            new GroupListing("billing", GroupState.STABLE, "consumer", 1),
                            new GroupListing("clicks", GroupState.STABLE, "consumer", 3),
                            new GroupListing("moving", GroupState.STABLE, "consumer", 2),
                            new GroupListing("orders-app", GroupState.STABLE, "consumer", 1)),
                    admin.listGroups(), "a group two brokers list (its coordinator moved) appears once");
        }
        assertEquals(List.of("listGroups@1", "listGroups@2", "listGroups@3"), groupCalls(cluster).stream().sorted()
                .toList());
    }

    @Test
    void listGroupsAsksABrokerThatFailedAgainAndNamesTheOneThatNeverAnswers() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(2);
        cluster.answer(1, "listGroups", groups(1, "a"));
        cluster.script(2, "listGroups", request -> CompletableFuture.failedFuture(
                new NetworkException("connection to 127.0.0.1:9093 failed: UNAVAILABLE", false, null)));
        cluster.answer(2, "listGroups", groups(2, "b"));
        try (BrookAdmin admin = cluster.admin()) {
            assertEquals(List.of("a", "b"), admin.listGroups().stream().map(GroupListing::groupId).toList());
        }
        assertEquals(List.of("listGroups@1", "listGroups@2", "listGroups@2"), groupCalls(cluster),
                "only the broker that failed is asked again");

        ScriptedGroupBrokers down = new ScriptedGroupBrokers(2);
        down.answer(1, "listGroups", groups(1, "a"));
        for (int i = 0; i < 10; i++) {
            down.script(2, "listGroups", request -> {
                down.clock.advance(300);
                return CompletableFuture.failedFuture(
                        new NetworkException("connection to 127.0.0.1:9093 failed: UNAVAILABLE", false, null));
            });
        }
        try (BrookAdmin admin = down.admin()) {
            TimeoutException e = assertThrows(TimeoutException.class, admin::listGroups);
            assertTrue(e.getMessage().startsWith("Could not list groups: no answer from broker 2 (127.0.0.1:9093) "
                    + "within 1000 ms (last error: [connection to 127.0.0.1:9093 failed: UNAVAILABLE])"),
                    e.getMessage());
            assertFalse(e.indeterminate(), "listing changes nothing");
        }
    }

    @Test
    void deleteReportsEveryGroupsOutcomeAndThrowsTheFirstFailureWithTheCoordinatorsReason() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(2).coordinator("busy", 1).coordinator("idle", 2)
                .coordinator("ghost", 2);
        cluster.answer(1, "deleteGroups", deleted("busy", ErrorCode.NON_EMPTY_GROUP, "The group has 2 members"));
        cluster.answer(2, "deleteGroups", deleted("idle", ErrorCode.NONE, ""));
        cluster.answer(2, "deleteGroups", deleted("ghost", ErrorCode.GROUP_ID_NOT_FOUND, "no such group"));
        try (BrookAdmin admin = cluster.admin()) {
            GroupNotEmptyException e = assertThrows(GroupNotEmptyException.class,
                    () -> admin.deleteGroups(List.of("busy", "idle", "ghost")));
            assertEquals("Could not delete group 'busy': The group has 2 members.", e.getMessage());
            assertEquals(ErrorCode.NON_EMPTY_GROUP, e.errorCode());
            assertEquals(1, e.getSuppressed().length);
            assertTrue(e.getSuppressed()[0] instanceof GroupIdNotFoundException, Arrays.toString(e.getSuppressed()));
            assertEquals("Group 'ghost' does not exist.", e.getSuppressed()[0].getMessage());
        }
        assertEquals(List.of("idle"), cluster.<DeleteGroupsRequest>requests(2, "deleteGroups").get(0).getGroupIdsList(),
                "each group at its own coordinator");
    }

    @Test
    void retriedDeleteAnsweredGroupIdNotFoundAfterALostAnswerSaysTheFirstAttemptMayHaveDeletedIt() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).coordinator("g", 1);
        cluster.script(1, "deleteGroups", request -> CompletableFuture.failedFuture(
                new TimeoutException("no answer in time (broker 127.0.0.1:9092)", true)));
        cluster.answer(1, "deleteGroups", deleted("g", ErrorCode.GROUP_ID_NOT_FOUND, "no such group"));
        try (BrookAdmin admin = cluster.admin()) {
            GroupIdNotFoundException e = assertThrows(GroupIdNotFoundException.class,
                    () -> admin.deleteGroups(List.of("g")));
            assertEquals("Group 'g' does not exist. An earlier attempt of this call got no answer and may have "
                    + "deleted it.", e.getMessage());
        }
    }

    @Test
    void alterCommitsAsNoMemberAndAGroupWithMembersIsGroupNotEmptyTellingToStopTheConsumers() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).coordinator("g", 1);
        cluster.answer(1, "offsetCommit", OffsetCommitResponse.newBuilder().addTopics(OffsetCommitTopicResponse
                .newBuilder().setTopic("orders").addPartitions(committed(0)).addPartitions(committed(1))).build());
        cluster.answer(1, "offsetCommit", OffsetCommitResponse.newBuilder().setErrorCode(ErrorCode.NON_EMPTY_GROUP)
                .setErrorMessage("Group g has 1 member").build());
        try (BrookAdmin admin = cluster.admin()) {
            admin.alterGroupOffsets("g", Map.of(ORDERS_1, new OffsetAndMetadata(7, "reset"),
                    ORDERS_0, new OffsetAndMetadata(3, Optional.of(4), "")));
            GroupNotEmptyException e = assertThrows(GroupNotEmptyException.class,
                    () -> admin.alterGroupOffsets("g", Map.of(ORDERS_0, new OffsetAndMetadata(0))));
            assertEquals("Could not alter the offsets of group 'g': Group g has 1 member. Offsets can be changed only "
                    + "while the group has no members: stop its consumers and try again.", e.getMessage());
        }
        OffsetCommitRequest request = cluster.<OffsetCommitRequest>requests(1, "offsetCommit").get(0);
        assertEquals("g", request.getGroupId());
        assertEquals("", request.getMemberId(), "a commit by no member");
        assertEquals(-1, request.getMemberEpoch());
        assertEquals(1, request.getTopicsCount());
        assertEquals("orders", request.getTopics(0).getTopic());
        assertEquals(List.of("0:3:4:", "1:7:-1:reset"), request.getTopics(0).getPartitionsList().stream()
                .map(p -> p.getPartition() + ":" + p.getOffset() + ":" + p.getLeaderEpoch() + ":" + p.getMetadata())
                .toList(), "by partition, with leader epoch (-1: unknown) and metadata");
    }

    @Test
    void alterReportsAPartitionsErrorNamingThePartition() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).coordinator("g", 1);
        cluster.answer(1, "offsetCommit", OffsetCommitResponse.newBuilder().addTopics(OffsetCommitTopicResponse
                .newBuilder().setTopic("orders").addPartitions(OffsetCommitPartitionResponse.newBuilder()
                        .setPartition(0).setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                        .setErrorMessage("no partition orders-0"))).build());
        try (BrookAdmin admin = cluster.admin()) {
            UnknownTopicOrPartitionException e = assertThrows(UnknownTopicOrPartitionException.class,
                    () -> admin.alterGroupOffsets("g", Map.of(ORDERS_0, new OffsetAndMetadata(1))));
            assertEquals("Could not alter the offset of orders-0 in group 'g': no partition orders-0.", e.getMessage());
        }
    }

    @Test
    void listGroupOffsetsLeavesOutPartitionsWithoutACommitAndIsEmptyForAGroupThatDoesNotExist() {
        ScriptedGroupBrokers cluster = new ScriptedGroupBrokers(1).coordinator("g", 1).coordinator("ghost", 1);
        cluster.answer(1, "offsetFetch", OffsetFetchResponse.newBuilder()
                .addOffsets(CommittedOffset.newBuilder().setTopic("orders").setPartition(1).setOffset(9)
                        .setLeaderEpoch(3).setMetadata("m"))
                .addOffsets(CommittedOffset.newBuilder().setTopic("orders").setPartition(0).setOffset(-1)
                        .setLeaderEpoch(-1)).build());
        cluster.answer(1, "offsetFetch", OffsetFetchResponse.newBuilder().setErrorCode(ErrorCode.GROUP_ID_NOT_FOUND)
                .build());
        try (BrookAdmin admin = cluster.admin()) {
            assertEquals(Map.of(ORDERS_1, new OffsetAndMetadata(9, Optional.of(3), "m")), admin.listGroupOffsets("g"));
            assertEquals(Map.of(), admin.listGroupOffsets("ghost"));
        }
    }

    @Test
    void lagNeverGoesBelowZeroAndCountsTheWholeLogWithoutACommit() {
        assertEquals(OptionalLong.of(7), BrookAdmin.lag(OptionalLong.of(3), 0, 10));
        assertEquals(OptionalLong.of(0), BrookAdmin.lag(OptionalLong.of(10), 0, 10));
        assertEquals(OptionalLong.of(0), BrookAdmin.lag(OptionalLong.of(12), 0, 10), "committed beyond the log end");
        assertEquals(OptionalLong.of(6), BrookAdmin.lag(OptionalLong.empty(), 4, 10));
        assertEquals(OptionalLong.of(0), BrookAdmin.lag(OptionalLong.empty(), 10, 10), "an empty log");
    }

    private static List<String> groupCalls(ScriptedGroupBrokers cluster) {
        return cluster.calls.stream().filter(c -> !c.startsWith("listOffsets") && !c.startsWith("findCoordinator"))
                .toList();
    }

    private static GroupPartition partition(String topic, int partition, long committed, String member) {
        return GroupPartition.newBuilder().setTopic(topic).setPartition(partition).setCommittedOffset(committed)
                .setMemberId(member).build();
    }

    private static ListGroupsResponse groups(int coordinator, String... ids) {
        ListGroupsResponse.Builder response = ListGroupsResponse.newBuilder();
        for (String id : ids) {
            response.addGroups(io.brook.api.v1.GroupListing.newBuilder().setGroupId(id).setState("Stable")
                    .setGroupType("consumer").setCoordinatorId(coordinator));
        }
        return response.build();
    }

    private static DeleteGroupsResponse deleted(String group, ErrorCode code, String message) {
        return DeleteGroupsResponse.newBuilder().addResults(DeleteGroupResult.newBuilder().setGroupId(group)
                .setErrorCode(code).setErrorMessage(message)).build();
    }

    private static OffsetCommitPartitionResponse.Builder committed(int partition) {
        return OffsetCommitPartitionResponse.newBuilder().setPartition(partition).setErrorCode(ErrorCode.NONE);
    }
}
