package io.brook.chaos.run;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.BrookAdmin;
import io.brook.client.BrookConsumer;
import io.brook.client.BrookException;
import io.brook.client.CommitFailedException;
import io.brook.client.ConsumerRebalanceListener;
import io.brook.client.ConsumerRecord;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group workload: consumer processes in one group subscribe to the queue workload's topic,
 * poll, and commit exactly what each poll returned (commitSync after every poll that returned
 * records), each poll and commit recorded as invocation and outcome, each rebalance callback as
 * an assign or revoke notification. Every consumer closes and comes back after a lifetime drawn
 * from the seed (5 to 20 s), so partitions move between members while the faults run. A
 * separate process samples the group's committed offsets with the admin client twice a second.
 *
 * <p>After the faults are healed, {@link #drain} keeps the consumers going until the group has
 * committed the end of every partition, and records a last committed read: the skipped-by-group
 * checker compares it with the final read.
 */
final class GroupWorkload {
    private static final Logger log = LoggerFactory.getLogger(GroupWorkload.class);
    static final String GROUP = "chaos-group";
    /** Process ids of consumers start here. */
    static final int CONSUMER_PROCESS = 100;
    /** The process id of the committed-offsets sampler. */
    static final int SAMPLER_PROCESS = 200;
    /** The process id of the last committed read, after the consumers stopped. */
    static final int FINAL_SAMPLER_PROCESS = 201;

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final int consumers;
    private final long seed;
    private final History history;
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** While draining, consumers do not close at the end of their lifetime. */
    private final AtomicBoolean draining = new AtomicBoolean(false);
    private final List<Thread> threads = new ArrayList<>();

    GroupWorkload(String bootstrap, String topic, int partitions, int consumers, long seed, History history) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.consumers = consumers;
        this.seed = seed;
        this.history = history;
    }

    void start() {
        for (int c = 0; c < consumers; c++) {
            int process = CONSUMER_PROCESS + c;
            threads.add(thread("chaos-consumer-" + c, () -> consume(process)));
        }
        threads.add(thread("chaos-committed-sampler", this::sampleCommitted));
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Lets the consumers run until the group's committed offsets reach {@code ends} (or
     * {@code timeout} passes), stops them, and records the last committed read.
     *
     * @return whether the group caught up
     */
    boolean drain(Map<TopicPartition, Long> ends, Duration timeout) throws InterruptedException {
        draining.set(true);
        boolean caughtUp = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", bootstrap))) {
            while (!caughtUp && System.nanoTime() - deadline < 0) {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listGroupOffsets(GROUP);
                    caughtUp = ends.entrySet().stream().allMatch(e -> committed.containsKey(e.getKey())
                            && committed.get(e.getKey()).offset() >= e.getValue());
                } catch (BrookException e) {
                    log.debug("committed offsets not readable yet: {}", e.getMessage());
                }
                if (!caughtUp) {
                    TimeUnit.MILLISECONDS.sleep(250);
                }
            }
        }
        running.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(1));
            if (thread.isAlive()) {
                log.warn("{} still runs a minute after the group workload stopped", thread.getName());
            }
        }
        try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", bootstrap))) {
            readCommitted(admin, FINAL_SAMPLER_PROCESS);
        }
        return caughtUp;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("group.id", GROUP);
        config.put("enable.auto.commit", "false");
        config.put("auto.offset.reset", "earliest");
        config.put("session.timeout.ms", 6_000);
        config.put("request.timeout.ms", 5_000);
        config.put("default.api.timeout.ms", 10_000);
        return config;
    }

    private void consume(int process) {
        Random random = new Random(seed * 31 + process);
        while (running.get()) {
            long lifetimeNanos = TimeUnit.MILLISECONDS.toNanos(5_000 + random.nextInt(15_000));
            long until = System.nanoTime() + lifetimeNanos;
            try (BrookConsumer consumer = new BrookConsumer(consumerConfig())) {
                consumer.subscribe(List.of(topic), listener(process));
                while (running.get() && (draining.get() || System.nanoTime() - until < 0)) {
                    if (!pollAndCommit(consumer, process)) {
                        break; // start over with a new consumer
                    }
                }
            } catch (RuntimeException e) {
                log.debug("consumer {} closed with {}", process, e.toString());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // no hot loop if it cannot even start
            }
            // This consumer instance is gone: whatever it held is no longer its assignment.
            history.record(Op.revoked(process, GROUP, List.of()));
        }
    }

    private ConsumerRebalanceListener listener(int process) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                if (!revoked.isEmpty()) {
                    history.record(Op.revoked(process, GROUP, List.copyOf(revoked)));
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                if (!assigned.isEmpty()) {
                    history.record(Op.assigned(process, GROUP, List.copyOf(assigned)));
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                onPartitionsRevoked(lost);
            }
        };
    }

    /** One poll, then a commit of what it returned; false when the consumer should be replaced. */
    private boolean pollAndCommit(BrookConsumer consumer, int process) {
        history.record(Op.invokePoll(process));
        List<Message> messages = new ArrayList<>();
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        try {
            for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                messages.add(Message.of(tp, r.offset(), r.keyAsString(), r.valueAsString()));
                next.put(tp, r.offset() + 1);
            }
        } catch (RuntimeException e) {
            history.record(Op.invokePoll(process).fail(String.valueOf(e.getMessage())));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            return false;
        }
        history.record(Op.okPoll(process, messages));
        if (next.isEmpty()) {
            return true;
        }
        Op commit = Op.invokeCommit(process, GROUP, next);
        history.record(commit);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((tp, o) -> offsets.put(tp, new OffsetAndMetadata(o)));
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
            history.record(commit.ok());
            return true;
        } catch (CommitFailedException e) {
            history.record(commit.fail(String.valueOf(e.getMessage())));
            return true; // the membership moved on; the next poll rejoins or carries on
        } catch (BrookException e) {
            history.record(e.indeterminate() || e.retriable() ? commit.info(String.valueOf(e.getMessage()))
                    : commit.fail(String.valueOf(e.getMessage())));
            return true;
        } catch (RuntimeException e) {
            history.record(commit.info(String.valueOf(e)));
            return false;
        }
    }

    private void sampleCommitted() {
        try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 5_000,
                "default.api.timeout.ms", 10_000))) {
            while (running.get()) {
                readCommitted(admin, SAMPLER_PROCESS);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        } catch (RuntimeException e) {
            log.warn("the committed-offsets sampler stopped: {}", e.toString());
        }
    }

    private void readCommitted(BrookAdmin admin, int process) {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        Op invoke = Op.invokeCommitted(process, GROUP, all);
        history.record(invoke);
        try {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listGroupOffsets(GROUP).forEach((tp, o) -> {
                if (tp.topic().equals(topic)) {
                    offsets.put(tp, o.offset());
                }
            });
            history.record(Op.okCommitted(process, GROUP, offsets).withPartitions(all));
        } catch (RuntimeException e) {
            history.record(invoke.fail(String.valueOf(e.getMessage())));
        }
    }
}
