package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `brook produce`, `brook consume` and `brook perf` end to end against an in-process 3-node cluster. */
class ClientIoCommandTest extends CliTestSupport {
    @RegisterExtension
    static final CliCluster cluster = new CliCluster(3, Map.of());

    private static final InputStream STDIN = ProduceCommand.input;

    @AfterEach
    void restoreStdin() {
        ProduceCommand.input = STDIN;
    }

    private static Outcome produce(String stdin, String... args) {
        ProduceCommand.input = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        String[] all = new String[args.length + 1];
        all[0] = "produce";
        System.arraycopy(args, 0, all, 1, args.length);
        return cluster.client(all);
    }

    private static void create(String topic, int partitions) {
        Outcome created = cluster.client("topics", "create", topic, "--partitions", String.valueOf(partitions),
                "--replication-factor", "3", "--config", "min.insync.replicas=2");
        assertEquals(0, created.exit(), created.toString());
    }

    @Test
    void linesProducedWithKeysAreConsumedBackWithKeysAndOffsets() {
        create("lines", 1);
        Outcome produced = produce("a:1\nb:2\nc:3\n", "lines", "--key-separator", ":", "--print-offsets");
        assertEquals(0, produced.exit(), produced.toString());
        assertEquals("0:0\n0:1\n0:2\n", produced.out());
        assertEquals("", produced.err());
        Outcome quiet = produce("d:4\n", "lines", "--key-separator", ":", "--acks", "1", "--compression", "zstd");
        assertEquals(new Outcome(0, "", ""), quiet, "silent on success");

        Outcome consumed = cluster.client("consume", "lines", "--from-beginning", "--max-messages", "4", "--print-key");
        assertEquals(0, consumed.exit(), consumed.toString());
        assertEquals("a\t1\nb\t2\nc\t3\nd\t4\n", consumed.out());
        assertEquals("Processed a total of 4 messages\n", consumed.err());

        Outcome fromOffset = cluster.client("consume", "lines", "--partition", "0", "--offset", "2", "--max-messages",
                "2", "--print-offset");
        assertEquals("Partition:0\tOffset:2\t3\nPartition:0\tOffset:3\t4\n", fromOffset.out());

        Outcome idle = cluster.client("consume", "lines", "--timeout-ms", "300");
        assertEquals(0, idle.exit(), "no new records: stops after the idle timeout");
        assertEquals("", idle.out());
    }

    @Test
    void jsonOutputIsOneObjectPerRecord() {
        create("json-lines", 1);
        Outcome produced = produce("k\"1:v\n", "json-lines", "--key-separator", ":", "--print-offsets", "--output", "json");
        assertEquals("{\"partition\":0,\"offset\":0}\n", produced.out());
        Outcome consumed = cluster.client("consume", "json-lines", "--from-beginning", "--max-messages", "1",
                "--output", "json");
        assertTrue(Pattern.matches("\\{\"partition\":0,\"offset\":0,\"timestamp\":\\d+,\"key\":\"k\\\\\"1\",\"value\":\"v\"}\n",
                consumed.out()), consumed.out());
    }

    @Test
    void recordsWithoutAKeyAndOnAChosenPartition() {
        create("spread", 3);
        Outcome produced = produce("x\ny\nz\n", "spread", "--partition", "2", "--print-offsets");
        assertEquals("2:0\n2:1\n2:2\n", produced.out());
        Outcome consumed = cluster.client("consume", "spread", "--from-beginning", "--max-messages", "3");
        assertEquals("x\ny\nz\n", consumed.out());
    }

    @Test
    void errorsAreOneLineWithExitStatusOneOrTwo() throws Exception {
        create("errors", 1);
        assertError("Topic 'nope' does not exist.", produce("v\n", "nope"));
        assertError("Topic 'nope' does not exist.", cluster.client("consume", "nope", "--max-messages", "1"));
        assertError("Line 2 has no key separator ':'.", produce("k:v\nno separator\n", "errors", "--key-separator", ":"));
        Outcome unknownKey = produce("v\n", "errors", "--producer-property", "no.such.key=1");
        assertEquals(1, unknownKey.exit());
        assertTrue(unknownKey.err().startsWith("Error: Unknown configuration 'no.such.key'"), unknownKey.err());
        Outcome badAcks = produce("v\n", "errors", "--acks", "2");
        assertEquals(1, badAcks.exit());
        assertTrue(badAcks.err().contains("acks"), badAcks.err());
        assertEquals(1, cluster.client("consume", "errors", "--partition", "5", "--max-messages", "1").exit());

        Outcome usage = cluster.client("consume", "errors", "--offset", "3");
        assertEquals(2, usage.exit(), "--offset without --partition is a usage error");

        Path config = Files.writeString(cluster.dir().resolve("fast.properties"), "default.api.timeout.ms=1500\n");
        Outcome unreachable = CliTestSupport.run("produce", "errors", "--bootstrap-server", "127.0.0.1:1",
                "--command-config", config.toString());
        assertEquals(1, unreachable.exit(), unreachable.toString());
        assertTrue(unreachable.err().startsWith("Error: No reachable broker among [127.0.0.1:1]"), unreachable.err());
    }

