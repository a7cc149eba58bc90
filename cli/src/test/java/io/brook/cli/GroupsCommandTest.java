package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.client.BrookAdmin;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.TopicPartition;
import io.brook.client.internal.Connection;
import io.brook.client.internal.grpc.GrpcTransport;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `brook groups …` end to end against one in-process node with its group coordinator. Groups get
 * committed offsets without a consumer: {@link BrookAdmin#alterGroupOffsets} on a group without
 * members (which creates it, Empty); the one test that needs a member joins one with a raw
 * ConsumerGroupHeartbeat. Each test uses topics and groups of its own.
 */
class GroupsCommandTest extends CliTestSupport {
    @RegisterExtension
    static final CliCluster cluster = new CliCluster(1, Map.of());

    private static final InputStream STDIN = ProduceCommand.input;

    @AfterEach
    void restoreStdin() {
        ProduceCommand.input = STDIN;
    }

    @Test
    void describeShowsTheCommittedOffsetTheLogEndAndTheLagOfAGroupWithoutMembers() {
        topic("lagging", 2);
        produce("lagging", 0, 5);
        produce("lagging", 1, 3);
        commit("lagging-app", Map.of(new TopicPartition("lagging", 0), 2L));

        Outcome described = ok(client("groups", "describe", "lagging-app"));
        List<String> lines = described.out().lines().toList();
        assertEquals("Consumer group 'lagging-app' has no active members.", lines.get(0));
        assertTrue(Pattern.matches("GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST "
                + "+CLIENT-ID", lines.get(1)), lines.get(1));
        assertTrue(Pattern.matches("lagging-app +lagging +0 +2 +5 +3 +- +- +-", lines.get(2)), described.out());
        assertEquals(3, lines.size(), "only the partition the group has an offset for: " + described.out());

        Outcome json = ok(client("groups", "describe", "lagging-app", "--output", "json"));
        assertTrue(json.out().startsWith("[{\"groupId\":\"lagging-app\",\"state\":\"Empty\","), json.out());
        assertTrue(json.out().contains("\"members\":[],\"partitions\":[{\"topic\":\"lagging\",\"partition\":0,"
                + "\"committedOffset\":2,\"logEndOffset\":5,\"lag\":3,\"memberId\":null}]}]"), json.out());

        Outcome state = ok(client("groups", "describe", "lagging-app", "--state"));
        List<String> stateLines = state.out().lines().toList();
        assertTrue(Pattern.matches("GROUP +COORDINATOR \\(ID\\) +ASSIGNMENT-STRATEGY +STATE +GROUP-EPOCH "
                + "+ASSIGNMENT-EPOCH +#MEMBERS", stateLines.get(0)), state.out());
        assertTrue(Pattern.matches("lagging-app +127\\.0\\.0\\.1:\\d+ \\(1\\) +\\S+ +Empty +\\d+ +\\d+ +0",
                stateLines.get(1)), state.out());

        Outcome members = ok(client("groups", "describe", "--group", "lagging-app", "--members"));
        assertEquals(List.of("Consumer group 'lagging-app' has no active members.",
                "GROUP  CONSUMER-ID  HOST  CLIENT-ID  #PARTITIONS  ASSIGNMENT"), members.out().lines().toList());
    }

    @Test
    void listShowsAGroupWithOffsetsAndNoMembersAsEmpty() {
        topic("listed", 1);
        commit("listed-app", Map.of(new TopicPartition("listed", 0), 0L));

        Outcome listed = ok(client("groups", "list"));
        assertTrue(Pattern.matches("GROUP +STATE", listed.out().lines().findFirst().orElseThrow()), listed.out());
        assertTrue(Pattern.compile("(?m)^listed-app +Empty$").matcher(listed.out()).find(), listed.out());

        Outcome json = ok(client("groups", "list", "--output", "json"));
        assertTrue(json.out().contains("{\"groupId\":\"listed-app\",\"state\":\"Empty\",\"type\":\"consumer\","
                + "\"coordinatorId\":1}"), json.out());
    }

    @Test
    void resetOffsetsIsADryRunUnlessExecuteIsGiven() {
        topic("resetting", 2);
        produce("resetting", 0, 4);
        produce("resetting", 1, 6);
        commit("resetting-app", Map.of(new TopicPartition("resetting", 0), 3L, new TopicPartition("resetting", 1), 5L));

        Outcome dryRun = client("groups", "reset-offsets", "resetting-app", "--topic", "resetting", "--to-earliest");
        assertEquals(0, dryRun.exit(), dryRun.toString());
        assertEquals(List.of("GROUP          TOPIC      PARTITION  NEW-OFFSET",
                "resetting-app  resetting  0          0",
                "resetting-app  resetting  1          0"), dryRun.out().lines().toList());
        assertEquals("Dry run: no offsets were changed. Add --execute to commit them.\n", dryRun.err());
        assertEquals(Map.of(new TopicPartition("resetting", 0), new OffsetAndMetadata(3),
                new TopicPartition("resetting", 1), new OffsetAndMetadata(5)), committed("resetting-app"), "unchanged");
        Outcome explicit = ok(client("groups", "reset-offsets", "resetting-app", "--topic", "resetting:1",
                "--to-earliest", "--dry-run"));
        assertEquals(2, explicit.out().lines().count(), "only partition 1: " + explicit.out());
        assertEquals(5, committed("resetting-app").get(new TopicPartition("resetting", 1)).offset(), "unchanged");

        ok(client("groups", "reset-offsets", "resetting-app", "--topic", "resetting", "--to-earliest", "--execute"));
        assertEquals(Map.of(new TopicPartition("resetting", 0), new OffsetAndMetadata(0),
                new TopicPartition("resetting", 1), new OffsetAndMetadata(0)), committed("resetting-app"));
        Outcome described = ok(client("groups", "describe", "resetting-app"));
        assertTrue(Pattern.compile("(?m)^resetting-app +resetting +1 +0 +6 +6 ").matcher(described.out()).find(),
                described.out());

        Outcome latest = ok(client("groups", "reset-offsets", "resetting-app", "--all-topics", "--to-latest",
                "--execute", "--output", "json"));
        assertEquals("{\"groupId\":\"resetting-app\",\"executed\":true,\"partitions\":["
                + "{\"topic\":\"resetting\",\"partition\":0,\"newOffset\":4},"
                + "{\"topic\":\"resetting\",\"partition\":1,\"newOffset\":6}]}\n", latest.out());

        Outcome clamped = client("groups", "reset-offsets", "resetting-app", "--topic", "resetting:0", "--to-offset",
                "99", "--execute");
        assertEquals(0, clamped.exit(), clamped.toString());
        assertEquals("Warning: New offset (99) is higher than the latest offset of resetting-0 (4); using 4.\n",
                clamped.err());
        assertTrue(Pattern.compile("(?m)^resetting-app +resetting +0 +4$").matcher(clamped.out()).find(), clamped.out());

        ok(client("groups", "reset-offsets", "resetting-app", "--topic", "resetting", "--to-datetime",
                "2000-01-01T00:00:00.000Z", "--execute"));
        assertEquals(Map.of(new TopicPartition("resetting", 0), new OffsetAndMetadata(0),
                new TopicPartition("resetting", 1), new OffsetAndMetadata(0)), committed("resetting-app"),
                "every record is after 2000");
        ok(client("groups", "reset-offsets", "resetting-app", "--topic", "resetting", "--to-datetime",
                "2999-01-01T00:00:00+01:00", "--execute"));
        assertEquals(Map.of(new TopicPartition("resetting", 0), new OffsetAndMetadata(4),
                new TopicPartition("resetting", 1), new OffsetAndMetadata(6)), committed("resetting-app"),
                "no record at or after the time: the log end");

        assertError("Topic 'nowhere' does not exist.", client("groups", "reset-offsets", "resetting-app", "--topic",
                "nowhere", "--to-earliest"));
        assertError("Consumer group 'fresh-app' has no committed offsets: name the topics to reset with --topic.",
                client("groups", "reset-offsets", "fresh-app", "--all-topics", "--to-earliest"));
    }

    @Test
    void deleteRemovesTheGroupAndItsOffsets() {
        topic("deleting", 1);
        commit("deleting-app", Map.of(new TopicPartition("deleting", 0), 0L));
        commit("deleting-too", Map.of(new TopicPartition("deleting", 0), 0L));

        Outcome deleted = ok(client("groups", "delete", "deleting-app", "--group", "deleting-too"));
        assertEquals("Deletion of requested consumer groups ('deleting-app', 'deleting-too') was successful.\n",
                deleted.out());
        assertError("Consumer group 'deleting-app' does not exist.", client("groups", "describe", "deleting-app"));
        assertEquals(Map.of(), committed("deleting-app"), "its offsets went with it");
        assertTrue(client("groups", "list").out().lines().noneMatch(l -> l.startsWith("deleting-")));

        Outcome again = client("groups", "delete", "deleting-app");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().startsWith("Error: ") && again.err().lines().count() == 1, again.err());
        assertEquals("", again.out());

        commit("deleting-app", Map.of(new TopicPartition("deleting", 0), 0L));
        Outcome partly = client("groups", "delete", "deleting-ghost", "deleting-app");
        assertEquals(1, partly.exit(), partly.toString());
        assertEquals("Deletion of requested consumer groups ('deleting-app') was successful.\n", partly.out(),
                "the groups that could be deleted are");
        assertTrue(partly.err().startsWith("Error: ") && partly.err().contains("'deleting-ghost'")
                && partly.err().lines().count() == 1, partly.err());
    }

    @Test
    void describeOfAGroupThatDoesNotExistIsAnError() {
        assertError("Consumer group 'nobody' does not exist.", client("groups", "describe", "nobody"));
        assertError("Consumer group 'nobody' does not exist.", client("groups", "describe", "nobody", "--output",
                "json"));
    }

    @Test
    void aGroupWithAMemberIsDescribedWithItAndCannotBeResetNorDeleted() throws Exception {
        topic("active", 1);
        produce("active", 0, 2);
        commit("active-app", Map.of(new TopicPartition("active", 0), 1L)); // the coordinator is loaded from here on
        String memberId = UUID.randomUUID().toString();
        try (GrpcTransport transport = new GrpcTransport(4 * 1024 * 1024)) {
            String[] address = cluster.nodes().brokerAddress(1).split(":");
            Connection coordinator = transport.connection(address[0], Integer.parseInt(address[1]));
            ConsumerGroupHeartbeatResponse joined = heartbeat(coordinator, ConsumerGroupHeartbeatRequest.newBuilder()
                    .setGroupId("active-app").setMemberId(memberId).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                    .setSubscriptionChanged(true).addSubscribedTopicNames("active").setOwnedChanged(true)
                    .setClientId("groups-test").build());
            assertEquals(ErrorCode.NONE, joined.getErrorCode(), joined.toString());
            try {
                Outcome members = ok(client("groups", "describe", "active-app", "--members"));
                assertTrue(Pattern.compile("(?m)^active-app +" + Pattern.quote(joined.getMemberId())
                        + " +\\S+ +groups-test +\\d +\\S+$").matcher(members.out()).find(), members.out());
                Outcome offsets = ok(client("groups", "describe", "active-app"));
                assertTrue(Pattern.compile("(?m)^active-app +active +0 +1 +2 +1 ").matcher(offsets.out()).find(),
                        offsets.out());

                Outcome reset = client("groups", "reset-offsets", "active-app", "--topic", "active", "--to-earliest",
                        "--execute");
                assertEquals(1, reset.exit(), reset.toString());
                assertTrue(reset.err().startsWith("Error: Could not alter the offsets of group 'active-app': ")
                        && reset.err().endsWith(" Offsets can be changed only while the group has no members: stop "
                        + "its consumers and try again.\n"), reset.err());
                assertEquals(1, committed("active-app").get(new TopicPartition("active", 0)).offset(), "unchanged");
                ok(client("groups", "reset-offsets", "active-app", "--topic", "active", "--to-earliest", "--dry-run"));

                Outcome delete = client("groups", "delete", "active-app");
                assertEquals(1, delete.exit(), delete.toString());
                assertTrue(delete.err().startsWith("Error: Could not delete group 'active-app': "), delete.err());
                assertEquals(1, delete.err().lines().count(), delete.err());
            } finally {
                heartbeat(coordinator, ConsumerGroupHeartbeatRequest.newBuilder().setGroupId("active-app")
                        .setMemberId(joined.getMemberId()).setMemberEpoch(-1).build());
            }
        }
        ok(client("groups", "delete", "active-app"));
    }

    // ------------------------------------------------------------------------------- fixtures

    static Outcome client(String... args) {
        return cluster.client(args);
    }

    static Outcome ok(Outcome outcome) {
        assertEquals(0, outcome.exit(), outcome.toString());
        assertEquals("", outcome.err());
        return outcome;
    }

    /** Exit status 1 and exactly one line on stderr: {@code Error: } and then {@code message}. */
    static void assertError(String message, Outcome outcome) {
        assertEquals(1, outcome.exit(), outcome.toString());
        assertEquals("Error: " + message + "\n", outcome.err());
        assertEquals("", outcome.out());
    }

    private static void topic(String name, int partitions) {
        ok(client("topics", "create", name, "--partitions", String.valueOf(partitions), "--replication-factor", "1"));
    }

    /** Appends {@code count} records to one partition with `brook produce`. */
    private static void produce(String topic, int partition, int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append("record-").append(i).append('\n');
        }
        ProduceCommand.input = new ByteArrayInputStream(lines.toString().getBytes(StandardCharsets.UTF_8));
        ok(client("produce", topic, "--partition", String.valueOf(partition)));
    }

    private static BrookAdmin admin() {
        return new BrookAdmin(Map.of("bootstrap.servers", cluster.nodes().brokerAddress(cluster.nodes().anyRunning())));
    }

    /** Commits offsets for a group without members (creating it) through the admin client. */
    private static void commit(String group, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> committed = new java.util.TreeMap<>();
        offsets.forEach((tp, offset) -> committed.put(tp, new OffsetAndMetadata(offset)));
        try (BrookAdmin admin = admin()) {
            admin.alterGroupOffsets(group, committed);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) {
        try (BrookAdmin admin = admin()) {
            return admin.listGroupOffsets(group);
        }
    }

    private static ConsumerGroupHeartbeatResponse heartbeat(Connection coordinator,
            ConsumerGroupHeartbeatRequest request) throws Exception {
        return coordinator.consumerGroupHeartbeat(request, 10_000).get(10, TimeUnit.SECONDS);
    }
}
