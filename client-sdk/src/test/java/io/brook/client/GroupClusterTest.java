package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Consumer groups against a real 3-node cluster (the brokers' group coordinators). */
class GroupClusterTest extends ThreeNodeClusterTest {

    private static void produce(String topic, int partitions, int perPartition) throws Exception {
        for (int p = 0; p < partitions; p++) {
            List<String> values = new ArrayList<>();
            List<Long> timestamps = new ArrayList<>();
            for (int i = 0; i < perPartition; i++) {
                values.add(topic + "-" + p + "-" + i);
                timestamps.add(1_000L + i);
            }
            cluster.produce(new TopicPartition(topic, p), values, timestamps);
        }
    }

    private static BrookConsumer consumer(String group, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of("group.id", group, "auto.offset.reset", "earliest"));
        config.putAll(overrides);
        return new BrookConsumer(config(config));
    }

    /** Polls every consumer in turn (100 ms each) until {@code done}, for at most 90 s; collects the values. */
    private static void pollUntil(List<BrookConsumer> consumers, List<String> values, BooleanSupplier done,
            String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; read " + values.size());
            for (BrookConsumer consumer : consumers) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.valueAsString()));
            }
        }
    }

    /** Records the listener's calls. */
    private static final class Recorder implements ConsumerRebalanceListener {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            calls.add("revoked " + new TreeSet<>(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            calls.add("assigned " + new TreeSet<>(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            calls.add("lost " + new TreeSet<>(partitions));
        }
    }

    @Test
    void twoMembersSplitThePartitionsAndTogetherReadEveryRecordExactlyOnce() throws Exception {
        String topic = "split";
        cluster.createTopic(topic, 4, 3, Map.of());
        produce(topic, 4, 50);
        List<String> values = Collections.synchronizedList(new ArrayList<>());
        try (BrookConsumer a = consumer("split-group", Map.of("max.poll.records", 10));
                BrookConsumer b = consumer("split-group", Map.of("max.poll.records", 10))) {
            a.subscribe(List.of(topic));
            pollUntil(List.of(a), values, () -> a.assignment().size() == 4, "a to own all 4 partitions");
            b.subscribe(List.of(topic));
            pollUntil(List.of(a, b), values, () -> a.assignment().size() == 2 && b.assignment().size() == 2
                    && values.size() >= 200, "the partitions to be split 2 / 2 and every record read");
            Set<TopicPartition> both = new HashSet<>(a.assignment());
            both.addAll(b.assignment());
            assertEquals(4, both.size(), "disjoint: " + a.assignment() + " " + b.assignment());
        }
        assertEquals(200, values.size(), "no record twice: a committed before it gave partitions to b");
        assertEquals(200, new HashSet<>(values).size());
    }

    @Test
    void aConsumerOfTheSameGroupResumesAtTheCommittedOffsets() throws Exception {
        String topic = "resume";
        cluster.createTopic(topic, 1, 3, Map.of());
        produce(topic, 1, 30);
        TopicPartition tp = new TopicPartition(topic, 0);
        List<String> first = new ArrayList<>();
        try (BrookConsumer consumer = consumer("resume-group", Map.of("enable.auto.commit", false,
                "max.poll.records", 10))) {
            consumer.subscribe(List.of(topic));
            pollUntil(List.of(consumer), first, () -> first.size() >= 10, "10 records");
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(10, "ten")));
            assertEquals(10, consumer.committed(Set.of(tp)).get(tp).offset());
            assertEquals("ten", consumer.committed(Set.of(tp)).get(tp).metadata());
        }
        List<String> second = new ArrayList<>();
        try (BrookConsumer consumer = consumer("resume-group", Map.of())) {
            consumer.subscribe(List.of(topic));
            pollUntil(List.of(consumer), second, () -> second.size() >= 20, "the other 20 records");
            assertEquals("resume-0-10", second.get(0), "starts at the committed offset");
        }
        try (BrookConsumer reader = consumer("resume-group", Map.of("enable.auto.commit", false))) {
            assertEquals(30, reader.committed(Set.of(tp)).get(tp).offset(), "auto-committed on close");
        }
    }

    @Test
    void aStaticMemberThatRestartsWithinItsSessionGetsItsPartitionsBackAndTheOtherMemberKeepsItsOwn()
            throws Exception {
        String topic = "static";
        cluster.createTopic(topic, 2, 3, Map.of());
        Recorder other = new Recorder();
        List<String> values = new ArrayList<>();
        try (BrookConsumer b = consumer("static-group", Map.of("group.instance.id", "b"))) {
            b.subscribe(List.of(topic), other);
            Set<TopicPartition> before;
            try (BrookConsumer a = consumer("static-group", Map.of("group.instance.id", "a"))) {
                a.subscribe(List.of(topic));
                pollUntil(List.of(a, b), values, () -> a.assignment().size() == 1 && b.assignment().size() == 1,
                        "one partition each");
                before = a.assignment();
            }
            List<String> bBefore = moves(other);
            try (BrookConsumer a = consumer("static-group", Map.of("group.instance.id", "a"))) {
                a.subscribe(List.of(topic));
                pollUntil(List.of(a, b), values, () -> a.assignment().equals(before), "a to get " + before + " back");
            }
            assertEquals(bBefore, moves(other), "b's partitions did not move while a restarted: " + other.calls);
        }
    }

    /** The listener calls that moved partitions (an assignment that added none is not a move). */
    private static List<String> moves(Recorder recorder) {
        synchronized (recorder.calls) {
            return recorder.calls.stream().filter(call -> !call.equals("assigned []")).toList();
        }
    }

    @Test
    void commitsWithoutAMemberAreRefusedWhileTheGroupHasMembers() throws Exception {
        String topic = "busy";
        cluster.createTopic(topic, 1, 3, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        try (BrookConsumer member = consumer("busy-group", Map.of());
                BrookConsumer tool = consumer("busy-group", Map.of("enable.auto.commit", false))) {
            member.subscribe(List.of(topic));
            pollUntil(List.of(member), new ArrayList<>(), () -> member.assignment().size() == 1, "the member's join");
            tool.assign(List.of(tp));
            assertThrows(GroupNotEmptyException.class, () -> tool.commitSync(Map.of(tp, new OffsetAndMetadata(0))));
        }
        try (BrookConsumer tool = consumer("busy-group", Map.of("enable.auto.commit", false))) {
            tool.assign(List.of(tp));
            tool.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
            assertEquals(0, tool.committed(Set.of(tp)).get(tp).offset(), "allowed once the group is empty");
        }
    }

    @Test
    void aPatternSubscriptionReadsEveryMatchingTopic() throws Exception {
        cluster.createTopic("metrics-a", 1, 3, Map.of());
        cluster.createTopic("metrics-b", 1, 3, Map.of());
        cluster.createTopic("other", 1, 3, Map.of());
        produce("metrics-a", 1, 3);
        produce("metrics-b", 1, 3);
        produce("other", 1, 3);
        List<String> values = new ArrayList<>();
        try (BrookConsumer consumer = consumer("pattern-group", Map.of())) {
            consumer.subscribe(Pattern.compile("metrics-.*"));
            pollUntil(List.of(consumer), values, () -> values.size() >= 6, "both metrics topics");
            assertEquals(Set.of("metrics-a", "metrics-b"), consumer.subscription());
        }
        assertTrue(values.stream().noneMatch(v -> v.startsWith("other")), values.toString());
    }
}