    @Test
    void aGroupCannotBeCombinedWithPartitionOrOffsetOrAContradictoryReset() {
        create("group-rules", 1);
        for (String[] args : new String[][] {
                {"consume", "group-rules", "--group", "g", "--partition", "0"},
                {"consume", "group-rules", "--group", "g", "--partition", "0", "--offset", "1"},
                {"consume", "group-rules", "--consumer-property", "group.id=g", "--partition", "0"}}) {
            Outcome usage = cluster.client(args);
            assertEquals(2, usage.exit(), usage.toString());
            assertTrue(usage.err().contains("--partition and --offset cannot be used with a group"), usage.err());
        }
        Outcome contradiction = cluster.client("consume", "group-rules", "--group", "g", "--from-beginning",
                "--consumer-property", "auto.offset.reset=latest");
        assertEquals(2, contradiction.exit(), contradiction.toString());
        Outcome twoGroups = cluster.client("consume", "group-rules", "--group", "g", "--consumer-property",
                "group.id=h");
        assertEquals(2, twoGroups.exit(), twoGroups.toString());
    }

    @Test
    void aGroupResumesAtItsCommittedOffsetsAndCommitsOnlyWhatWasPrinted() {
        create("grouped", 1);
        assertEquals(0, produce("a\nb\nc\nd\ne\n", "grouped").exit());

        Outcome first = cluster.client("consume", "grouped", "--group", "readers", "--from-beginning",
                "--max-messages", "2");
        assertEquals(0, first.exit(), first.toString());
        assertEquals("a\nb\n", first.out());
        assertEquals("Processed a total of 2 messages\n", first.err());

        Outcome second = cluster.client("consume", "grouped", "--group", "readers", "--max-messages", "3");
        assertEquals("c\nd\ne\n", second.out(), "from the committed offset 2 (all five came in one poll, two "
                + "were printed), not from the end");

        Outcome third = cluster.client("consume", "grouped", "--group", "readers", "--from-beginning",
                "--timeout-ms", "3000");
        assertEquals(0, third.exit(), third.toString());
        assertEquals("", third.out(), "all committed: --from-beginning only matters without committed offsets");

        Outcome others = cluster.client("consume", "grouped", "--consumer-property", "group.id=others",
                "--from-beginning", "--max-messages", "5");
        assertEquals("a\nb\nc\nd\ne\n", others.out(), "another group, its own offsets");
    }

    private static void assertError(String message, Outcome outcome) {
        assertEquals(1, outcome.exit(), outcome.toString());
        assertEquals("Error: " + message + "\n", outcome.err());
    }

    @Test
    void perfProduceAndConsumePrintKafkasFormat() {
        create("perf", 3);
        Outcome produced = cluster.client("perf", "produce", "--topic", "perf", "--num-records", "500",
                "--record-size", "100", "--producer-prop", "linger.ms=1");
        assertEquals(0, produced.exit(), produced.toString());
        List<String> lines = produced.out().lines().toList();
        assertTrue(Pattern.matches("500 records sent, [0-9]+\\.[0-9]{6} records/sec \\([0-9.]+ MB/sec\\), [0-9.]+ ms avg latency, "
                + "[0-9.]+ ms max latency, \\d+ ms 50th, \\d+ ms 95th, \\d+ ms 99th, \\d+ ms 99.9th\\.",
                lines.get(lines.size() - 1)), produced.out());

        Outcome throttled = cluster.client("perf", "produce", "--topic", "perf", "--num-records", "50",
                "--record-size", "10", "--throughput", "1000", "--acks", "1", "--warmup-records", "10");
        assertEquals(0, throttled.exit(), throttled.toString());
        List<String> warm = throttled.out().lines().toList();
        assertEquals("Warmup first 10 records. Steady state results will print after the complete test summary.",
                warm.get(0));
        assertEquals("In steady state.", warm.get(1));
        assertTrue(warm.get(warm.size() - 1).startsWith("40 steady state records sent, "), throttled.out());
        assertTrue(warm.get(warm.size() - 2).startsWith("50 records sent, "), throttled.out());

        Outcome consumed = cluster.client("perf", "consume", "--topic", "perf", "--num-records", "550");
        assertEquals(0, consumed.exit(), consumed.toString());
        List<String> csv = consumed.out().lines().toList();
        assertEquals(ConsumerPerformance.HEADER, csv.get(0));
        String[] fields = csv.get(1).split(", ");
        assertEquals("550", fields[4], csv.get(1));
        assertEquals(2, csv.size(), consumed.out());
    }
}
