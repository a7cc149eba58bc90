package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.chaos.run.ChaosRunner;
import io.brook.client.BrookAdmin;
import io.brook.client.BrookConsumer;
import io.brook.client.BrookProducer;
import io.brook.client.ConsumerRecord;
import io.brook.client.NewTopic;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.PartitionInfo;
import io.brook.client.ProducerRecord;
import io.brook.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A bug found by the chaos group workload, fixed on 2026-12-02 (a committed offset's leader epoch
 * now keeps the consumer off brokers that know only an older epoch of the partition; see
 * {@code LeaderEpochs} in the client SDK). This test fails without the fix and passes with it.
 * Like {@link ChaosClusterIT}, a failsafe IT of the cli module (the node jar, root for the
 * namespaces; {@code -Dchaos.skip=true} skips it) in the README's test command (about 40 s).
 *
 * <p>A partition's leader is cut off; the majority elects another leader, which takes more
 * writes, and the group commits past everything the cut-off node has. A consumer of the group that
 * starts now and asks the cut-off node first gets its stale metadata (itself the leader, an epoch
 * behind). Before the fix it fetched there at the committed offset, was told the offset is out of
 * range (the stale log is shorter) and reset to auto.offset.reset — the whole group back to
 * offset 0 (seen in the chaos run: "committed offset backwards", 3,082 → 500).
 */
