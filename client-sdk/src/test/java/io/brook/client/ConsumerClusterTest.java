package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.Header;
import io.brook.api.records.TimestampType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The assign-mode consumer against a real 3-node cluster. */
class ConsumerClusterTest extends ThreeNodeClusterTest {
    /** Writes {@code count} records v0.. to partition 0 with timestamps base+i; returns their offsets. */
    private static List<Long> produce(String topic, int from, int count, long baseTimestamp) throws Exception {
        List<Long> offsets = new ArrayList<>();
        try (BrookProducer producer = new BrookProducer(config(Map.of()))) {
            List<java.util.concurrent.CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                futures.add(producer.send(new ProducerRecord(topic, 0, baseTimestamp + i,
                        ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8),
                        List.of(Header.of("h", ("x" + i).getBytes(StandardCharsets.UTF_8))))));
            }
            for (var future : futures) {
                offsets.add(future.get(30, TimeUnit.SECONDS).offset());
            }
        }
        return offsets;
    }

    private static List<ConsumerRecord> pollUntil(BrookConsumer consumer, int count) {
        List<ConsumerRecord> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < count) {
            assertTrue(System.nanoTime() < deadline, "only " + records.size() + " of " + count + " records came");
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    @Test
    void assignedPartitionsAreReadFromTheBeginningWithOffsetsHeadersAndTimestamps() throws Exception {
        String topic = "read";
        cluster.createTopic(topic, 1, 3, Map.of());
        produce(topic, 0, 50, 1_000_000);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrookConsumer consumer = new BrookConsumer(config(Map.of("auto.offset.reset", "earliest",
                "max.poll.records", 7)))) {
            consumer.assign(List.of(tp));
            assertEquals(Set.of(tp), consumer.assignment());
            ConsumerRecords first = consumer.poll(Duration.ofSeconds(30));
            assertTrue(first.count() > 0 && first.count() <= 7, "max.poll.records bounds a poll: " + first.count());
            List<ConsumerRecord> records = new ArrayList<>();
            first.forEach(records::add);
            records.addAll(pollUntil(consumer, 50 - records.size()));
            assertEquals(50, records.size());
            for (int i = 0; i < 50; i++) {
                ConsumerRecord record = records.get(i);
                assertEquals(i, record.offset());
                assertEquals("k" + i, record.keyAsString());
                assertEquals("v" + i, record.valueAsString());
                assertEquals(1_000_000L + i, record.timestamp());
                assertEquals(TimestampType.CREATE_TIME, record.timestampType());
                assertEquals("x" + i, new String(record.headers().get(0).valueBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(50, consumer.position(tp));
        }
    }

    @Test
    void seekToBeginningEndOffsetAndTimestamp() throws Exception {
        String topic = "seek";
        cluster.createTopic(topic, 1, 1, Map.of());
        produce(topic, 0, 20, 5_000);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrookConsumer consumer = new BrookConsumer(config(Map.of()))) {
            consumer.assign(List.of(tp));
            assertEquals(20, consumer.position(tp), "auto.offset.reset=latest: a new position is the end");
            consumer.seekToBeginning(List.of(tp));
            assertEquals(0, consumer.position(tp));
            consumer.seek(tp, 12);
            assertEquals(12, pollUntil(consumer, 1).get(0).offset());
            consumer.seekToTimestamp(List.of(tp), 5_015);
            assertEquals(15, consumer.position(tp));
            assertEquals(15, pollUntil(consumer, 1).get(0).offset());
            consumer.seekToTimestamp(List.of(tp), 999_999);
            assertEquals(20, consumer.position(tp), "no record that late: the end");
            consumer.seekToEnd(List.of(tp));
            assertEquals(20, consumer.position(tp));
            assertEquals(Map.of(tp, 0L), consumer.beginningOffsets(List.of(tp)));
            assertEquals(Map.of(tp, 20L), consumer.endOffsets(List.of(tp)));
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing past the end");
        }
    }

    @Test
    void pausedPartitionsAreNotReturnedUntilResumed() throws Exception {
        String a = "pause-a";
        String b = "pause-b";
        cluster.createTopic(a, 1, 1, Map.of());
        cluster.createTopic(b, 1, 1, Map.of());
        produce(a, 0, 5, 1);
        produce(b, 0, 5, 1);
        TopicPartition pa = new TopicPartition(a, 0);
        TopicPartition pb = new TopicPartition(b, 0);
        try (BrookConsumer consumer = new BrookConsumer(config(Map.of("auto.offset.reset", "earliest")))) {
            consumer.assign(List.of(pa, pb));
            consumer.pause(List.of(pb));
            assertEquals(Set.of(pb), consumer.paused());
            List<ConsumerRecord> records = pollUntil(consumer, 5);
            assertTrue(records.stream().allMatch(r -> r.topic().equals(a)), "a paused partition returns nothing");
            assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty());
            assertEquals(0, consumer.position(pb));
            consumer.resume(List.of(pb));
            assertTrue(pollUntil(consumer, 5).stream().allMatch(r -> r.topic().equals(b)));
        }
    }

    @Test
    void theConsumerFollowsALeaderChange() throws Exception {
        String topic = "follow";
        cluster.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        produce(topic, 0, 30, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrookConsumer consumer = new BrookConsumer(config(Map.of("auto.offset.reset", "earliest",
                "request.timeout.ms", 5_000)))) {
            consumer.assign(List.of(tp));
            assertEquals(30, pollUntil(consumer, 30).size());
            int leader = cluster.leader(topic, 0);
            cluster.cluster.halt(leader);
            try {
                produce(topic, 30, 30, 1);
                List<ConsumerRecord> more = pollUntil(consumer, 30);
                for (int i = 0; i < 30; i++) {
                    assertEquals(30 + i, more.get(i).offset());
                    assertEquals("v" + (30 + i), more.get(i).valueAsString());
                }
            } finally {
                cluster.cluster.restart(leader);
            }
        }
    }

    @Test
    void anOutOfRangePositionIsAnErrorWhenAutoOffsetResetIsNone() throws Exception {
        String topic = "range";
        cluster.createTopic(topic, 1, 1, Map.of());
        produce(topic, 0, 3, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrookConsumer consumer = new BrookConsumer(config(Map.of("auto.offset.reset", "none")))) {
            consumer.assign(List.of(tp));
            assertThrows(OffsetOutOfRangeException.class, () -> consumer.poll(Duration.ofMillis(100)),
                    "no position and none: an error");
            consumer.seek(tp, 100);
            assertThrows(OffsetOutOfRangeException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    consumer.poll(Duration.ofMillis(200));
                }
            });
        }
        try (BrookConsumer consumer = new BrookConsumer(config(Map.of("auto.offset.reset", "earliest")))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 100);
            assertEquals(0, pollUntil(consumer, 1).get(0).offset(), "earliest: out of range resets to the start");
        }
    }
}
