package io.brook.broker.internal;

import io.brook.storage.PartitionLog;
import java.util.concurrent.CompletableFuture;

/** Flushes a log up to its end; the future completes with the offset below which it is durable. */
public interface Flusher {
    CompletableFuture<Long> flush(PartitionLog partitionLog);
}
