package io.brook.client;

import io.brook.api.records.CompressionType;
import io.brook.api.v1.ErrorCode;
import io.brook.client.internal.Backoff;
import io.brook.client.internal.BufferPool;
import io.brook.client.internal.ClusterView;
import io.brook.client.internal.Metadata;
import io.brook.client.internal.Partitioner;
import io.brook.client.internal.ProducerBatch;
import io.brook.client.internal.ProducerEngine;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import io.brook.common.Clock;
import io.brook.common.ConfigValues;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;

/**
 * Sends records to Brook, as Kafka's {@code KafkaProducer} does: records are grouped per partition
 * into batches ({@code batch.size}, {@code linger.ms}), compressed ({@code compression.type}),
 * and sent to each partition's leader over one pipelined gRPC stream per broker. By default every
 * record is written exactly once and in order per partition ({@code enable.idempotence=true},
 * {@code acks=all}), across retries and leader changes, within {@code delivery.timeout.ms}.
 *
 * <p>Thread-safe: share one producer between threads. {@link #send} returns at once (unless
 * {@code buffer.memory} is full or the topic's metadata is not known yet, when it blocks up to
 * {@code max.block.ms}); the future and the callback carry the outcome.
 *
 * <pre>{@code
 * try (BrookProducer producer = new BrookProducer(Map.of("bootstrap.servers", "localhost:9092"))) {
 *     producer.send(ProducerRecord.of("orders", "customer-7", "{...}")).get();
 * }
 * }</pre>
 */
public final class BrookProducer implements AutoCloseable {
    private final ConfigValues config;
    private final Clock clock;
    private final Transport transport;
    private final Metadata metadata;
    private final BufferPool buffer;
    private final Partitioner partitioner;
    private final ProducerEngine engine;
    private final long maxBlockMs;
    private final int maxRequestSize;
    private volatile boolean closed;

    public BrookProducer(Map<String, ?> config) {
        this(ProducerConfig.parse(config), null, Clock.system(), new Random());
    }

    public BrookProducer(Properties config) {
        this(ClientConfig.text(config), null, Clock.system(), new Random());
    }

    /** For tests: a given transport (null: gRPC), clock and randomness. */
    BrookProducer(Map<String, ?> config, Transport transport, Clock clock, RandomGenerator random) {
        this(ProducerConfig.parse(config), transport, clock, random);
    }

    private BrookProducer(ConfigValues config, Transport transport, Clock clock, RandomGenerator random) {
        this.config = config;
        this.clock = clock;
        this.transport = transport != null ? transport : new GrpcTransport(16 * 1024 * 1024);
        Backoff backoff = new Backoff(config.get(ClientConfig.RETRY_BACKOFF_MS), config.get(ClientConfig.RETRY_BACKOFF_MAX_MS),
                random);
        this.metadata = new Metadata(this.transport, config.get(ClientConfig.BOOTSTRAP_SERVERS), clock,
                config.get(ClientConfig.REQUEST_TIMEOUT_MS), backoff);
        this.buffer = new BufferPool(config.get(ProducerConfig.BUFFER_MEMORY), clock);
        this.partitioner = new Partitioner(config.get(ProducerConfig.BATCH_SIZE), random);
        this.maxBlockMs = config.get(ProducerConfig.MAX_BLOCK_MS);
        this.maxRequestSize = config.get(ProducerConfig.MAX_REQUEST_SIZE);
        this.engine = new ProducerEngine(new ProducerEngine.Settings(config.get(ClientConfig.CLIENT_ID),
                ProducerConfig.acks(config), ProducerConfig.idempotent(config), config.get(ProducerConfig.BATCH_SIZE),
                config.get(ProducerConfig.LINGER_MS), CompressionType.forName(config.get(ProducerConfig.COMPRESSION_TYPE)),
                config.get(ProducerConfig.MAX_IN_FLIGHT), config.get(ProducerConfig.RETRIES),
                config.get(ProducerConfig.DELIVERY_TIMEOUT_MS), config.get(ClientConfig.REQUEST_TIMEOUT_MS),
                maxRequestSize, config.get(ClientConfig.METADATA_MAX_AGE_MS)), metadata, clock, backoff, buffer);
    }

    /** Whether this producer writes idempotently (see {@link ProducerConfig}). */
    public boolean idempotent() {
        return ProducerConfig.idempotent(config);
    }

