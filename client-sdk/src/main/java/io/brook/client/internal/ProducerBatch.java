package io.brook.client.internal;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Header;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.client.Callback;
import io.brook.client.RecordMetadata;
import io.brook.client.TopicPartition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Records for one partition that travel together, and their send state: the producer id and base
 * sequence they were given when first sent (kept across retries so that the broker recognises a
 * retry as a duplicate), the encoded bytes, attempts and whether they ever left the producer.
 * Guarded by the {@link ProducerEngine}'s lock.
 */
public final class ProducerBatch {
    /** Bytes a record costs besides its key, value and headers (upper bound of the varints). */
    static final int RECORD_OVERHEAD = 21;
    /** The v2 batch header. */
    static final int BATCH_OVERHEAD = 61;

    /** One record waiting in a batch, with its outcome's future and callback. */
    public record Pending(long timestamp, byte[] key, byte[] value, List<Header> headers, long bytes,
            CompletableFuture<RecordMetadata> future, Callback callback) {}

    final TopicPartition partition;
    final long createdNanos;
    final List<Pending> records = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long estimatedBytes = BATCH_OVERHEAD;
    long reservedBytes;
    boolean closedForAppend;

    long producerId = -1;
    short producerEpoch = -1;
    int baseSequence = -1;
    ByteBuffer encoded;
    int attempts;
    long retryAtNanos;
    boolean everSent;
    /**
     * An attempt ended without a definite answer (request timeout, broken stream): the batch may be
     * in the log. Such a batch must never be numbered again under another producer id, or its
     * retry would be written a second time.
     */
    boolean maybeWritten;

    ProducerBatch(TopicPartition partition, long createdNanos) {
        this.partition = partition;
        this.createdNanos = createdNanos;
    }

    /** The bytes a record is counted as, in batches and in buffer.memory. */
    public static long sizeOf(byte[] key, byte[] value, List<Header> headers) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header header : headers) {
            size += header.key().length() * 3L + header.value().remaining() + 10;
        }
        return size;
    }

    void add(Pending pending) {
        records.add(pending);
        estimatedBytes += pending.bytes();
        reservedBytes += pending.bytes();
    }

    boolean hasSequence() {
        return baseSequence >= 0;
    }

    void assign(long producerId, short producerEpoch, int baseSequence) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        this.encoded = null;
    }

    /** The v2 batch bytes (built once per producer id and sequence). */
    ByteBuffer encode(CompressionType compression) {
        if (encoded == null) {
            RecordBatchBuilder builder = new RecordBatchBuilder(compression);
            if (producerId >= 0) {
                builder.producer(producerId, producerEpoch, baseSequence);
            }
            for (Pending record : records) {
                builder.append(record.timestamp(), record.key(), record.value(), record.headers());
            }
            encoded = builder.build();
        }
        return encoded.duplicate();
    }
}
