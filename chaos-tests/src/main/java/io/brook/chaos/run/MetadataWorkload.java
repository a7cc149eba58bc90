package io.brook.chaos.run;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.client.BrookAdmin;
import io.brook.client.BrookException;
import io.brook.client.NewTopic;
import io.brook.client.TopicExistsException;
import io.brook.client.TopicListing;
import io.brook.client.TopicPartition;
import io.brook.client.UnknownTopicOrPartitionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata workload: one admin process creates topics named {@code chaos-meta-<n>} (unique in
 * the run; 1 to 3 partitions, replicated like the queue topic) about once a second while the
 * faults run, and deletes the oldest once more than three exist; every create and delete recorded
 * as invocation and outcome. At the end, {@link #finalListing} records the topics the cluster
 * lists, for the lost-topic-change checker.
 *
 * <p>A create answered "already exists" or a delete answered "does not exist" is recorded as
 * indeterminate: the names are unique, so only this process's own earlier attempt (whose answer
 * the admin client did not get, and retried) can have made it so.
 */
final class MetadataWorkload {
    private static final Logger log = LoggerFactory.getLogger(MetadataWorkload.class);
    static final String PREFIX = "chaos-meta-";
    /** The admin process's id. */
    static final int ADMIN_PROCESS = 300;
    private static final int KEEP = 3;

    private final String bootstrap;
    private final int replication;
    private final long seed;
    private final History history;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread thread;

    MetadataWorkload(String bootstrap, int replication, long seed, History history) {
        this.bootstrap = bootstrap;
        this.replication = replication;
        this.seed = seed;
        this.history = history;
    }

    void start() {
        thread = new Thread(this::run, "chaos-metadata");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join(TimeUnit.MINUTES.toMillis(2));
            if (thread.isAlive()) {
                log.warn("the metadata workload still runs two minutes after it was stopped");
            }
        }
    }

    private BrookAdmin admin() {
        return new BrookAdmin(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 5_000,
                "default.api.timeout.ms", 15_000));
    }

    private void run() {
        Random random = new Random(seed * 17 + ADMIN_PROCESS);
        Deque<String> created = new ArrayDeque<>();
        try (BrookAdmin admin = admin()) {
            for (int n = 0; running.get(); n++) {
                String topic = PREFIX + n;
                int partitions = 1 + random.nextInt(3);
                Op create = Op.invokeCreateTopic(ADMIN_PROCESS, topic, partitions);
                history.record(create);
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, replication, Map.of())));
                    history.record(create.ok());
                    created.addLast(topic);
                } catch (TopicExistsException e) {
                    history.record(create.info(e.getMessage()));
                    created.addLast(topic);
                } catch (RuntimeException e) {
                    history.record(outcome(create, e));
                    if (!(e instanceof BrookException b) || b.indeterminate() || b.retriable()) {
                        created.addLast(topic); // it may exist: delete it in its turn all the same
                    }
                }
                if (created.size() > KEEP) {
                    delete(admin, created.removeFirst());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(1_000)));
            }
        } catch (RuntimeException e) {
            log.warn("the metadata workload stopped: {}", e.toString());
        }
    }

    private void delete(BrookAdmin admin, String topic) {
        Op delete = Op.invokeDeleteTopic(ADMIN_PROCESS, topic);
        history.record(delete);
        try {
            admin.deleteTopics(List.of(topic));
            history.record(delete.ok());
        } catch (UnknownTopicOrPartitionException e) {
            history.record(delete.info(e.getMessage()));
        } catch (RuntimeException e) {
            history.record(outcome(delete, e));
        }
    }

    private static Op outcome(Op invoke, RuntimeException e) {
        String why = String.valueOf(e.getMessage());
        if (e instanceof BrookException b && !b.indeterminate() && !b.retriable()) {
            return invoke.fail(why);
        }
        return invoke.info(why);
    }

    /**
     * Records the cluster's topics once two listings a second apart agree (every broker's
     * metadata has caught up with the controller's), or the last one after {@code timeout}.
     */
    void finalListing(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> previous = null;
        try (BrookAdmin admin = admin()) {
            while (true) {
                history.record(Op.invokeListTopics(ADMIN_PROCESS));
                List<TopicPartition> listed;
                try {
                    listed = list(admin);
                } catch (RuntimeException e) {
                    history.record(Op.invokeListTopics(ADMIN_PROCESS).fail(String.valueOf(e.getMessage())));
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                    TimeUnit.SECONDS.sleep(1);
                    continue;
                }
                history.record(Op.okListTopics(ADMIN_PROCESS, listed));
                if (listed.equals(previous) || System.nanoTime() - deadline > 0) {
                    return;
                }
                previous = listed;
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    private static List<TopicPartition> list(BrookAdmin admin) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicListing topic : admin.listTopics(false)) {
            for (int p = 0; p < topic.partitions(); p++) {
                partitions.add(new TopicPartition(topic.name(), p));
            }
        }
        return partitions;
    }
}