    /** {@link #send(ProducerRecord, Callback)} without a callback. */
    public CompletableFuture<RecordMetadata> send(ProducerRecord record) {
        return send(record, null);
    }

    /**
     * Queues {@code record} for sending. The future completes with where the record went, or fails
     * with a {@link BrookException} — a {@link TimeoutException} with
     * {@link BrookException#indeterminate()} true when it was sent and its answer never came.
     * Errors found before anything is sent (record too large, unknown partition, no metadata or
     * buffer memory within {@code max.block.ms}) fail the returned future at once.
     */
    public CompletableFuture<RecordMetadata> send(ProducerRecord record, Callback callback) {
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        try {
            if (closed) {
                throw new IllegalStateException("the producer is closed");
            }
            long timestamp = record.timestamp() != null ? record.timestamp() : clock.milliseconds();
            long size = ProducerBatch.sizeOf(record.key(), record.value(), record.headers());
            if (size + 61 > maxRequestSize) {
                throw new RecordTooLargeException("the record is " + size + " bytes encoded, more than max.request.size ("
                        + maxRequestSize + ")");
            }
            if (size > config.get(ProducerConfig.BUFFER_MEMORY)) {
                throw new RecordTooLargeException("the record is " + size + " bytes, more than buffer.memory ("
                        + config.get(ProducerConfig.BUFFER_MEMORY) + ")");
            }
            long started = clock.nanoseconds();
            int partition = partition(record, (int) size);
            long spentMs = (clock.nanoseconds() - started) / 1_000_000L;
            buffer.allocate(size, Math.max(0, maxBlockMs - spentMs));
            try {
                engine.append(new TopicPartition(record.topic(), partition), new ProducerBatch.Pending(timestamp, record.key(),
                        record.value(), record.headers(), size, future, callback));
            } catch (RuntimeException e) {
                buffer.release(size);
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(future, callback, new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, "interrupted while sending", e));
        } catch (BrookException e) {
            fail(future, callback, e);
        } catch (IllegalStateException | io.brook.common.ConfigException e) {
            fail(future, callback, new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, e.getMessage(), e));
        }
        return future;
    }

    private static void fail(CompletableFuture<RecordMetadata> future, Callback callback, BrookException error) {
        future.completeExceptionally(error);
        if (callback != null) {
            callback.onCompletion(null, error);
        }
    }

    private int partition(ProducerRecord record, int size) {
        List<PartitionInfo> partitions = partitionsFor(record.topic());
        if (record.partition() != null) {
            if (record.partition() >= partitions.size()) {
                throw new UnknownTopicOrPartitionException("partition " + record.partition() + " of topic '"
                        + record.topic() + "' does not exist (it has " + partitions.size() + ")");
            }
            return record.partition();
        }
        if (record.key() != null) {
            return Partitioner.partitionForKey(record.key(), partitions.size());
        }
        return partitioner.stickyPartition(record.topic(), partitions, size);
    }

    /**
     * The partitions of {@code topic}, from metadata, waiting up to {@code max.block.ms} for it.
     *
     * @throws TimeoutException (not indeterminate) when the topic is not known within that time
     */
    public List<PartitionInfo> partitionsFor(String topic) {
        ClusterView.TopicView view = metadata.view().topic(topic);
        if (view == null || view.error() != ErrorCode.NONE || view.partitions().isEmpty()) {
            engine.addTopic(topic);
            ClusterView cluster = metadata.await(List.of(topic), v -> {
                ClusterView.TopicView t = v.topic(topic);
                return t != null && t.error() == ErrorCode.NONE && !t.partitions().isEmpty();
            }, maxBlockMs, "topic '" + topic + "' in the metadata (max.block.ms)");
            view = cluster.topic(topic);
        }
        return view.partitions();
    }

    /** Sends what is waiting now and blocks until every record sent so far has its outcome. */
    public void flush() {
        engine.flush();
    }

    /** {@link #close(Duration)} with no bound, as Kafka's {@code close()}. */
    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE / 2));
    }

    /**
     * Sends what is waiting and waits up to {@code timeout} for the answers; records still
     * unanswered then fail (indeterminate when they were sent). Idempotent.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close(timeout.toMillis());
        } finally {
            transport.close();
        }
    }

}
