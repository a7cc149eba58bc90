package io.brook.client;

import io.brook.client.internal.Backoff;
import io.brook.client.internal.Fetcher;
import io.brook.client.internal.Metadata;
import io.brook.client.internal.OffsetLookup;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import io.brook.common.Clock;
import io.brook.common.ConfigValues;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Reads records from partitions it is {@linkplain #assign assigned}, as Kafka's
 * {@code KafkaConsumer} does without a group: it fetches from each partition's leader (long-polls
 * bounded by {@code fetch.min.bytes} / {@code fetch.max.wait.ms}), follows leader changes, and
 * starts a partition without a position where {@code auto.offset.reset} says. Only records up to
 * the high watermark (replicated to the in-sync replicas) are ever returned.
 *
 * <p>Not thread-safe: use it from one thread (as Kafka's). Consumer groups come with their own
 * issue.
 */
public final class BrookConsumer implements AutoCloseable {
    private final ConfigValues config;
    private final Transport transport;
    private final Fetcher fetcher;
    private final OffsetLookup offsets;
    private final long apiTimeoutMs;
    private boolean closed;

    public BrookConsumer(Map<String, ?> config) {
        this(config, null, Clock.system(), new Random());
    }

    public BrookConsumer(Properties config) {
        this(ClientConfig.text(config), null, Clock.system(), new Random());
    }

    /** For tests: a given transport (null: gRPC), clock and randomness. */
    BrookConsumer(Map<String, ?> config, Transport transport, Clock clock, RandomGenerator random) {
        this.config = ConsumerConfig.parse(config);
        int fetchMaxBytes = this.config.get(ConsumerConfig.FETCH_MAX_BYTES);
        this.transport = transport != null ? transport
                : new GrpcTransport((int) Math.min(Integer.MAX_VALUE - 1024, fetchMaxBytes + (8L << 20)));
        Backoff backoff = new Backoff(this.config.get(ClientConfig.RETRY_BACKOFF_MS),
                this.config.get(ClientConfig.RETRY_BACKOFF_MAX_MS), random);
        int requestTimeoutMs = this.config.get(ClientConfig.REQUEST_TIMEOUT_MS);
        Metadata metadata = new Metadata(this.transport, this.config.get(ClientConfig.BOOTSTRAP_SERVERS), clock,
                requestTimeoutMs, backoff);
        this.offsets = new OffsetLookup(metadata, clock, requestTimeoutMs, backoff);
        this.apiTimeoutMs = this.config.get(ClientConfig.DEFAULT_API_TIMEOUT_MS);
        this.fetcher = new Fetcher(new Fetcher.Settings(this.config.get(ConsumerConfig.FETCH_MIN_BYTES),
                this.config.get(ConsumerConfig.FETCH_MAX_WAIT_MS), fetchMaxBytes,
                this.config.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES), this.config.get(ConsumerConfig.MAX_POLL_RECORDS),
                this.config.get(ConsumerConfig.AUTO_OFFSET_RESET), this.config.get(ConsumerConfig.CHECK_CRCS),
                requestTimeoutMs, this.config.get(ClientConfig.METADATA_MAX_AGE_MS)), metadata, offsets, clock, backoff);
    }

    /** Reads exactly {@code partitions} from now on (replacing any earlier assignment). */
    public void assign(Collection<TopicPartition> partitions) {
        ensureOpen();
        fetcher.assign(partitions);
    }

    public Set<TopicPartition> assignment() {
        return fetcher.assignment();
    }

    /**
     * Returns the records fetched since the last call, up to {@code max.poll.records}, waiting up
     * to {@code timeout} for some. Each partition's records come in offset order, and its position
     * moves past them.
     *
     * @throws OffsetOutOfRangeException when a position is out of range and auto.offset.reset=none
     * @throws CorruptRecordException when a fetched batch fails its CRC check (check.crcs)
     */
    public ConsumerRecords poll(Duration timeout) {
        ensureOpen();
        return fetcher.poll(timeout.toMillis());
    }

    /** Makes the next poll read {@code partition} from {@code offset}. */
    public void seek(TopicPartition partition, long offset) {
        ensureOpen();
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        fetcher.seek(partition, offset);
    }

    /** Moves the partitions to their earliest offsets (looked up now). */
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        seekTo(partitions, OffsetSpec.earliest());
    }

    /** Moves the partitions to their latest offsets (the high watermark, looked up now). */
    public void seekToEnd(Collection<TopicPartition> partitions) {
        seekTo(partitions, OffsetSpec.latest());
    }

    /**
     * Moves the partitions to the first record at or after {@code timestampMs}, or to the end where
     * there is none.
     */
    public void seekToTimestamp(Collection<TopicPartition> partitions, long timestampMs) {
        ensureOpen();
        Map<TopicPartition, ListOffsetsResultInfo> found = offsetsForTimes(timestamps(partitions, timestampMs));
        Map<TopicPartition, OffsetSpec> atEnd = new HashMap<>();
        for (TopicPartition partition : partitions) {
            ListOffsetsResultInfo offset = found.get(partition);
            if (offset == null || offset.offset() < 0) {
                atEnd.put(partition, OffsetSpec.latest());
            } else {
                fetcher.seek(partition, offset.offset());
            }
        }
        if (!atEnd.isEmpty()) {
            seekTo(atEnd.keySet(), OffsetSpec.latest());
        }
    }

    private static Map<TopicPartition, Long> timestamps(Collection<TopicPartition> partitions, long timestampMs) {
        Map<TopicPartition, Long> map = new HashMap<>();
        partitions.forEach(p -> map.put(p, timestampMs));
        return map;
    }

    private void seekTo(Collection<TopicPartition> partitions, OffsetSpec spec) {
        ensureOpen();
        lookup(partitions, spec).forEach(fetcher::seek);
    }

    /** The offset of the next record the partition will return (resolving it now if it has none). */
    public long position(TopicPartition partition) {
        ensureOpen();
        return fetcher.position(partition, apiTimeoutMs);
    }

    /** For each partition, the first offset whose record's timestamp is at least the given one (-1: none). */
    public Map<TopicPartition, ListOffsetsResultInfo> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
        ensureOpen();
        Map<TopicPartition, Long> wire = new HashMap<>();
        timestamps.forEach((p, t) -> wire.put(p, OffsetSpec.forTimestamp(t).wireTimestamp()));
        return offsets.listOffsets(wire, apiTimeoutMs);
    }

    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return lookup(partitions, OffsetSpec.earliest());
    }

    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return lookup(partitions, OffsetSpec.latest());
    }

    private Map<TopicPartition, Long> lookup(Collection<TopicPartition> partitions, OffsetSpec spec) {
        ensureOpen();
        Map<TopicPartition, Long> wire = new HashMap<>();
        partitions.forEach(p -> wire.put(p, spec.wireTimestamp()));
        Map<TopicPartition, Long> result = new HashMap<>();
        offsets.listOffsets(wire, apiTimeoutMs).forEach((p, o) -> result.put(p, o.offset()));
        return result;
    }

    /** Stops fetching the partitions (their positions stay) until {@link #resume}. */
    public void pause(Collection<TopicPartition> partitions) {
        ensureOpen();
        fetcher.pause(partitions, true);
    }

    public void resume(Collection<TopicPartition> partitions) {
        ensureOpen();
        fetcher.pause(partitions, false);
    }

    public Set<TopicPartition> paused() {
        return fetcher.paused();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the consumer is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        transport.close();
    }
}
