package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.broker.LocalCluster;
import io.brook.common.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `brook cluster status` (and the partition marks of `brook topics describe`) against three
 * in-process nodes: healthy first, then with node 3 halted (the last test).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCommandTest extends CliTestSupport {
    @RegisterExtension
    static final CliCluster cluster = new CliCluster(3, Map.of("replica.lag.time.max.ms", "3000"));

    static Outcome client(String... args) {
        return cluster.client(args);
    }

    @Test
    @Order(1)
    void statusShowsTheQuorumTheBrokersAndHealthyCounts() {
        Outcome status = client("cluster", "status");
        assertEquals(0, status.exit(), status.toString());
        String out = status.out();
        assertTrue(out.startsWith("Cluster id: " + cluster.nodes().node(1).clusterId() + "\n"), out);
        Matcher controller = Pattern.compile("(?m)^Controller: ([123]) \\(leader of the quorum, term (\\d+)\\)$").matcher(out);
        assertTrue(controller.find(), out);
        String leader = controller.group(1);
        assertTrue(out.contains("Quorum voters:\n  ID  ROLE      LAG\n"), out);
        for (int id = 1; id <= 3; id++) {
            String role = leader.equals(Integer.toString(id)) ? "leader  " : "follower";
            assertTrue(Pattern.compile("(?m)^  " + id + "   " + role + "  (\\d+|unknown)$").matcher(out).find(), out);
            assertTrue(Pattern.compile("(?m)^  " + id + "   127\\.0\\.0\\.1:" + cluster.nodes().node(id).brokerPort()
                    + " +- +alive$").matcher(out).find(), out);
        }
        assertTrue(out.contains("Brokers:\n  ID  ADDRESS"), out);
        assertTrue(out.endsWith("Under-replicated partitions: 0\nOffline partitions: 0\n"), out);

        Outcome json = client("cluster", "status", "--output", "json");
        assertEquals(0, json.exit(), json.toString());
        assertTrue(Pattern.matches("\\{\"clusterId\":\"" + Pattern.quote(cluster.nodes().node(1).clusterId()) + "\","
                + "\"controller\":\\{\"id\":" + leader + ",\"term\":\\d+},\"quorumError\":null,"
                + "\"voters\":\\[\\{\"id\":1,\"lag\":-?\\d+,\"leader\":(true|false)},.*],"
                + "\"brokers\":\\[\\{\"id\":1,\"host\":\"127\\.0\\.0\\.1\",\"port\":" + cluster.nodes().node(1).brokerPort()
                + ",\"rack\":null,\"alive\":true,\"fenced\":false,\"inControlledShutdown\":false},.*],"
                + "\"underReplicatedPartitions\":0,\"offlinePartitions\":0}\n", json.out()), json.out());
    }

    @Test
    @Order(2)
    void noReachableBrokerIsAnError() throws Exception {
        Path config = Files.writeString(cluster.dir().resolve("short.properties"), "default.api.timeout.ms=300\n");
        String nowhere = "127.0.0.1:" + LoopbackPorts.free();
        Outcome outcome = run("cluster", "status", "--bootstrap-server", nowhere, "--command-config", config.toString());
        assertEquals(1, outcome.exit(), outcome.toString());
        assertTrue(outcome.err().startsWith("Error: No reachable broker among [" + nowhere + "]"), outcome.err());
        assertEquals(2, run("cluster").exit(), "a group without a subcommand is a usage error");
    }

    @Test
    @Order(3)
    void aHaltedBrokerIsFencedAndItsPartitionsAreMarked() {
        assertEquals(0, client("topics", "create", "spread", "--partitions", "6", "--replication-factor", "1").exit());
        assertEquals(0, client("topics", "create", "replicated", "--partitions", "1", "--replication-factor", "3").exit());
        assertTrue(Pattern.compile("(?m)^  \\d +3 +3 +3 +- +ok$").matcher(client("topics", "describe", "spread").out())
                .find(), "some partition of spread lives on broker 3 only");

        cluster.nodes().halt(3);
        LocalCluster.await("broker 3 is fenced and its partitions are marked", Duration.ofSeconds(60), () ->
                Pattern.compile("(?m)^  3   127\\.0\\.0\\.1:\\d+ +- +fenced$").matcher(client("cluster", "status").out()).find()
                        && client("topics", "describe", "replicated").out().contains("under-replicated")
                        && client("topics", "describe", "spread").out().contains("offline"));

        String spread = client("topics", "describe", "spread").out();
        assertTrue(Pattern.compile("(?m)^  \\d +none +3 +(3|-) +3 +offline$").matcher(spread).find(), spread);
        String replicated = client("topics", "describe", "replicated").out();
        assertTrue(Pattern.compile("(?m)^  0 +[12] +\\d,\\d,\\d +\\d,\\d +3 +under-replicated$").matcher(replicated).find(),
                replicated);
        String status = client("cluster", "status").out();
        Matcher counts = Pattern.compile("Under-replicated partitions: (\\d+)\nOffline partitions: (\\d+)\n$").matcher(status);
        assertTrue(counts.find(), status);
        assertTrue(Integer.parseInt(counts.group(1)) >= 1 && Integer.parseInt(counts.group(2)) >= 1, status);
    }
}