class CutOffNodeGroupOffsetsIT {
    private static final String TOPIC = "rewind";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aConsumerThatAsksTheCutOffOldLeaderFirstStartsAtTheCommittedOffset() throws Exception {
        try (ChaosCluster cluster = startCluster("chaos-rewind", 3)) {
            // The partition led by the lowest broker id: the one the client's metadata asks first
            // among the brokers it knows, so that without the fix the test fails every time.
            int leader = cluster.brokerIds().stream().mapToInt(Integer::intValue).min().orElseThrow();
            int[] found = {-1};
            Await.until("a partition of " + TOPIC + " led by broker " + leader + " with a full ISR", WAIT, () -> {
                for (int p = 0; p < 3; p++) {
                    PartitionInfo info = cluster.partitionInfo(TOPIC, p).orElse(null);
                    if (info != null && info.leader() == leader && info.isr().size() == 3) {
                        found[0] = p;
                        return true;
                    }
                }
                return false;
            });
            TopicPartition tp = new TopicPartition(TOPIC, found[0]);
            produce(cluster.bootstrapServers(), tp, 0, 100);
            // The offsets topic, created by a first group's commit.
            consumeAndCommit(cluster.bootstrapServers(), "probe", tp, 100);
            // A group whose coordinator is not on the node to be cut off (a cut-off coordinator is
            // another matter: the consumer would not find the group's current state at all).
            String group = null;
            for (int i = 0; group == null; i++) {
                assertTrue(i < 100, "every __consumer_offsets partition is led by broker " + leader);
                int offsetsPartition = (("g" + i).hashCode() & 0x7fffffff) % 3;
                if (fullIsrLeader(cluster, "__consumer_offsets", offsetsPartition) != leader) {
                    group = "g" + i;
                }
            }
            List<Integer> majority = cluster.brokerIds().stream().filter(n -> n != leader).toList();
            String majorityServers = majority.stream().map(cluster::address).collect(Collectors.joining(","));
            try {
                cluster.partition(Partition.isolate(leader, cluster.nodeIds()));
                Await.until("a leader of " + tp + " on the majority side", WAIT, () -> {
                    PartitionInfo view = cluster.partitionViews(TOPIC, tp.partition()).get(majority.get(0));
                    return view != null && majority.contains(view.leader());
                });
                produce(majorityServers, tp, 100, 250);
                consumeAndCommit(majorityServers, group, tp, 350);
                OffsetAndMetadata committed;
                try (BrookConsumer reader = new BrookConsumer(Map.of("bootstrap.servers", majorityServers,
                        "group.id", group))) {
                    committed = reader.committed(Set.of(tp)).get(tp);
                }
                assertTrue(committed.offset() >= 350, "committed past the cut-off node's log end (100): " + committed);
                assertTrue(committed.leaderEpoch().orElse(-1) > 0, "committed in the new leader's epoch: " + committed);
                produce(majorityServers, tp, 350, 20);

                // The cut-off node first: its metadata answers first.
                try (BrookConsumer consumer = new BrookConsumer(Map.of("bootstrap.servers",
                        cluster.address(leader) + "," + majorityServers, "group.id", group,
                        "auto.offset.reset", "earliest", "enable.auto.commit", "false",
                        "session.timeout.ms", 6000, "request.timeout.ms", 5000, "default.api.timeout.ms", 10000))) {
                    consumer.subscribe(List.of(TOPIC));
                    List<Long> offsets = new ArrayList<>();
                    Await.until("the records after the committed offset", WAIT, () -> {
                        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                            offsets.add(r.offset());
                        }
                        return offsets.size() >= 20;
                    });
                    assertEquals(committed.offset(), offsets.get(0), "the first record polled; logs in "
                            + cluster.workDir());
                }
            } finally {
                cluster.heal();
            }
        }
    }

    /**
     * The group's coordinator is cut off; the majority elects another coordinator, where the group
     * commits again. A reader that asks the cut-off node first (it still leads the offsets
     * partition in its own view) must not be told the older offsets. Before the read barrier
     * (2026-12-02) it was: 20 after 50 had been committed.
     */
    @Test
    void theCutOffOldCoordinatorDoesNotAnswerWithOlderCommittedOffsets() throws Exception {
        try (ChaosCluster cluster = startCluster("chaos-stale-coordinator", 1)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            produce(cluster.bootstrapServers(), tp, 0, 20);
            consumeAndCommit(cluster.bootstrapServers(), "probe", tp, 20);
            String group = "g0";
            int offsetsPartition = (group.hashCode() & 0x7fffffff) % 3;
            int coordinator = fullIsrLeader(cluster, "__consumer_offsets", offsetsPartition);
            consumeAndCommit(cluster.bootstrapServers(), group, tp, 20);
            List<Integer> majority = cluster.brokerIds().stream().filter(n -> n != coordinator).toList();
            String majorityServers = majority.stream().map(cluster::address).collect(Collectors.joining(","));
            try {
                cluster.partition(Partition.isolate(coordinator, cluster.nodeIds()));
                Await.until("a leader of __consumer_offsets-" + offsetsPartition + " on the majority side", WAIT,
                        () -> {
                            PartitionInfo view = cluster.partitionViews("__consumer_offsets", offsetsPartition)
                                    .get(majority.get(0));
                            return view != null && majority.contains(view.leader());
                        });
                produce(majorityServers, tp, 20, 30);
                consumeAndCommit(majorityServers, group, tp, 50);
                try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", majorityServers))) {
                    assertEquals(50, admin.listGroupOffsets(group).get(tp).offset(), "at the new coordinator");
                }
                try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers",
                        cluster.address(coordinator) + "," + majorityServers, "request.timeout.ms", 5000,
                        "default.api.timeout.ms", 20000))) {
                    // It refuses (its read barrier cannot commit) and the admin finds the new one.
                    assertEquals(50, admin.listGroupOffsets(group).get(tp).offset(), "logs in " + cluster.workDir());
                }
            } finally {
                cluster.heal();
            }
        }
    }

    /** Three nodes (chaos-run settings, 3 offsets partitions) with topic {@value #TOPIC}: RF 3, min.insync.replicas 2. */
    private static ChaosCluster startCluster(String name, int partitions) throws Exception {
        ChaosIts.assumeNotSkipped();
        Map<String, String> config = new HashMap<>(ChaosRunner.fastFailover());
        config.put("offsets.topic.num.partitions", "3");
        ChaosCluster cluster = ChaosCluster.start(ChaosCluster.Settings.builder(ChaosIts.jar(), ChaosIts.workDir(name))
                .config(config).build());
        try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, 3, Map.of("min.insync.replicas", "2"))));
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static int fullIsrLeader(ChaosCluster cluster, String topic, int partition) throws Exception {
        int[] leader = {-1};
        Await.until(topic + "-" + partition + " led with a full ISR", WAIT, () -> {
            PartitionInfo info = cluster.partitionInfo(topic, partition).orElse(null);
            leader[0] = info == null || info.isr().size() < 3 ? -1 : info.leader();
            return leader[0] > 0;
        });
        return leader[0];
    }

    private static void produce(String servers, TopicPartition tp, int from, int count) throws Exception {
        try (BrookProducer producer = new BrookProducer(Map.of("bootstrap.servers", servers, "acks", "all",
                "linger.ms", "0", "delivery.timeout.ms", "30000"))) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                sends.add(producer.send(new ProducerRecord(TOPIC, tp.partition(), null, ("v" + i).getBytes(StandardCharsets.UTF_8))));
            }
            for (CompletableFuture<?> send : sends) {
                send.get(40, TimeUnit.SECONDS);
            }
        }
    }

    /** Joins {@code group}, reads until its position reaches {@code end}, commits and leaves. */
    private static void consumeAndCommit(String servers, String group, TopicPartition tp, long end) throws Exception {
        try (BrookConsumer consumer = new BrookConsumer(Map.of("bootstrap.servers", servers, "group.id", group,
                "auto.offset.reset", "earliest", "enable.auto.commit", "false", "session.timeout.ms", 6000,
                "request.timeout.ms", 5000, "default.api.timeout.ms", 10000))) {
            consumer.subscribe(List.of(TOPIC));
            Await.until(group + " read to " + end, WAIT, () -> {
                consumer.poll(Duration.ofMillis(200));
                return consumer.assignment().contains(tp) && consumer.position(tp) >= end;
            });
            consumer.commitSync();
        }
    }
}
