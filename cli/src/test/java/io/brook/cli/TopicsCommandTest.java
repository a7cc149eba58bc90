package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `brook topics …` end to end through the picocli entry point against one in-process node
 * (broker and controller); each test uses topics of its own.
 */
class TopicsCommandTest extends CliTestSupport {
    @RegisterExtension
    static final CliCluster cluster = new CliCluster(1, Map.of());

    static Outcome client(String... args) {
        return cluster.client(args);
    }

    static void assertOk(Outcome outcome) {
        assertEquals(0, outcome.exit(), outcome.toString());
        assertEquals("", outcome.err());
    }

    /** Exit status 1 and exactly one line on stderr: {@code Error: } and then {@code message}. */
    static void assertError(String message, Outcome outcome) {
        assertEquals(1, outcome.exit(), outcome.toString());
        assertEquals("Error: " + message + "\n", outcome.err());
        assertEquals("", outcome.out());
    }

    @Test
    void createListDescribeAndDeleteATopic() {
        Outcome created = client("topics", "create", "orders", "--partitions", "3", "--replication-factor", "1",
                "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact");
        assertOk(created);
        assertEquals("Created topic orders.\n", created.out());

        Outcome listed = client("topics", "list");
        assertOk(listed);
        assertTrue(listed.out().lines().anyMatch("orders"::equals), listed.out());

        Outcome described = client("topics", "describe", "orders");
        assertOk(described);
        List<String> lines = described.out().lines().toList();
        assertTrue(Pattern.matches("Topic: orders  TopicId: [A-Za-z0-9_-]{22}  PartitionCount: 3  ReplicationFactor: 1  "
                + "Configs: cleanup.policy=compact,retention.ms=3600000", lines.get(0)), lines.get(0));
        assertEquals("  PARTITION  LEADER  REPLICAS  ISR  OFFLINE  STATUS", lines.get(1));
        assertEquals("  0          1       1         1    -        ok", lines.get(2));
        assertEquals(5, lines.size(), described.out());
        assertTrue(client("topics", "describe").out().contains("Topic: orders  "), "describing every topic includes it");

        Outcome deleted = client("topics", "delete", "orders");
        assertOk(deleted);
        assertEquals("Deleted topic orders.\n", deleted.out());
        assertFalse(client("topics", "list").out().lines().anyMatch("orders"::equals));
        assertError("Topic 'orders' does not exist.", client("topics", "describe", "orders"));
    }

    @Test
    void jsonOutputIsOneLineForScripts() {
        Outcome created = client("topics", "create", "json-topic", "--partitions", "2", "--output", "json");
        assertOk(created);
        assertTrue(Pattern.matches("\\{\"name\":\"json-topic\",\"topicId\":\"[A-Za-z0-9_-]{22}\",\"partitions\":2,"
                + "\"replicationFactor\":1}\n", created.out()), created.out());

        Outcome listed = client("topics", "list", "--output", "JSON");
        assertOk(listed);
        assertTrue(listed.out().startsWith("[") && listed.out().endsWith("]\n"), listed.out());
        assertTrue(Pattern.compile("\\{\"name\":\"json-topic\",\"topicId\":\"[A-Za-z0-9_-]{22}\",\"partitions\":2,"
                + "\"internal\":false}").matcher(listed.out()).find(), listed.out());

        Outcome described = client("topics", "describe", "json-topic", "--output", "json");
        assertOk(described);
        assertTrue(Pattern.matches("\\[\\{\"name\":\"json-topic\",\"topicId\":\"[A-Za-z0-9_-]{22}\",\"internal\":false,"
                + "\"partitionCount\":2,\"replicationFactor\":1,\"configs\":\\{},\"partitions\":\\["
                + "\\{\"partition\":0,\"leader\":1,\"leaderEpoch\":\\d+,\"replicas\":\\[1],\"isr\":\\[1],"
                + "\"offlineReplicas\":\\[],\"status\":\"ok\"},"
                + "\\{\"partition\":1,\"leader\":1,\"leaderEpoch\":\\d+,\"replicas\":\\[1],\"isr\":\\[1],"
                + "\"offlineReplicas\":\\[],\"status\":\"ok\"}]}]\n", described.out()), described.out());

        Outcome deleted = client("topics", "delete", "json-topic", "--output", "json");
        assertOk(deleted);
        assertEquals("{\"name\":\"json-topic\"}\n", deleted.out());
    }

    @Test
    void alterGrowsTheTopicAndRefusesToShrinkIt() {
        assertOk(client("topics", "create", "growing", "--partitions", "1"));
        Outcome altered = client("topics", "alter", "growing", "--partitions", "3");
        assertOk(altered);
        assertEquals("Topic growing now has 3 partitions.\n", altered.out());
        assertTrue(client("topics", "describe", "growing").out().contains("PartitionCount: 3"));

        Outcome shrink = client("topics", "alter", "growing", "--partitions", "2");
        assertEquals(1, shrink.exit());
        assertTrue(shrink.err().startsWith("Error: Could not create partitions for topic 'growing': "), shrink.err());
        assertError("Topic 'nowhere' does not exist.", client("topics", "alter", "nowhere", "--partitions", "2"));
    }

