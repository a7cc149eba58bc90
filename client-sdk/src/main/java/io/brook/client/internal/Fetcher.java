package io.brook.client.internal;

import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordFormatException;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.FetchTopicResponse;
import io.brook.client.BrookException;
import io.brook.client.ConsumerRecord;
import io.brook.client.ConsumerRecords;
import io.brook.client.CorruptRecordException;
import io.brook.client.ListOffsetsResultInfo;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.OffsetOutOfRangeException;
import io.brook.client.RetriableException;
import io.brook.client.OffsetSpec;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's fetching, on the consumer's thread: positions per assigned partition, one
 * long-poll fetch outstanding per leader broker, the records fetched and not yet returned, and the
 * rules for leader changes (refresh metadata, back off, fetch again from the new leader) and for
 * positions out of range ({@code auto.offset.reset}). Answers arrive on gRPC threads and are
 * handed over through a queue; all state is touched by the consumer's thread only.
 */
public final class Fetcher {
    /** The least time a poll gives the lookup of positions that auto.offset.reset must set. */
    static final long RESOLVE_FLOOR_MS = 200;

    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);
    private static final long MAX_WAIT_SLICE_MS = 100;

    /** What the fetcher needs from the configuration. */
    public record Settings(int minBytes, int maxWaitMs, int maxBytes, int partitionMaxBytes, int maxPollRecords,
            String autoOffsetReset, boolean checkCrcs, long requestTimeoutMs, long metadataMaxAgeMs) {}

    private static final class State {
        Long position;
        /** The leader epoch of the record before the position (the last returned, or a seek's), -1 when unknown. */
        int lastEpoch = -1;
        boolean paused;
        final ArrayDeque<ConsumerRecord> buffered = new ArrayDeque<>();
        long retryAtNanos;
        int errors;
    }

    private record Completed(int broker, Map<TopicPartition, Long> fetchedAt, FetchResponse response, Throwable error) {}

    /** Ends a wait in poll without an answer (a metadata refresh finished, or {@link #wakeup}). */
    private static final Completed WAKEUP = new Completed(-1, Map.of(), null, null);

    private final Settings settings;
    private final Metadata metadata;
    private final OffsetLookup offsets;
    private final Clock clock;
    private final Backoff backoff;
    private final Map<TopicPartition, State> assigned = new LinkedHashMap<>();
    private final Set<Integer> fetchingFrom = new HashSet<>();
    private final LinkedBlockingQueue<Completed> completed = new LinkedBlockingQueue<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private boolean metadataStale = true;
    private BrookException pendingError;

    public Fetcher(Settings settings, Metadata metadata, OffsetLookup offsets, Clock clock, Backoff backoff) {
        this.settings = settings;
        this.metadata = metadata;
        this.offsets = offsets;
        this.clock = clock;
        this.backoff = backoff;
    }

    public void assign(Collection<TopicPartition> partitions) {
        Map<TopicPartition, State> kept = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            kept.put(partition, assigned.containsKey(partition) ? assigned.get(partition) : new State());
        }
        assigned.clear();
        assigned.putAll(kept);
        metadataStale = true;
    }

    public Set<TopicPartition> assignment() {
        return Set.copyOf(assigned.keySet());
    }

    private State state(TopicPartition partition) {
        State state = assigned.get(partition);
        if (state == null) {
            throw new IllegalStateException("partition " + partition + " is not assigned to this consumer");
        }
        return state;
    }

    public void seek(TopicPartition partition, long offset) {
        seek(partition, offset, Optional.empty());
    }

    /**
     * Moves {@code partition} to {@code offset}; a known {@code leaderEpoch} (of the record before
     * it, as committed) is kept for the next commit and tells the metadata that the partition has
     * been led in that epoch, so that a broker answering from an older one is not fetched from (its
     * shorter log would make the position look out of range).
     */
    public void seek(TopicPartition partition, long offset, Optional<Integer> leaderEpoch) {
        State state = state(partition);
        state.position = offset;
        state.lastEpoch = leaderEpoch.orElse(-1);
        state.buffered.clear();
        state.retryAtNanos = 0;
        leaderEpoch.ifPresent(epoch -> metadata.observeLeaderEpoch(partition, epoch));
    }

    public void pause(Collection<TopicPartition> partitions, boolean paused) {
        for (TopicPartition partition : partitions) {
            state(partition).paused = paused;
        }
    }

    public Set<TopicPartition> paused() {
        Set<TopicPartition> paused = new HashSet<>();
        assigned.forEach((p, s) -> {
            if (s.paused) {
                paused.add(p);
            }
        });
        return paused;
    }

    public long position(TopicPartition partition, long timeoutMs) {
        State state = state(partition);
        if (state.position == null) {
            resolvePositions(timeoutMs);
        }
        return state.position;
    }

    /** Gives partitions without a position the one auto.offset.reset names. */
    private void resolvePositions(long timeoutMs) {
        Map<TopicPartition, Long> specs = new HashMap<>();
        for (Map.Entry<TopicPartition, State> entry : assigned.entrySet()) {
            if (entry.getValue().position == null) {
                if (settings.autoOffsetReset().equals("none")) {
                    throw new OffsetOutOfRangeException("Partition " + entry.getKey() + " has no position and "
                            + "auto.offset.reset is none: seek first.");
                }
                specs.put(entry.getKey(), (settings.autoOffsetReset().equals("earliest")
                        ? OffsetSpec.earliest() : OffsetSpec.latest()).wireTimestamp());
            }
        }
        if (specs.isEmpty()) {
            return;
        }
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> entry : offsets.listOffsets(specs, timeoutMs).entrySet()) {
            State state = assigned.get(entry.getKey());
            if (state != null && state.position == null) {
                state.position = entry.getValue().offset();
            }
        }
    }

    /**
     * The position of every assigned partition that has one, as the offset to commit: the next
     * record poll will return (so exactly past the records it returned), with the leader epoch of
     * the last one.
     */
    public Map<TopicPartition, OffsetAndMetadata> positions() {
        Map<TopicPartition, OffsetAndMetadata> positions = new LinkedHashMap<>();
        assigned.forEach((partition, state) -> {
            if (state.position != null) {
                positions.put(partition, new OffsetAndMetadata(state.position,
                        state.lastEpoch >= 0 ? Optional.of(state.lastEpoch) : Optional.empty(), ""));
            }
        });
        return positions;
    }

    /** Makes a poll waiting on another thread look at {@code returnEarly} now. Thread-safe. */
    public void wakeup() {
        completed.add(WAKEUP);
    }

    public ConsumerRecords poll(long timeoutMs) {
        return poll(timeoutMs, () -> false);
    }

    /**
     * Like {@link #poll(long)}, but returns (empty) as soon as {@code returnEarly} holds when there
     * are no records to return; it is checked before each wait and after {@link #wakeup}.
     */
    public ConsumerRecords poll(long timeoutMs, BooleanSupplier returnEarly) {
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            throwPendingError();
            try {
                // At least RESOLVE_FLOOR_MS, so that even poll(0) makes progress; an unanswered lookup
                // is tried again by the next loop or poll rather than failing the poll.
                resolvePositions(Math.max(RESOLVE_FLOOR_MS, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds())));
            } catch (RetriableException e) {
                if (TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()) <= 0) {
                    return new ConsumerRecords(Map.of());
                }
            }
            for (Completed done; (done = completed.poll()) != null; ) {
                handle(done);
            }
            throwPendingError();
            Map<TopicPartition, List<ConsumerRecord>> records = collect();
            sendFetches();
            if (!records.isEmpty()) {
                return new ConsumerRecords(records);
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds());
            if (remainingMs <= 0 || returnEarly.getAsBoolean()) {
                return new ConsumerRecords(Map.of());
            }
            try {
                Completed done = completed.poll(Math.min(remainingMs, MAX_WAIT_SLICE_MS), TimeUnit.MILLISECONDS);
                if (done != null) {
                    handle(done);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, "interrupted in poll", e);
            }
        }
    }

    private void throwPendingError() {
        if (pendingError != null) {
            BrookException error = pendingError;
            pendingError = null;
            throw error;
        }
    }

    private Map<TopicPartition, List<ConsumerRecord>> collect() {
        Map<TopicPartition, List<ConsumerRecord>> records = new LinkedHashMap<>();
        int budget = settings.maxPollRecords();
        for (Map.Entry<TopicPartition, State> entry : assigned.entrySet()) {
            State state = entry.getValue();
            if (state.paused) {
                continue;
            }
            while (budget > 0 && !state.buffered.isEmpty()) {
                ConsumerRecord record = state.buffered.pollFirst();
                records.computeIfAbsent(entry.getKey(), p -> new ArrayList<>()).add(record);
                state.position = record.offset() + 1;
                state.lastEpoch = record.leaderEpoch();
                budget--;
            }
        }
        return records;
    }

    private void sendFetches() {
        long now = clock.nanoseconds();
        ClusterView view = metadata.view();
        if ((metadataStale || now - view.fetchedAtNanos() >= TimeUnit.MILLISECONDS.toNanos(settings.metadataMaxAgeMs()))
                && !assigned.isEmpty() && refreshing.compareAndSet(false, true)) {
            metadataStale = false;
            Set<String> topics = new HashSet<>();
            assigned.keySet().forEach(p -> topics.add(p.topic()));
            metadata.refresh(topics).whenComplete((v, error) -> {
                refreshing.set(false);
                completed.add(WAKEUP);
            });
        }
        Map<Integer, Map<TopicPartition, PartitionInfo>> byLeader = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, State> entry : assigned.entrySet()) {
            State state = entry.getValue();
            if (state.paused || state.position == null || !state.buffered.isEmpty() || state.retryAtNanos - now > 0) {
                continue;
            }
            PartitionInfo info = view.partition(entry.getKey().topic(), entry.getKey().partition());
            if (info == null || info.offline() || metadata.connection(info.leader()) == null) {
                metadataStale = true;
                continue;
            }
            if (!fetchingFrom.contains(info.leader())) {
                byLeader.computeIfAbsent(info.leader(), l -> new LinkedHashMap<>()).put(entry.getKey(), info);
            }
        }
        for (Map.Entry<Integer, Map<TopicPartition, PartitionInfo>> entry : byLeader.entrySet()) {
            int broker = entry.getKey();
            Map<String, FetchTopic.Builder> topics = new LinkedHashMap<>();
            Map<TopicPartition, Long> fetchedAt = new HashMap<>();
            for (Map.Entry<TopicPartition, PartitionInfo> p : entry.getValue().entrySet()) {
                long position = assigned.get(p.getKey()).position;
                fetchedAt.put(p.getKey(), position);
                topics.computeIfAbsent(p.getKey().topic(), t -> FetchTopic.newBuilder().setTopic(t))
                        .addPartitions(FetchPartition.newBuilder().setPartition(p.getKey().partition())
                                .setFetchOffset(position).setPartitionMaxBytes(settings.partitionMaxBytes())
                                .setCurrentLeaderEpoch(p.getValue().leaderEpoch()));
            }
            FetchRequest.Builder request = FetchRequest.newBuilder().setMaxWaitMs(settings.maxWaitMs())
                    .setMinBytes(settings.minBytes()).setMaxBytes(settings.maxBytes());
            topics.values().forEach(request::addTopics);
            fetchingFrom.add(broker);
            metadata.connection(broker).fetch(request.build(), settings.requestTimeoutMs() + settings.maxWaitMs())
                    .whenComplete((response, error) -> completed.add(new Completed(broker, fetchedAt, response, error)));
        }
    }

    private void handle(Completed done) {
        if (done.broker() < 0) {
            return; // a metadata refresh finished
        }
        fetchingFrom.remove(done.broker());
        long now = clock.nanoseconds();
        if (done.error() != null) {
            metadataStale = true;
            log.debug("Consumer: fetch from broker {} failed: {}", done.broker(), done.error().getMessage());
            for (TopicPartition partition : done.fetchedAt().keySet()) {
                backOff(partition, now);
            }
            return;
        }
        for (FetchTopicResponse topic : done.response().getTopicsList()) {
            for (FetchPartitionResponse p : topic.getPartitionsList()) {
                TopicPartition partition = new TopicPartition(topic.getTopic(), p.getPartition());
                State state = assigned.get(partition);
                Long fetchedAt = done.fetchedAt().get(partition);
                if (state == null || fetchedAt == null || state.position == null || state.position.longValue() != fetchedAt
                        || !state.buffered.isEmpty()) {
                    continue; // unassigned or moved by a seek since the fetch was sent
                }
                handlePartition(partition, state, p, now);
            }
        }
    }

    private void handlePartition(TopicPartition partition, State state, FetchPartitionResponse p, long now) {
        ErrorCode code = p.getErrorCode();
        if (code == ErrorCode.NONE) {
            state.errors = 0;
            long position = state.position;
            long next = position;
            try {
                for (RecordBatch batch : RecordBatch.batches(p.getRecordBatches().asReadOnlyByteBuffer())) {
                    if (settings.checkCrcs()) {
                        batch.ensureValid();
                    }
                    next = Math.max(next, batch.nextOffset());
                    if (batch.isControlBatch()) {
                        continue;
                    }
                    for (Record record : batch) {
                        if (record.offset() >= position) {
                            state.buffered.add(new ConsumerRecord(partition.topic(), partition.partition(),
                                    record.offset(), record.timestamp(), batch.timestampType(), record.keyBytes(),
                                    record.valueBytes(), record.headers(), batch.partitionLeaderEpoch()));
                        }
                    }
                }
            } catch (RecordFormatException e) {
                state.buffered.clear();
                pendingError = new CorruptRecordException("A batch of " + partition + " at offset " + position
                        + " is corrupt: " + e.getMessage());
                return;
            }
            if (state.buffered.isEmpty() && next > position) {
                state.position = next; // only control records or compacted gaps there
            }
            return;
        }
        BrookException error = Errors.exception(code, p.getErrorMessage());
        switch (code) {
            case OFFSET_OUT_OF_RANGE -> {
                if (settings.autoOffsetReset().equals("none")) {
                    pendingError = new OffsetOutOfRangeException("Position " + state.position + " of " + partition
                            + " is out of range (" + p.getErrorMessage() + ") and auto.offset.reset is none.");
                } else {
                    log.info("Consumer: position {} of {} is out of range; resetting to the {} offset", state.position,
                            partition, settings.autoOffsetReset());
                    state.position = null;
                }
            }
            case NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION,
                    LEADER_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE -> {
                metadataStale = true;
                backOff(partition, now);
            }
            default -> {
                if (error.retriable()) {
                    backOff(partition, now);
                } else {
                    pendingError = error;
                }
            }
        }
    }

    private void backOff(TopicPartition partition, long now) {
        State state = assigned.get(partition);
        if (state != null) {
            state.retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(backoff.delayMs(state.errors++));
        }
    }
}
