package io.brook.broker.internal.groups;

import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.ErrorCode;
import io.brook.broker.internal.Partition;
import io.brook.common.Clock;
import io.brook.group.GroupCoordinatorShard;
import io.brook.group.GroupRecord;
import io.brook.storage.PartitionLog;
import io.brook.storage.ReadResult;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One coordinator shard at work on the leader of its {@code __consumer_offsets} partition, for one
 * leader epoch.
 *
 * <p>Operations run one after another (a chain of futures on the runtime's thread): each one's
 * records are appended with acks=all, replayed into the shard once committed, and only then is its
 * answer sent; the next operation starts after that. A write that fails may still have reached
 * the log, so the shard is then rebuilt from the partition before anything else runs.
 *
 * <p>Loading reads the partition from its start to its log end, then waits until the high
 * watermark reaches that end (everything loaded is committed) before serving:
 * COORDINATOR_LOAD_IN_PROGRESS until then.
 */
final class ShardRunner {
    private static final Logger log = LoggerFactory.getLogger(ShardRunner.class);
    /** Kafka's offsets.commit.timeout.ms. */
    static final long WRITE_TIMEOUT_MS = 5_000;
    private static final int READ_CHUNK = 1 << 20;

    private enum State { LOADING, CATCHING_UP, ACTIVE, CLOSED }

    private final int brokerId;
    private final Partition partition;
    private final int leaderEpoch;
    private final Supplier<GroupCoordinatorShard> factory;
    private final Clock clock;
    private final Executor executor;
    /** Touched only by the chain's steps. */
    private GroupCoordinatorShard shard;
    private volatile State state = State.LOADING;
    private volatile long loadEnd;
    private volatile boolean pollQueued;
    private volatile boolean reloadNeeded;
    /** The end of the chain; guarded by this. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    ShardRunner(int brokerId, Partition partition, int leaderEpoch, Supplier<GroupCoordinatorShard> factory,
            Clock clock, Executor executor) {
        this.brokerId = brokerId;
        this.partition = partition;
        this.leaderEpoch = leaderEpoch;
        this.factory = factory;
        this.clock = clock;
        this.executor = executor;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    Partition partition() {
        return partition;
    }

    <T> CompletableFuture<T> submit(Function<GroupCoordinatorShard, GroupCoordinatorShard.Result<T>> op,
            GroupCoordinatorRuntime.ErrorAnswer<T> error) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        synchronized (this) {
            tail = tail.thenComposeAsync(v -> step(op, error, answer), executor).exceptionally(e -> {
                answer.complete(error.answer(ErrorCode.COORDINATOR_NOT_AVAILABLE, "The coordinator on broker "
                        + brokerId + " failed: " + e));
                return null;
            });
        }
        return answer;
    }

    private <T> CompletableFuture<Void> step(Function<GroupCoordinatorShard, GroupCoordinatorShard.Result<T>> op,
            GroupCoordinatorRuntime.ErrorAnswer<T> error, CompletableFuture<T> answer) {
        State now = state;
        if (now != State.CLOSED && partition.leaderView().map(v -> v.leaderEpoch() != leaderEpoch).orElse(true)) {
            close(); // leadership moved on; the next tick starts a runner for the new epoch, if any
            now = State.CLOSED;
        }
        if (now == State.CLOSED) {
            answer.complete(error.answer(ErrorCode.NOT_COORDINATOR, "Broker " + brokerId + " no longer coordinates "
                    + partition.topicPartition() + "; find the coordinator again."));
            return CompletableFuture.completedFuture(null);
        }
        if (now != State.ACTIVE) {
            answer.complete(error.answer(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, "Broker " + brokerId
                    + " is loading the groups of " + partition.topicPartition() + "; try again shortly."));
            return CompletableFuture.completedFuture(null);
        }
        GroupCoordinatorShard.Result<T> result;
        try {
            result = op.apply(shard);
        } catch (RuntimeException e) {
            log.error("Broker {}: a group operation on {} failed", brokerId, partition.topicPartition(), e);
            answer.complete(error.answer(ErrorCode.UNKNOWN_SERVER_ERROR, "The coordinator failed: " + e));
            return CompletableFuture.completedFuture(null);
        }
        if (result.records().isEmpty()) {
            answer.complete(result.response());
            return CompletableFuture.completedFuture(null);
        }
        List<GroupRecord> records = result.records();
        return partition.append(encode(records), -1, WRITE_TIMEOUT_MS, leaderEpoch).handleAsync((written, failure) -> {
            ErrorCode code = failure != null ? ErrorCode.REQUEST_TIMED_OUT : written.error();
            if (code == ErrorCode.NONE && state == State.ACTIVE) {
                long nowMs = clock.milliseconds();
                records.forEach(r -> shard.replay(r, nowMs));
                answer.complete(result.response());
                return null;
            }
            ErrorCode answered = coordinatorError(code);
            answer.complete(error.answer(answered, "The coordinator could not write to " + partition.topicPartition()
                    + ": " + code + (written != null && !written.message().isEmpty() ? " (" + written.message() + ")" : "")));
            if (state != State.CLOSED) {
                // The records may have reached the log anyway: rebuild the state from it.
                log.info("Broker {}: a write to {} failed ({}); reloading its groups", brokerId,
                        partition.topicPartition(), code);
                state = State.LOADING;
                try {
                    loadNow();
                } catch (RuntimeException e) {
                    log.warn("Broker {}: reloading the groups of {} failed; retrying", brokerId,
                            partition.topicPartition(), e);
                    reloadNeeded = true;
                }
            }
            return null;
        }, executor);
    }

    /** A failed write's code, as the coordinator reports it (Kafka's mapping). */
    static ErrorCode coordinatorError(ErrorCode writeError) {
        return switch (writeError) {
            case NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, STORAGE_ERROR, NONE ->
                    ErrorCode.NOT_COORDINATOR;
            // Everything else, a record too large included, is retriable for the client: it must not
            // give up on its group because of one write the coordinator could not make.
            default -> ErrorCode.COORDINATOR_NOT_AVAILABLE;
        };
    }

    private ByteBuffer encode(List<GroupRecord> records) {
        RecordBatchBuilder batch = new RecordBatchBuilder(CompressionType.NONE);
        long now = clock.milliseconds();
        for (GroupRecord record : records) {
            batch.append(now, record.keyBytes(), record.valueBytes());
        }
        return batch.build();
    }

    /** Starts loading (queued behind whatever runs now). */
    void load() {
        synchronized (this) {
            tail = tail.thenRunAsync(this::loadNow, executor).exceptionally(e -> {
                log.warn("Broker {}: loading the groups of {} failed; retrying", brokerId, partition.topicPartition(), e);
                reloadNeeded = true;
                return null;
            });
        }
    }

    /** Reads the partition into a fresh shard. Runs as a step of the chain. */
    private void loadNow() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.LOADING;
        GroupCoordinatorShard fresh = factory.get();
        PartitionLog partitionLog = partition.log();
        long end = partitionLog.logEndOffset();
        long position = partitionLog.logStartOffset();
        long nowMs = clock.milliseconds();
        int records = 0;
        while (position < end) {
            ReadResult read = partitionLog.read(position, READ_CHUNK, end, true);
            if (read.error() != ErrorCode.NONE) {
                throw new IllegalStateException("reading " + partition.topicPartition() + " at " + position + ": "
                        + read.error() + " " + read.message());
            }
            long before = position;
            for (RecordBatch batch : read.batches()) {
                if (!batch.isControlBatch()) {
                    for (io.brook.api.records.Record record : batch) {
                        if (record.offset() >= position && record.offset() < end && record.hasKey()) {
                            fresh.replay(GroupRecord.parse(record.keyBytes(), record.hasValue() ? record.valueBytes()
                                    : null), nowMs);
                            records++;
                        }
                    }
                }
                position = Math.max(position, batch.nextOffset());
            }
            if (position == before) {
                break; // nothing more below the end (a gap left by compaction)
            }
        }
        shard = fresh;
        loadEnd = end;
        state = State.CATCHING_UP;
        log.info("Broker {} loaded {} groups from {} ({} records up to offset {}, leader epoch {})", brokerId,
                fresh.groupIds().size(), partition.topicPartition(), records, end, leaderEpoch);
    }

    /** Called every tick on the runtime's thread: serve once caught up, run the shard's timers. */
    void tick() {
        if (reloadNeeded) {
            reloadNeeded = false;
            load();
            return;
        }
        if (state == State.CATCHING_UP && partition.highWatermark() >= loadEnd) {
            state = State.ACTIVE;
            log.info("Broker {} coordinates the groups of {} (leader epoch {})", brokerId, partition.topicPartition(),
                    leaderEpoch);
        }
        if (state == State.ACTIVE && !pollQueued) {
            pollQueued = true;
            submit(s -> {
                pollQueued = false;
                return new GroupCoordinatorShard.Result<>(s.poll(clock.milliseconds()), null);
            }, (code, message) -> {
                pollQueued = false;
                return null;
            });
        }
    }

    void close() {
        state = State.CLOSED;
    }
}
