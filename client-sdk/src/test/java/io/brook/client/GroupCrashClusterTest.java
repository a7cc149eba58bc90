package io.brook.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import io.brook.common.Clock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Three members of one group on a 6-partition topic, committing after processing each poll, while a
 * producer keeps writing. One member crashes (its process would be gone: no leave, no commit, no
 * heartbeat): its partitions move to the two others once its session times out, and every record
 * is read at least once — those it read but had not committed are read again by the new owner,
 * none is skipped. The crashed member then turns out to have been paused: it wakes up and commits
 * old offsets, and is refused (a zombie). Meanwhile the group's committed offsets are sampled: none
 * ever moves backwards.
 */
class GroupCrashClusterTest extends ThreeNodeClusterTest {
    private static final String TOPIC = "crash";
    private static final String GROUP = "crash-group";
    private static final int SESSION_MS = 2_000;

    /** A transport that can die: after {@link #kill}, every call fails as if the process were gone. */
    private static final class KillableTransport implements Transport {
        private final GrpcTransport real = new GrpcTransport(16 << 20);
        private final AtomicBoolean dead = new AtomicBoolean();

        void kill() {
            dead.set(true);
        }

        void revive() {
            dead.set(false);
        }

        @Override
        public Connection connection(String host, int port) {
            Connection connection = real.connection(host, port);
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (dead.get() && method.getReturnType() == CompletableFuture.class) {
                            return CompletableFuture.failedFuture(new NetworkException("crashed", false, null));
                        }
                        if (dead.get() && method.getName().equals("openProduceStream")) {
                            throw new NetworkException("crashed", false, null);
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private static BrookConsumer member(KillableTransport transport) {
        Map<String, Object> config = new HashMap<>(config(Map.of("group.id", GROUP, "auto.offset.reset", "earliest",
                "enable.auto.commit", "false", "session.timeout.ms", SESSION_MS)));
        return new BrookConsumer(config, transport, Clock.system(), new Random());
    }

    @Test
    void aCrashedMembersPartitionsMoveAndNoRecordIsSkippedAndCommitsNeverGoBack() throws Exception {
        cluster.createTopic(TOPIC, 6, 3, Map.of());
        List<KillableTransport> transports = List.of(new KillableTransport(), new KillableTransport(),
                new KillableTransport());
        List<BrookConsumer> members = new ArrayList<>();
        transports.forEach(t -> members.add(member(t)));
        Set<String> read = ConcurrentHashMap.newKeySet();
        List<String> backwards = new CopyOnWriteArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler;
        try (BrookProducer producer = new BrookProducer(config(Map.of("linger.ms", 1)));
                BrookAdmin admin = cluster.admin()) {
            members.forEach(m -> m.subscribe(List.of(TOPIC)));
            // Committed offsets, sampled while everything runs: never lower than seen before.
            sampler = new Thread(() -> {
                Map<TopicPartition, Long> highest = new HashMap<>();
                while (sampling.get()) {
                    try {
                        admin.listGroupOffsets(GROUP).forEach((tp, committed) -> {
                            Long before = highest.put(tp, committed.offset());
                            if (before != null && committed.offset() < before) {
                                backwards.add(tp + ": " + before + " -> " + committed.offset());
                            }
                        });
                    } catch (BrookException e) {
                        // the coordinator is loading or moving: sample again
                    }
                }
            }, "committed-offsets-sampler");
            sampler.start();

            int sent = 0;
            List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            for (; sent < 600; sent++) {
                acks.add(producer.send(ProducerRecord.of(TOPIC, "key-" + sent, "v" + sent)));
            }
            // All three own partitions and have read some.
            pollUntil(members, read, () -> members.stream().allMatch(m -> m.assignment().size() == 2)
                    && read.size() >= 300, "three members with two partitions each");

            // The third member crashes: no leave, no commit, no more heartbeats.
            transports.get(2).kill();
            List<BrookConsumer> survivors = members.subList(0, 2);
            long crashedAt = System.nanoTime();
            for (; sent < 1200; sent++) {
                acks.add(producer.send(ProducerRecord.of(TOPIC, "key-" + sent, "v" + sent)));
            }
            pollUntil(survivors, read, () -> survivors.stream().mapToInt(m -> m.assignment().size()).sum() == 6,
                    "the survivors owning all six partitions");
            long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashedAt);
            assertTrue(movedMs < 3 * SESSION_MS + 10_000, "the partitions moved after " + movedMs
                    + " ms: the session timeout (" + SESSION_MS + " ms), not the rebalance timeout, must move them");
            for (CompletableFuture<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
            pollUntil(survivors, read, () -> read.size() == 1200, "every record read");
            // The crashed member was only paused: it wakes up and commits what it had read. It is a
            // zombie now (removed after its session), so the commit is refused and changes nothing.
            Map<TopicPartition, OffsetAndMetadata> stale = new HashMap<>();
            members.get(2).assignment().forEach(tp -> stale.put(tp, new OffsetAndMetadata(1)));
            assertTrue(!stale.isEmpty(), "the zombie still believes it owns its partitions");
            transports.get(2).revive();
            BrookException refused = org.junit.jupiter.api.Assertions.assertThrows(BrookException.class,
                    () -> members.get(2).commitSync(stale));
            assertTrue(refused instanceof CommitFailedException || refused.errorCode() == io.brook.api.v1.ErrorCode
                    .UNKNOWN_MEMBER_ID, refused.toString());
            sampling.set(false);
            sampler.join();
            assertEquals(List.of(), backwards, "committed offsets moved backwards");
            // Everything read was committed: the group's offsets are at the log end.
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (int p = 0; p < 6; p++) {
                ends.put(new TopicPartition(TOPIC, p), survivors.get(0).endOffsets(
                        List.of(new TopicPartition(TOPIC, p))).get(new TopicPartition(TOPIC, p)));
            }
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listGroupOffsets(GROUP).forEach((tp, o) -> committed.put(tp, o.offset()));
            assertEquals(ends, committed);
        } finally {
            sampling.set(false);
            for (BrookConsumer member : members) {
                member.close(Duration.ofSeconds(5));
            }
            transports.forEach(KillableTransport::close);
        }
    }

    /** Polls each member in turn, committing after each poll's records are "processed" (recorded). */
    private static void pollUntil(List<BrookConsumer> members, Set<String> read,
            java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what + "; read " + read.size());
            for (BrookConsumer member : members) {
                ConsumerRecords records = member.poll(Duration.ofMillis(50));
                records.forEach(r -> read.add(r.valueAsString()));
                if (!records.isEmpty()) {
                    member.commitSync();
                }
            }
        }
    }
}
