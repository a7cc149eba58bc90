package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.client.BrookAdmin;
import io.brook.client.BrookConsumer;
import io.brook.client.BrookProducer;
import io.brook.client.ConsumerRecord;
import io.brook.client.NewTopic;
import io.brook.client.PartitionInfo;
import io.brook.client.ProducerRecord;
import io.brook.client.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bug found with this harness, fixed on 2026-12-02 (the broker now takes an ISR from an
 * AlterPartition answer only when the change was committed); this test failed before the fix and
 * passes after it. Like {@link ChaosClusterIT} it is a failsafe IT of the cli module (the node
 * jar, root for the namespaces; {@code -Dchaos.skip=true} skips it) in the README's test command
 * (about 75 s).
 *
 * <p>The node that is both the active controller and a partition's leader is cut off (topic with
 * min.insync.replicas 1). Its controller still believes it is active and, 3 s later, fences the
 * other brokers with records that can never commit; its broker then proposes the ISR {itself},
 * gets INVALID_UPDATE_VERSION with the controller's <em>speculative</em> (uncommitted) partition
 * state in the answer, and adopts it as committed ("ISR of lossy-2 is now [2] (partition epoch
 * 2)"). With an ISR of one it acknowledges acks=all writes alone, while the majority elects another
 * leader; on heal it truncates them all. Seen on 2026-12-02: 450 of 450 acknowledged writes lost
 * ("truncated lossy-2 from 451 to 1"). The chaos queue workload (min.insync.replicas 2) does not
 * see it: an ISR of one refuses acks=all there.
 *
 * <p>Causes, per the source: {@code ControllerLogic.alterPartition} describes {@code speculative}
 * state in its error answers, and {@code Partition.onIsrChangeResult} treats any answer with a
 * newer partition epoch as committed.
 */
class IsolatedControllerLeaderLosesNoWriteIT {
    private static final String TOPIC = "lossy";
    private static final int PARTITIONS = 6;

    @Test
    void anIsolatedLeaderThatIsAlsoTheActiveControllerAcknowledgesNoWriteThatIsLaterLost() throws Exception {
        ChaosIts.assumeNotSkipped();
        Path dir = ChaosIts.workDir("chaos-known-bugs");
        try (ChaosCluster cluster = ChaosCluster.start(ChaosCluster.Settings.builder(ChaosIts.jar(), dir)
                .config("broker.session.timeout.ms", 3000)
                .config("broker.heartbeat.interval.ms", 300)
                .config("replica.lag.time.max.ms", 3000)
                .build())) {
            try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "1"))));
            }
            int[] found = {-1, -1}; // the controller, and a partition it leads with a full ISR
            Await.until("a partition led by the active controller", Duration.ofSeconds(60), () -> {
                int controller = cluster.activeController().orElse(-1);
                for (int p = 0; p < PARTITIONS; p++) {
                    Optional<PartitionInfo> info = cluster.partitionInfo(TOPIC, p);
                    if (info.isPresent() && info.get().leader() == controller && info.get().isr().size() == 3) {
                        found[0] = controller;
                        found[1] = p;
                        return true;
                    }
                }
                return false;
            });
            int leader = found[0];
            int partition = found[1];
            List<Integer> majority = cluster.brokerIds().stream().filter(n -> n != leader).toList();

            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> sends = new ArrayList<>();
            try (BrookProducer producer = new BrookProducer(Map.of("bootstrap.servers", cluster.address(leader),
                    "acks", "all", "linger.ms", "0", "request.timeout.ms", "3000", "delivery.timeout.ms", "30000"))) {
                producer.send(new ProducerRecord(TOPIC, partition, null, bytes("before"))).get(30, TimeUnit.SECONDS);
                try {
                    cluster.partition(Partition.isolate(leader, cluster.nodeIds()));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    long newLeaderSeen = 0;
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        String value = "v" + i;
                        sends.add(producer.send(new ProducerRecord(TOPIC, partition, null, bytes(value)))
                                .thenAccept(m -> acknowledged.put(value, m.offset())));
                        Thread.sleep(100);
                        if (newLeaderSeen == 0 && i % 10 == 0 && majority.contains(cluster.partitionViews(TOPIC, partition)
                                .getOrDefault(majority.get(0), new PartitionInfo(TOPIC, partition, -1, -1, List.of(),
                                        List.of(), List.of())).leader())) {
                            newLeaderSeen = System.nanoTime();
                            deadline = newLeaderSeen + TimeUnit.SECONDS.toNanos(2);
                        }
                    }
                } finally {
                    cluster.heal();
                }
                for (CompletableFuture<?> send : sends) {
                    try {
                        send.get(40, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException notAcknowledged) {
                        // only acknowledged writes count
                    }
                }
            }
            Await.until("a full ISR on every broker", Duration.ofSeconds(60), () -> {
                Map<Integer, PartitionInfo> views = cluster.partitionViews(TOPIC, partition);
                return views.size() == cluster.brokerIds().size()
                        && views.values().stream().allMatch(p -> p.isr().size() == 3 && p.leader() > 0);
            });
            Map<String, Long> inLog = new TreeMap<>();
            try (BrookConsumer consumer = new BrookConsumer(Map.of("bootstrap.servers", cluster.bootstrapServers(),
                    "enable.auto.commit", "false"))) {
                TopicPartition tp = new TopicPartition(TOPIC, partition);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                Await.until("the partition read to its end", Duration.ofSeconds(60), () -> {
                    for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                        inLog.put(r.valueAsString(), r.offset());
                    }
                    return consumer.position(tp) >= end;
                });
            }
            List<String> lost = acknowledged.keySet().stream().filter(v -> !acknowledged.get(v).equals(inLog.get(v)))
                    .sorted().toList();
            assertEquals(List.of(), lost, lost.size() + " of " + acknowledged.size() + " acknowledged writes lost; logs in "
                    + cluster.workDir());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