    @Test
    void configsAreShownSetAndDeleted() {
        assertOk(client("topics", "create", "configured", "--partitions", "1"));
        Outcome shown = client("topics", "configs", "configured");
        assertOk(shown);
        assertTrue(Pattern.matches("NAME +VALUE +SOURCE", shown.out().lines().findFirst().orElseThrow()), shown.out());
        assertTrue(Pattern.compile("(?m)^retention\\.ms +604800000 +default$").matcher(shown.out()).find(), shown.out());

        Outcome set = client("topics", "configs", "configured", "--set", "retention.ms=1000", "--set",
                "cleanup.policy=compact");
        assertOk(set);
        assertTrue(set.out().startsWith("Altered the configs of topic configured.\nNAME"), set.out());
        assertTrue(Pattern.compile("(?m)^retention\\.ms +1000 +topic$").matcher(set.out()).find(), set.out());
        assertTrue(Pattern.compile("(?m)^cleanup\\.policy +compact +topic$").matcher(set.out()).find(), set.out());

        Outcome deleted = client("topics", "configs", "configured", "--delete", "retention.ms", "--output", "json");
        assertOk(deleted);
        assertTrue(deleted.out().contains("{\"name\":\"retention.ms\",\"value\":\"604800000\",\"source\":\"DEFAULT\","
                + "\"readOnly\":false}"), deleted.out());
        assertTrue(deleted.out().contains("{\"name\":\"cleanup.policy\",\"value\":\"compact\",\"source\":\"DYNAMIC\","),
                deleted.out());

        Outcome unknownKey = client("topics", "configs", "configured", "--set", "foo=bar");
        assertEquals(1, unknownKey.exit());
        assertTrue(unknownKey.err().startsWith("Error: Could not alter the configs of topic 'configured': ")
                && unknownKey.err().contains("'foo'"), unknownKey.err());
        assertError("Topic 'nowhere' does not exist.", client("topics", "configs", "nowhere"));
    }

    @Test
    void errorsAreOneLineWithExitStatusOne() {
        assertOk(client("topics", "create", "dup", "--partitions", "1"));
        assertError("Topic 'dup' already exists.", client("topics", "create", "dup"));
        Outcome again = client("topics", "create", "dup", "--if-not-exists");
        assertOk(again);
        assertEquals("Topic dup exists already.\n", again.out());
        assertError("Topic 'ghost' does not exist.", client("topics", "delete", "ghost"));

        Outcome badConfig = client("topics", "create", "bad-config", "--config", "foo=bar");
        assertEquals(1, badConfig.exit());
        assertTrue(badConfig.err().startsWith("Error: Could not create topic 'bad-config': ")
                && badConfig.err().contains("Unknown configuration 'foo'"), badConfig.err());

        Outcome badFactor = client("topics", "create", "bad-factor", "--replication-factor", "3");
        assertEquals(1, badFactor.exit());
        assertTrue(badFactor.err().startsWith("Error: Could not create topic 'bad-factor': ")
                && badFactor.err().contains("replication factor 3"), badFactor.err());
        assertEquals(1, badFactor.err().lines().count(), badFactor.err());
    }

    @Test
    void usageErrorsHaveExitStatusTwo() {
        assertEquals(2, run("topics").exit(), "a group without a subcommand");
        assertEquals(2, client("topics", "alter", "t").exit(), "--partitions is required");
        assertEquals(2, client("topics", "create").exit(), "TOPIC is required");
        assertEquals(2, client("topics", "list", "--output", "xml").exit());
        assertEquals(2, client("topics", "create", "t", "--partitions", "many").exit());
        assertEquals(2, client("topics", "create", "t", "--config", "no-equals-sign").exit());
    }

    @Test
    void noReachableBrokerIsAnErrorNamingTheAddresses() throws Exception {
        Path config = Files.writeString(cluster.dir().resolve("short-timeout.properties"), "default.api.timeout.ms=500\n");
        String nowhere = "127.0.0.1:" + LoopbackPorts.free();
        Outcome outcome = run("topics", "list", "--bootstrap-server", nowhere, "--command-config", config.toString());
        assertEquals(1, outcome.exit(), outcome.toString());
        assertTrue(outcome.err().startsWith("Error: No reachable broker among [" + nowhere + "] within 500 ms: "),
                outcome.err());
        assertEquals(1, outcome.err().lines().count(), outcome.err());
    }

    @Test
    void badClientConfigurationIsAnErrorNamingTheKey() throws Exception {
        Path config = Files.writeString(cluster.dir().resolve("bad.properties"), "request.timeout.msec=5\n");
        assertError("Invalid client configuration in " + config + ": Unknown configuration 'request.timeout.msec' "
                        + "(did you mean 'request.timeout.ms'?).",
                client("topics", "list", "--command-config", config.toString()));
        assertError("Cannot read the command config " + cluster.dir().resolve("missing") + ": no such file.",
                client("topics", "list", "--command-config", cluster.dir().resolve("missing").toString()));
        assertError("Invalid address 'nohost' in bootstrap.servers: expected host:port.",
                run("topics", "list", "--bootstrap-server", "nohost"));
    }
}
