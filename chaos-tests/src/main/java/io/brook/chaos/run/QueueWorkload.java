package io.brook.chaos.run;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.BrookConsumer;
import io.brook.client.BrookException;
import io.brook.client.BrookProducer;
import io.brook.client.ConsumerRecord;
import io.brook.client.ProducerRecord;
import io.brook.client.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue workload: several producer processes (one {@link BrookProducer} each: acks=all,
 * idempotent) send unique values ({@code p<process>-<n>}) with keys to the partitions of a
 * replicated topic at a fixed total rate, each send recorded as an invocation and then OK (with its
 * partition and offset), FAIL (certainly not written) or INFO (indeterminate); at the end one
 * reader reads every partition from its start to its end, recorded as one read op per partition.
 */
final class QueueWorkload {
    private static final Logger log = LoggerFactory.getLogger(QueueWorkload.class);
    /** Process ids of the final reader start here (producers are 0..producers-1). */
    static final int READER_PROCESS = 1000;

    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final int producers;
    private final int ratePerSecond;
    private final History history;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    QueueWorkload(String bootstrap, String topic, int partitions, int producers, int ratePerSecond, History history) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.producers = producers;
        this.ratePerSecond = ratePerSecond;
        this.history = history;
    }

    /** Starts the producer processes. */
    void start() {
        for (int p = 0; p < producers; p++) {
            int process = p;
            Thread thread = new Thread(() -> produce(process), "chaos-producer-" + p);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Stops sending and waits until every send in flight is answered (or given up: recorded INFO). */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.MINUTES.toMillis(3));
        }
    }

    private void produce(int process) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("acks", "all");
        config.put("enable.idempotence", "true");
        config.put("linger.ms", 2);
        config.put("request.timeout.ms", 5_000);
        config.put("delivery.timeout.ms", 30_000);
        config.put("max.block.ms", 10_000);
        config.put("retry.backoff.ms", 50);
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * producers / Math.max(1, ratePerSecond);
        try (BrookProducer producer = new BrookProducer(config)) {
            long next = System.nanoTime();
            for (long n = 0; running.get(); n++) {
                String value = "p" + process + "-" + n;
                String key = "k" + (n % (partitions * 8L));
                history.record(Op.invokeSend(process, topic, key, value));
                try {
                    producer.send(ProducerRecord.of(topic, key, value), (metadata, error) -> {
                        if (error == null) {
                            history.record(Op.okSend(process, topic, key, value, metadata.partition(),
                                    metadata.offset()));
                        } else if (error instanceof BrookException b && !b.indeterminate()) {
                            history.record(Op.failSend(process, topic, key, value, String.valueOf(error.getMessage())));
                        } else {
                            history.record(Op.infoSend(process, topic, key, value, String.valueOf(error.getMessage())));
                        }
                    });
                } catch (BrookException e) {
                    // Refused before it was sent (for example buffer full past max.block.ms).
                    history.record(e.indeterminate()
                            ? Op.infoSend(process, topic, key, value, String.valueOf(e.getMessage()))
                            : Op.failSend(process, topic, key, value, String.valueOf(e.getMessage())));
                }
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                    next = System.nanoTime(); // behind (blocked on a full buffer): do not burst to catch up
                }
            }
            producer.flush();
        } catch (RuntimeException e) {
            log.warn("producer {} stopped: {}", process, e.toString());
        }
    }

    /**
     * Reads every partition from its log start to its end (the high watermark once the cluster is
     * healthy), recording one read per partition. Retries until {@code timeout}.
     *
     * @return the end offsets read to
     */
    Map<TopicPartition, Long> finalRead(Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("enable.auto.commit", "false");
        config.put("auto.offset.reset", "earliest");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (BrookConsumer consumer = new BrookConsumer(config)) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
            for (TopicPartition tp : all) {
                history.record(Op.invokeRead(READER_PROCESS, tp));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> ends = consumer.endOffsets(all);
            Map<TopicPartition, List<Message>> read = new HashMap<>();
            all.forEach(tp -> read.put(tp, new ArrayList<>()));
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the final read did not reach the end offsets " + ends);
                }
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    read.get(tp).add(Message.of(tp, r.offset(), r.keyAsString(), r.valueAsString()));
                }
            }
            for (TopicPartition tp : all) {
                history.record(Op.okRead(READER_PROCESS, tp, read.get(tp)));
            }
            return ends;
        }
    }
}
