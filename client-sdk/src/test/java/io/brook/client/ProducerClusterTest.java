package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.Record;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The producer against a real 3-node cluster: every acknowledged record is in the log exactly
 * once and in send order per partition — with up to 5 batches in flight and answers lost on
 * purpose, and across a leader's crash.
 */
class ProducerClusterTest extends ThreeNodeClusterTest {
    /** Sends {@code count} records keyed k0..k7 and returns each acknowledged one by partition, in send order. */
    private static Map<Integer, List<String>> sendKeyed(BrookProducer producer, String topic, int count) throws Exception {
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String value = "v" + i;
            values.add(value);
            futures.add(producer.send(ProducerRecord.of(topic, "k" + (i % 8), value)));
        }
        producer.flush();
        Map<Integer, List<String>> acked = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            RecordMetadata metadata = futures.get(i).get(60, TimeUnit.SECONDS);
            acked.computeIfAbsent(metadata.partition(), p -> new ArrayList<>()).add(values.get(i));
        }
        return acked;
    }

    private static List<String> values(List<Record> records) {
        List<String> values = new ArrayList<>();
        for (Record record : records) {
            values.add(new String(record.valueBytes(), StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void recordsKeepTheirOrderAndAreWrittenOnceWhenAnswersAreLostWithFiveInFlight() throws Exception {
        String topic = "lossy";
        cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        LossyTransport transport = new LossyTransport(7);
        Map<Integer, List<String>> acked;
        try (BrookProducer producer = new BrookProducer(config(Map.of("linger.ms", 1, "batch.size", 2048,
                "max.in.flight.requests.per.connection", 5)), transport, io.brook.common.Clock.system(), new Random(5))) {
            acked = sendKeyed(producer, topic, 3000);
        }
        assertTrue(transport.lost.get() > 0, "no answer was lost: the test did not test anything");
        for (Map.Entry<Integer, List<String>> entry : acked.entrySet()) {
            assertEquals(entry.getValue(), values(cluster.readAll(topic, entry.getKey())),
                    "partition " + entry.getKey() + ": exactly the acknowledged records, once each, in send order");
        }
    }

    @Test
    void keysGoToTheirMurmur2PartitionAndOffsetsComeBackInOrder() throws Exception {
        String topic = "keyed";
        cluster.createTopic(topic, 4, 1, Map.of());
        try (BrookProducer producer = new BrookProducer(config(Map.of("compression.type", "lz4")))) {
            List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(producer.send(ProducerRecord.of(topic, "key-" + (i % 10), "value-" + i)));
            }
            Map<Integer, Long> lastOffset = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                RecordMetadata metadata = futures.get(i).get(30, TimeUnit.SECONDS);
                byte[] key = ("key-" + (i % 10)).getBytes(StandardCharsets.UTF_8);
                assertEquals(io.brook.client.internal.Partitioner.partitionForKey(key, 4), metadata.partition());
                Long previous = lastOffset.put(metadata.partition(), metadata.offset());
                assertTrue(previous == null || previous < metadata.offset(), "offsets rise in send order");
                assertTrue(metadata.timestamp() > 0);
            }
        }
    }

    @Test
    void aLeaderCrashMidStreamLosesNoAcknowledgedRecord() throws Exception {
        String topic = "failover";
        cluster.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        int leader = cluster.leader(topic, 0);
        List<String> acked = new ArrayList<>();
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (BrookProducer producer = new BrookProducer(config(Map.of("linger.ms", 2,
                "delivery.timeout.ms", 60_000, "request.timeout.ms", 5_000)))) {
            for (int i = 0; i < 4000; i++) {
                futures.add(producer.send(ProducerRecord.of(topic, null, "r" + i)));
                if (i == 1500) {
                    futures.get(i).get(30, TimeUnit.SECONDS);
                    cluster.cluster.halt(leader);
                }
            }
            producer.flush();
            for (int i = 0; i < futures.size(); i++) {
                futures.get(i).get(60, TimeUnit.SECONDS); // every record is acknowledged in the end
                acked.add("r" + i);
            }
        }
        assertTrue(cluster.leader(topic, 0) != leader, "the leader changed");
        assertEquals(acked, values(cluster.readAll(topic, 0)));
        cluster.cluster.restart(leader);
        cluster.awaitIsr(topic, 0, 3);
    }
}
