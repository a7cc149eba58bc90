package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.brook.client.BrookAdmin;
import io.brook.client.BrookConsumer;
import io.brook.client.BrookProducer;
import io.brook.client.ConsumerRecord;
import io.brook.client.NewTopic;
import io.brook.client.PartitionInfo;
import io.brook.client.ProducerRecord;
import io.brook.client.RecordMetadata;
import io.brook.client.TopicPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three combined nodes as real processes from the cli's shaded jar, each in a network namespace of
 * its own, under each fault the nemesis uses: kill -9 and restart of the partition leader,
 * SIGSTOP / SIGCONT of a follower, the partition leader cut off from the others (replication
 * and the Raft quorum both cut: the majority elects a new leader and controller, the old leader
 * cannot acknowledge acks=all), and the active controller cut off. Each step starts from a full
 * ISR and leaves one behind; every wait is bounded and polls a condition.
 *
 * <p>A failsafe IT of the cli module (it needs the shaded jar, {@code brook.jar}) and part of
 * the README's test command; needs root for the namespaces (fails without, saying so;
 * {@code -Dchaos.skip=true} skips it). Node logs stay in {@code cli/target/chaos-cluster-test/}.
 * {@code -Dchaos.partitionMethod=BLACKHOLE_ROUTE} runs the partition steps with blackhole routes,
 * {@code -Dchaos.controllers=3} with 3 controller-only nodes beside the 3 brokers, and
 * {@code -Dchaos.network=LOOPBACK} on 127.0.0.1 (the partition steps are then skipped).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosClusterIT {
    private static final String TOPIC = "chaos";
    /**
     * Bound on each wait, generous for a loaded 2-core machine. (Before brokers gave up on a silent
     * controller after one heartbeat attempt, cutting off the active controller left a partition
     * without a leader for about 30 s: the controller client's whole request timeout.)
     */
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ChaosCluster cluster;
    private BrookProducer producer;
    private int sent;
    /** Every acknowledged value and the offset it was acknowledged at. */
    private final Map<String, Long> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    void startCluster() throws Exception {
        ChaosIts.assumeNotSkipped();
        Path dir = ChaosIts.workDir("chaos-cluster-test");
        cluster = ChaosCluster.start(ChaosCluster.Settings.builder(ChaosIts.jar(), dir)
                .network(NetworkMode.valueOf(System.getProperty("chaos.network", "NAMESPACES")))
                .separateControllers(Integer.getInteger("chaos.controllers", 0))
                .partitionMethod(PartitionMethod.valueOf(System.getProperty("chaos.partitionMethod", "SILENT_DROP")))
                .config("broker.session.timeout.ms", 3000)
                .config("broker.heartbeat.interval.ms", 300)
                .config("replica.lag.time.max.ms", 3000)
                .config("default.replication.factor", 3)
                .config("min.insync.replicas", 2)
                .build());
        try (BrookAdmin admin = admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2"))));
        }
        producer = producer(cluster.bootstrapServers());
        awaitFullIsr();
        produce(producer);
    }

    /** A failed step leaves no fault behind for the next one. */
    @AfterEach
    void healEverything() {
        if (cluster != null && !cluster.isClosed()) {
            cluster.healAll();
        }
    }

    @AfterAll
    void stopCluster() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(1));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void killedLeaderIsReplacedAndRejoinsTheIsrAfterRestart() throws Exception {
        int leader = awaitFullIsr().leader();
        cluster.kill(leader);
        assertFalse(cluster.isRunning(leader));

        RecordMetadata written = produce(producer); // acks=all with 2 of 3 in sync
        int newLeader = cluster.leaderOf(TOPIC, 0).orElseThrow();
        assertNotEquals(leader, newLeader, "a surviving replica leads");
        Await.until("the killed node leaves the ISR", WAIT, () ->
                !cluster.partitionInfo(TOPIC, 0).orElseThrow().isr().contains(leader));

        cluster.restart(leader);
        assertTrue(cluster.isRunning(leader));
        awaitFullIsr();
        assertTrue(written.offset() >= 0);
    }

    @Test
    @Order(2)
    void pausedFollowerLeavesTheIsrAndRejoinsOnceResumed() throws Exception {
        PartitionInfo before = awaitFullIsr();
        int follower = before.replicas().stream().filter(r -> r != before.leader()).findFirst().orElseThrow();
        cluster.pause(follower);
        assertTrue(cluster.isPaused(follower) && cluster.isRunning(follower));

        Await.until("the paused node " + follower + " leaves the ISR", WAIT, () ->
                !cluster.partitionInfo(TOPIC, 0).orElseThrow().isr().contains(follower));
        produce(producer);

        cluster.resume(follower);
        assertFalse(cluster.isPaused(follower));
        awaitFullIsr();
        produce(producer);
    }

    @Test
    @Order(3)
    void isolatedLeaderIsReplacedByTheMajorityAndLosesNoAcknowledgedWrite() throws Exception {
        assumeTrue(cluster.supportsPartitions(), "partitions need network namespaces");
        int leader = awaitFullIsr().leader();
        List<Integer> majority = cluster.nodeIds().stream().filter(n -> n != leader).toList();
        List<Integer> majorityBrokers = cluster.brokerIds().stream().filter(n -> n != leader).toList();
        // A client that knows only the old leader: it learns the cluster from there and sends there first.
        try (BrookProducer toOldLeader = producer(cluster.address(leader));
             BrookProducer toMajority = producer(majorityBrokers.stream().map(cluster::address)
                     .collect(Collectors.joining(",")))) {
            produce(toOldLeader); // connected before the cut
            CompletableFuture<RecordMetadata> viaOldLeader;
            try {
                cluster.partition(Partition.isolate(leader, cluster.nodeIds()));
                long cutAt = System.nanoTime();
                viaOldLeader = toOldLeader.send(record("sent to the isolated leader"));

                Await.until("a new leader on the majority side " + majorityBrokers, WAIT, () ->
                        majorityBrokers.contains(cluster.leaderOf(TOPIC, 0).orElse(-1)));
                PartitionInfo shrunk = awaitView("the ISR without the isolated node " + leader, majorityBrokers,
                        p -> !p.isr().contains(leader) && majorityBrokers.contains(p.leader()));
                assertEquals(new TreeSet<>(majorityBrokers), new TreeSet<>(shrunk.isr()));
                Await.until("an active controller on the majority side", WAIT, () ->
                        majority.contains(cluster.activeController().orElse(-1)));
                RecordMetadata onNewLeader = produce(toMajority);
                System.out.printf("isolated leader %d: new leader %d after %d ms; acks=all write at offset %d; the "
                        + "write sent to the old leader: %s%n", leader, shrunk.leader(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt), onNewLeader.offset(),
                        viaOldLeader.isDone() ? viaOldLeader.handle((m, e) -> e == null ? "acknowledged at offset "
                                + m.offset() : "failed: " + e).join() : "not answered yet");
            } finally {
                cluster.heal();
            }
            assertEquals(Partition.NONE, cluster.currentPartition());
            awaitFullIsr();
            cluster.awaitBrokersUnfenced(WAIT);
            try {
                viaOldLeader.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                acknowledged.put("sent to the isolated leader", viaOldLeader.get().offset());
            } catch (java.util.concurrent.ExecutionException e) {
                System.out.println("the write sent to the isolated leader failed: " + e.getCause());
            }
        }
        assertEveryAcknowledgedWriteIsInTheLog();
    }

    @Test
    @Order(4)
    void isolatedActiveControllerIsReplacedByTheMajority() throws Exception {
        assumeTrue(cluster.supportsPartitions(), "partitions need network namespaces");
        awaitFullIsr();
        int controller = awaitActiveController();
        List<Integer> others = cluster.nodeIds().stream().filter(n -> n != controller).toList();
        // Bootstrapped away from the isolated node, whose stale metadata would keep naming old leaders.
        try (BrookProducer toMajority = producer(cluster.brokerIds().stream().filter(n -> n != controller)
                .map(cluster::address).collect(Collectors.joining(",")))) {
            try {
                cluster.partition(List.of(Set.of(controller), Set.copyOf(others)));
                long cutAt = System.nanoTime();
                Await.until("an active controller other than the isolated node " + controller, WAIT, () ->
                        others.contains(cluster.activeController().orElse(-1)));
                if (cluster.brokerIds().contains(controller)) {
                    Await.until("the isolated node " + controller + " fenced and out of the ISR", WAIT, () ->
                            !cluster.partitionInfo(TOPIC, 0).orElseThrow().isr().contains(controller));
                }
                produce(toMajority);
                System.out.printf("isolated active controller %d: new controller %d, first acks=all write %d ms "
                        + "after the cut%n", controller, cluster.activeController().orElse(-1),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt));
            } finally {
                cluster.heal();
            }
        }
        cluster.awaitBrokersUnfenced(WAIT);
        awaitFullIsr();
        assertEveryAcknowledgedWriteIsInTheLog();
    }

    @Test
    @Order(5)
    void closeKillsEveryNodePausedOnesIncludedAndRemovesTheNamespaces() throws Exception {
        cluster.pause(1);
        List<ProcessHandle> processes = new ArrayList<>();
        for (int node : cluster.nodeIds()) {
            OptionalLong pid = cluster.pid(node);
            processes.add(ProcessHandle.of(pid.orElseThrow()).orElseThrow());
        }
        String network = cluster.describeNetwork();
        producer.close(Duration.ofSeconds(1));
        producer = null;
        cluster.close();

        for (ProcessHandle p : processes) {
            assertFalse(p.isAlive(), "node process " + p.pid() + " is gone");
        }
        String namespaces = Commands.run("ip", "netns", "list");
        String links = Commands.run("ip", "-o", "link", "show");
        if (network.startsWith("network namespaces")) {
            String tag = network.replaceAll("^network namespaces brook-(\\S+)-N .*$", "$1");
            assertFalse(namespaces.contains("brook-" + tag + "-"), namespaces);
            assertFalse(links.contains("brk-" + tag) || links.contains("vb-" + tag + "-"), links);
        }
        assertTrue(Files.size(cluster.log(1)) > 0, "the logs are kept");
    }

    // ---------------------------------------------------------------------------------- helpers

    private int awaitActiveController() {
        int[] found = new int[1];
        Await.until("an active controller", WAIT, () -> {
            found[0] = cluster.activeController().orElse(-1);
            return found[0] > 0;
        });
        return found[0];
    }

    /** Waits until every node answers with a leader and all 3 replicas in the ISR. */
    private PartitionInfo awaitFullIsr() {
        return awaitView("a leader and a full ISR on every broker", cluster.brokerIds(),
                p -> p.leader() > 0 && p.isr().size() == 3);
    }

    /** Waits until each of {@code nodes} answers with a view of the partition that satisfies {@code condition}. */
    private PartitionInfo awaitView(String what, List<Integer> nodes, java.util.function.Predicate<PartitionInfo> condition) {
        PartitionInfo[] seen = new PartitionInfo[1];
        Await.until(what, WAIT, () -> {
            Map<Integer, PartitionInfo> views = cluster.partitionViews(TOPIC, 0);
            if (!views.keySet().containsAll(nodes)) {
                return false;
            }
            for (int node : nodes) {
                if (!condition.test(views.get(node))) {
                    return false;
                }
                seen[0] = views.get(node);
            }
            return true;
        });
        return seen[0];
    }

    /** Sends one new value acks=all and waits for the acknowledgement, which it remembers. */
    private RecordMetadata produce(BrookProducer p) throws Exception {
        String value = "value-" + sent++;
        RecordMetadata written = p.send(record(value)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        acknowledged.put(value, written.offset());
        return written;
    }

    /** Reads the partition from the start: every acknowledged value is there, once, at its offset. */
    private void assertEveryAcknowledgedWriteIsInTheLog() {
        Map<String, Long> found = new java.util.HashMap<>();
        try (BrookConsumer consumer = new BrookConsumer(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                "enable.auto.commit", "false", "default.api.timeout.ms", "30000"))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            Await.until("the partition read up to offset " + end, WAIT, () -> {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    Long earlier = found.put(r.valueAsString(), r.offset());
                    assertTrue(earlier == null, r.valueAsString() + " at offsets " + earlier + " and " + r.offset());
                }
                return consumer.position(tp) >= end;
            });
        }
        acknowledged.forEach((value, offset) -> assertEquals(offset, found.get(value),
                "acknowledged " + value + " at offset " + offset));
    }

    private static ProducerRecord record(String value) {
        return ProducerRecord.of(TOPIC, null, value);
    }

    private static BrookProducer producer(String bootstrap) {
        return new BrookProducer(Map.of("bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", "true",
                "request.timeout.ms", "5000", "delivery.timeout.ms", "55000", "retry.backoff.max.ms", "500",
                "linger.ms", "0"));
    }

    private static BrookAdmin admin(String bootstrap) {
        return new BrookAdmin(Map.of("bootstrap.servers", bootstrap, "default.api.timeout.ms", "30000"));
    }
}
