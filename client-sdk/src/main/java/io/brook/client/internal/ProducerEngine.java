package io.brook.client.internal;

import com.google.protobuf.ByteString;
import io.brook.api.records.CompressionType;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.InitProducerIdRequest;
import io.brook.api.v1.InitProducerIdResponse;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.ProduceStreamRequest;
import io.brook.api.v1.ProduceStreamResponse;
import io.brook.api.v1.TopicProduceData;
import io.brook.api.v1.TopicProduceResponse;
import io.brook.client.BrookException;
import io.brook.client.NetworkException;
import io.brook.client.PartitionInfo;
import io.brook.client.RecordMetadata;
import io.brook.client.TimeoutException;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's state and its I/O thread: per-partition queues of batches, their sequence numbers,
 * what is in flight on each broker's produce stream, and the retry, expiry and reset rules.
 *
 * <p>Ordering with idempotence (up to {@code maxInFlight} batches per partition in flight): a
 * batch gets its producer id and base sequence the first time it is sent and keeps them on every
 * retry. A produce stream appends in order, so batches of one partition reach the leader in
 * sequence order. When one fails retriably, the batches behind it fail too (the leader refuses a
 * sequence gap with OUT_OF_ORDER_SEQUENCE, which is then retriable); they go back to the front of
 * the queue in sequence order and are sent again one at a time, each only when nothing of the
 * partition is in flight — so a retry can never overtake. When the sequence of a partition can no
 * longer be trusted (a batch failed for good or expired after it was sent, or the broker forgot
 * the producer), the partition is <em>reset</em>: once nothing of it is in flight it moves to a
 * fresh producer id and its waiting batches are numbered again from 0. This is the per-partition
 * form of Kafka's epoch bump.
 *
 * <p>All state is guarded by {@link #lock}; futures and callbacks complete outside it.
 */
public final class ProducerEngine {
    private static final Logger log = LoggerFactory.getLogger(ProducerEngine.class);
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What the engine needs from the configuration. */
    public record Settings(String clientId, int acks, boolean idempotent, int batchSize, long lingerMs,
            CompressionType compression, int maxInFlight, int retries, long deliveryTimeoutMs, long requestTimeoutMs,
            int maxRequestSize, long metadataMaxAgeMs) {}

    private static final class PartitionState {
        final Deque<ProducerBatch> queue = new ArrayDeque<>();
        final Deque<ProducerBatch> inFlight = new ArrayDeque<>();
        long producerId = -1;
        short producerEpoch = -1;
        int nextSequence;
        boolean resetPending;
    }

    private static final class InFlightRequest {
        final List<ProducerBatch> batches;
        final long sentNanos;

        InFlightRequest(List<ProducerBatch> batches, long sentNanos) {
            this.batches = batches;
            this.sentNanos = sentNanos;
        }
    }

    private final class BrokerStream {
        final int brokerId;
        final Connection.ProduceStream stream;
        final LinkedHashMap<Long, InFlightRequest> inFlight = new LinkedHashMap<>();
        long nextCorrelation;
        boolean closed;

        BrokerStream(int brokerId, Connection connection) {
            this.brokerId = brokerId;
            this.stream = connection.openProduceStream(this::onResponse, this::onClosed);
        }

        private void onResponse(ProduceStreamResponse response) {
            List<Runnable> completions = new ArrayList<>();
            lock.lock();
            try {
                InFlightRequest request = inFlight.remove(response.getCorrelationId());
                if (request != null && !closed) {
                    handleResponse(request, response, completions);
                }
                wake.signalAll();
            } finally {
                lock.unlock();
            }
            run(completions);
        }

        private void onClosed(Throwable error) {
            List<Runnable> completions = new ArrayList<>();
            lock.lock();
            try {
                failStream(this, Futures.asBrook(error), completions);
                wake.signalAll();
            } finally {
                lock.unlock();
            }
            run(completions);
        }
    }

    private final Settings settings;
    private final Metadata metadata;
    private final Clock clock;
    private final Backoff backoff;
    private final BufferPool buffer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
    private final Map<Integer, BrokerStream> streams = new HashMap<>();
    private final Set<String> topics = new HashSet<>();
    private final Thread thread;

    private long producerId = -1;
    private short producerEpoch = -1;
    private boolean producerIdRequested;
    private int producerIdAttempts;
    private long producerIdRetryAtNanos;
    private boolean metadataStale = true;
    private boolean metadataRefreshing;
    private long metadataNextRefreshNanos;
    private int metadataAttempts;
    private int flushing;
    private boolean closing;
    private boolean stopped;

    public ProducerEngine(Settings settings, Metadata metadata, Clock clock, Backoff backoff, BufferPool buffer) {
        this.settings = settings;
        this.metadata = metadata;
        this.clock = clock;
        this.backoff = backoff;
        this.buffer = buffer;
        this.thread = new Thread(this::loop, "brook-producer-network-thread"
                + (settings.clientId().isEmpty() ? "" : " | " + settings.clientId()));
        thread.setDaemon(true);
        thread.start();
    }

    /** Adds a record to its partition's open batch (a new one when it would overflow). */
    public void append(TopicPartition partition, ProducerBatch.Pending record) {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("the producer is closed");
            }
            topics.add(partition.topic());
            PartitionState state = partitions.computeIfAbsent(partition, p -> newPartitionState());
            ProducerBatch last = state.queue.peekLast();
            if (last == null || last.closedForAppend
                    || (!last.records.isEmpty() && last.estimatedBytes + record.bytes() > settings.batchSize())) {
                last = new ProducerBatch(partition, clock.nanoseconds());
                state.queue.addLast(last);
            }
            last.add(record);
            if (last.estimatedBytes >= settings.batchSize() || settings.lingerMs() == 0 || state.queue.size() > 1) {
                wake.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Registers interest in {@code topic}'s metadata. */
    public void addTopic(String topic) {
        lock.lock();
        try {
            topics.add(topic);
        } finally {
            lock.unlock();
        }
    }

    /** Sends everything now and waits until every record accepted so far has its outcome. */
    public void flush() {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        lock.lock();
        try {
            flushing++;
            for (PartitionState state : partitions.values()) {
                state.queue.forEach(b -> pending.add(b.done));
                state.inFlight.forEach(b -> pending.add(b.done));
            }
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } finally {
            lock.lock();
            try {
                flushing--;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops taking records, sends what is waiting and waits up to {@code timeoutMs} for the
     * answers; what is left then fails (indeterminate when it was sent). Idempotent.
     */
    public void close(long timeoutMs) {
        lock.lock();
        try {
            closing = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(Math.max(1, timeoutMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Runnable> completions = new ArrayList<>();
        lock.lock();
        try {
            stopped = true;
            for (BrokerStream stream : new ArrayList<>(streams.values())) {
                failStream(stream, new NetworkException("the producer closed before the answer came", true, null),
                        completions); // back into the queues, failed just below
                stream.stream.cancel();
            }
            for (PartitionState state : partitions.values()) {
                for (ProducerBatch batch : state.queue) {
                    fail(batch, closedError(batch), completions);
                }
                state.queue.clear();
            }
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        run(completions);
        buffer.close();
    }

    private static BrookException closedError(ProducerBatch batch) {
        return batch.everSent
                ? new TimeoutException("the producer closed before the record's answer came", true)
                : new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, "the producer closed before the record was sent");
    }

    private PartitionState newPartitionState() {
        PartitionState state = new PartitionState();
        state.producerId = producerId;
        state.producerEpoch = producerEpoch;
        return state;
    }

    // ---- the I/O thread ----

    private record Outgoing(BrokerStream stream, ProduceStreamRequest request) {}

    private void loop() {
        while (true) {
            List<Runnable> completions = new ArrayList<>();
            List<Outgoing> outgoing;
            lock.lock();
            try {
                if (stopped || (closing && idle())) {
                    stopped = true;
                    return;
                }
                long now = clock.nanoseconds();
                long[] nextWake = {now + MAX_WAIT_NANOS};
                maintain(now, nextWake, completions);
                outgoing = drain(now, nextWake, completions);
                if (outgoing.isEmpty() && completions.isEmpty()) {
                    long wait = nextWake[0] - clock.nanoseconds();
                    if (wait > 0) {
                        wake.awaitNanos(Math.min(wait, MAX_WAIT_NANOS));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("Producer I/O thread: unexpected failure", e);
                outgoing = List.of();
            } finally {
                lock.unlock();
            }
            run(completions);
            for (Outgoing out : outgoing) {
                try {
                    out.stream().stream.send(out.request());
                } catch (RuntimeException e) {
                    // The stream broke between the drain and the send (gRPC refuses messages on a
                    // call that ended): a transport failure, retriable, and it may have carried earlier ones.
                    out.stream().onClosed(new NetworkException("the produce stream to broker " + out.stream().brokerId
                            + " broke: " + e.getMessage(), true, e));
                }
            }
        }
    }

    private boolean idle() {
        for (PartitionState state : partitions.values()) {
            if (!state.queue.isEmpty() || !state.inFlight.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Expiry, request timeouts, metadata refresh, producer ids and partition resets. */
    private void maintain(long now, long[] nextWake, List<Runnable> completions) {
        long deliveryNanos = TimeUnit.MILLISECONDS.toNanos(settings.deliveryTimeoutMs());
        for (PartitionState state : partitions.values()) {
            for (Iterator<ProducerBatch> it = state.queue.iterator(); it.hasNext(); ) {
                ProducerBatch batch = it.next();
                long expiry = batch.createdNanos + deliveryNanos;
                if (now - expiry >= 0) {
                    it.remove();
                    fail(batch, new TimeoutException("the record was not acknowledged within delivery.timeout.ms ("
                            + settings.deliveryTimeoutMs() + " ms)" + (batch.everSent ? "; it may have been written" : ""),
                            batch.everSent), completions);
                    if (settings.idempotent() && batch.hasSequence()) {
                        state.resetPending = true;
                    }
                } else {
                    // A queue is in creation order (retries, at its front, are older than what
                    // follows): the first batch that has not expired ends the scan. A full scan per
                    // loop would cost the I/O thread more than sending when the buffer is full.
                    nextWake[0] = Math.min(nextWake[0], expiry);
                    break;
                }
            }
        }
        long requestNanos = TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
        for (BrokerStream stream : new ArrayList<>(streams.values())) {
            InFlightRequest oldest = stream.inFlight.isEmpty() ? null : stream.inFlight.values().iterator().next();
            if (oldest != null && now - oldest.sentNanos >= requestNanos) {
                failStream(stream, new TimeoutException("broker " + stream.brokerId + " did not answer a produce "
                        + "request within request.timeout.ms (" + settings.requestTimeoutMs() + " ms)", true), completions);
                stream.stream.cancel();
            } else if (oldest != null) {
                nextWake[0] = Math.min(nextWake[0], oldest.sentNanos + requestNanos);
            }
        }
        ClusterView view = metadata.view();
        boolean due = metadataStale
                || now - view.fetchedAtNanos() >= TimeUnit.MILLISECONDS.toNanos(settings.metadataMaxAgeMs());
        if (due && !metadataRefreshing && !topics.isEmpty()) {
            if (now - metadataNextRefreshNanos < 0) {
                nextWake[0] = Math.min(nextWake[0], metadataNextRefreshNanos);
            } else {
                metadataRefreshing = true;
                metadataStale = false;
                metadata.refresh(List.copyOf(topics)).whenComplete((v, error) -> {
                    lock.lock();
                    try {
                        metadataRefreshing = false;
                        // Refreshes that keep being asked for (a leader not elected yet) back off.
                        metadataAttempts = error != null || metadataStale ? metadataAttempts + 1 : 0;
                        metadataNextRefreshNanos = clock.nanoseconds()
                                + TimeUnit.MILLISECONDS.toNanos(backoff.delayMs(Math.max(0, metadataAttempts - 1)));
                        if (error != null) {
                            metadataStale = true;
                        }
                        wake.signalAll();
                    } finally {
                        lock.unlock();
                    }
                });
            }
        }
        if (settings.idempotent()) {
            boolean needId = producerId < 0;
            for (PartitionState state : partitions.values()) {
                needId |= state.resetPending && state.inFlight.isEmpty();
            }
            if (needId && !producerIdRequested && now - producerIdRetryAtNanos >= 0) {
                requestProducerId();
            }
        }
    }

    private void requestProducerId() {
        producerIdRequested = true;
        Connection connection;
        try {
            connection = metadata.anyConnection();
        } catch (RuntimeException e) {
            producerIdFailed(e);
            return;
        }
        connection.initProducerId(InitProducerIdRequest.newBuilder().setProducerId(-1).setProducerEpoch(-1).build(),
                settings.requestTimeoutMs()).whenComplete(this::onProducerId);
    }

    private void onProducerId(InitProducerIdResponse response, Throwable error) {
        List<Runnable> completions = new ArrayList<>();
        lock.lock();
        try {
            producerIdRequested = false;
            if (error != null || response.getErrorCode() != ErrorCode.NONE) {
                producerIdFailed(error != null ? Futures.unwrap(error)
                        : Errors.exception(response.getErrorCode(), response.getErrorMessage()));
                return;
            }
            producerIdAttempts = 0;
            long id = response.getProducerId();
            short epoch = (short) response.getProducerEpoch();
            boolean first = producerId < 0;
            if (first) {
                producerId = id;
                producerEpoch = epoch;
            }
            for (Map.Entry<TopicPartition, PartitionState> entry : partitions.entrySet()) {
                PartitionState state = entry.getValue();
                if (first && state.producerId < 0) {
                    state.producerId = id;
                    state.producerEpoch = epoch;
                } else if (state.resetPending && state.inFlight.isEmpty()) {
                    reset(entry.getKey(), state, id, epoch, completions);
                }
            }
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        run(completions);
    }

    private void producerIdFailed(Throwable error) {
        producerIdRequested = false;
        producerIdRetryAtNanos = clock.nanoseconds()
                + TimeUnit.MILLISECONDS.toNanos(backoff.delayMs(producerIdAttempts++));
        metadataStale = true;
        log.debug("Producer: no producer id yet ({}); retrying", error.getMessage());
    }

    /**
     * Moves {@code state} to a fresh producer id and numbers its waiting batches from 0 — except
     * those that may already be in the log (an attempt without a definite answer): under a new id
     * the broker could not recognise their retry, so they fail as indeterminate instead of being
     * written twice.
     */
    private void reset(TopicPartition partition, PartitionState state, long id, short epoch,
            List<Runnable> completions) {
        state.producerId = id;
        state.producerEpoch = epoch;
        state.nextSequence = 0;
        state.resetPending = false;
        for (Iterator<ProducerBatch> it = state.queue.iterator(); it.hasNext(); ) {
            ProducerBatch batch = it.next();
            if (batch.maybeWritten) {
                it.remove();
                fail(batch, new TimeoutException("the record's first attempt got no answer and its partition "
                        + "had to move to a new producer id; it may have been written (not resent, so that it "
                        + "is never written twice)", true), completions);
                continue;
            }
            if (batch.hasSequence()) {
                batch.assign(id, epoch, state.nextSequence);
                state.nextSequence += batch.records.size();
            }
        }
        log.info("Producer: partition {} continues with producer id {} after a sequence reset", partition, id);
    }

    /** Picks the batches to send now, one per partition per request, grouped by leader. */
    private List<Outgoing> drain(long now, long[] nextWake, List<Runnable> completions) {
        ClusterView view = metadata.view();
        Map<Integer, List<ProducerBatch>> byLeader = new LinkedHashMap<>();
        Map<Integer, Long> bytesByLeader = new HashMap<>();
        long lingerNanos = TimeUnit.MILLISECONDS.toNanos(settings.lingerMs());
        for (Map.Entry<TopicPartition, PartitionState> entry : partitions.entrySet()) {
            TopicPartition partition = entry.getKey();
            PartitionState state = entry.getValue();
            ProducerBatch batch = state.queue.peekFirst();
            if (batch == null) {
                continue;
            }
            if (settings.idempotent() && (state.producerId < 0 || state.resetPending)) {
                continue;
            }
            if (batch.retryAtNanos - now > 0) {
                nextWake[0] = Math.min(nextWake[0], batch.retryAtNanos);
                continue;
            }
            boolean retry = batch.attempts > 0;
            if ((retry && settings.idempotent() && !state.inFlight.isEmpty())
                    || state.inFlight.size() >= settings.maxInFlight()) {
                continue;
            }
            boolean ready = retry || batch.closedForAppend || batch.estimatedBytes >= settings.batchSize()
                    || state.queue.size() > 1 || now - batch.createdNanos >= lingerNanos || flushing > 0 || closing;
            if (!ready) {
                nextWake[0] = Math.min(nextWake[0], batch.createdNanos + lingerNanos);
                continue;
            }
            PartitionInfo info = view.partition(partition.topic(), partition.partition());
            if (info == null || info.offline() || metadata.connection(info.leader()) == null) {
                metadataStale = true;
                continue;
            }
            long size = batch.estimatedBytes;
            long already = bytesByLeader.getOrDefault(info.leader(), 0L);
            if (already > 0 && already + size > settings.maxRequestSize()) {
                continue; // the next request takes it
            }
            state.queue.pollFirst();
            batch.closedForAppend = true;
            if (settings.idempotent() && !batch.hasSequence()) {
                batch.assign(state.producerId, state.producerEpoch, state.nextSequence);
                state.nextSequence += batch.records.size();
            }
            batch.everSent = true;
            state.inFlight.addLast(batch);
            byLeader.computeIfAbsent(info.leader(), l -> new ArrayList<>()).add(batch);
            bytesByLeader.put(info.leader(), already + size);
        }
        List<Outgoing> outgoing = new ArrayList<>();
        for (Map.Entry<Integer, List<ProducerBatch>> entry : byLeader.entrySet()) {
            int leader = entry.getKey();
            BrokerStream stream = streams.get(leader);
            if (stream == null) {
                stream = new BrokerStream(leader, metadata.connection(leader));
                if (stream.closed) { // the stream failed as it opened (a closed channel): retry its batches
                    for (ProducerBatch batch : entry.getValue()) {
                        failed(batch, new NetworkException("no produce stream to broker " + leader, false, null),
                                completions);
                    }
                    continue;
                }
                streams.put(leader, stream);
            }
            Map<String, TopicProduceData.Builder> byTopic = new LinkedHashMap<>();
            for (ProducerBatch batch : entry.getValue()) {
                byTopic.computeIfAbsent(batch.partition.topic(), t -> TopicProduceData.newBuilder().setTopic(t))
                        .addPartitions(PartitionProduceData.newBuilder().setPartition(batch.partition.partition())
                                .setRecordBatch(ByteString.copyFrom(batch.encode(settings.compression()))));
            }
            ProduceRequest.Builder request = ProduceRequest.newBuilder().setAcks(settings.acks())
                    .setTimeoutMs((int) Math.min(Integer.MAX_VALUE, settings.requestTimeoutMs()));
            byTopic.values().forEach(request::addTopics);
            long correlation = stream.nextCorrelation++;
            stream.inFlight.put(correlation, new InFlightRequest(entry.getValue(), now));
            outgoing.add(new Outgoing(stream, ProduceStreamRequest.newBuilder().setCorrelationId(correlation)
                    .setRequest(request).build()));
        }
        return outgoing;
    }

    private void handleResponse(InFlightRequest request, ProduceStreamResponse response, List<Runnable> completions) {
        Map<TopicPartition, PartitionProduceResponse> results = new HashMap<>();
        for (TopicProduceResponse topic : response.getResponse().getTopicsList()) {
            for (PartitionProduceResponse partition : topic.getPartitionsList()) {
                results.put(new TopicPartition(topic.getTopic(), partition.getPartition()), partition);
            }
        }
        for (ProducerBatch batch : request.batches) {
            PartitionProduceResponse result = results.get(batch.partition);
            if (result == null) {
                failed(batch, new NetworkException("the answer did not mention " + batch.partition, true, null),
                        completions);
            } else if (result.getErrorCode() == ErrorCode.NONE
                    || result.getErrorCode() == ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
                PartitionState state = partitions.get(batch.partition);
                state.inFlight.remove(batch);
                succeed(batch, result, completions);
            } else {
                failed(batch, Errors.exception(result.getErrorCode(), result.getErrorMessage()), completions);
            }
        }
    }

    private void failStream(BrokerStream stream, BrookException error, List<Runnable> completions) {
        if (stream.closed) {
            return;
        }
        stream.closed = true;
        streams.remove(stream.brokerId, stream);
        metadataStale = true;
        List<InFlightRequest> requests = new ArrayList<>(stream.inFlight.values());
        stream.inFlight.clear();
        // Later sequences first back into the queues, so that each partition's front stays in order.
        for (InFlightRequest request : requests) {
            for (ProducerBatch batch : request.batches) {
                failed(batch, error, completions);
            }
        }
    }

    /** One attempt of {@code batch} failed with {@code error}: retry, reset or fail it. */
    private void failed(ProducerBatch batch, BrookException error, List<Runnable> completions) {
        PartitionState state = partitions.get(batch.partition);
        if (!state.inFlight.remove(batch)) {
            return; // already handled (a stream that failed after its answer came)
        }
        if (error.indeterminate()) {
            batch.maybeWritten = true;
        }
        ErrorCode code = error.errorCode();
        if (code == ErrorCode.NOT_LEADER_OR_FOLLOWER || code == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                || code == ErrorCode.LEADER_NOT_AVAILABLE || code == ErrorCode.FENCED_LEADER_EPOCH
                || code == ErrorCode.NETWORK_EXCEPTION) {
            metadataStale = true;
        }
        long now = clock.nanoseconds();
        boolean expired = now - batch.createdNanos >= TimeUnit.MILLISECONDS.toNanos(settings.deliveryTimeoutMs());
        if (settings.idempotent() && !expired) {
            if (code == ErrorCode.OUT_OF_ORDER_SEQUENCE && (state.resetPending || earlierRetryWaiting(state, batch))) {
                retry(state, batch, now);
                return;
            }
            if (code == ErrorCode.UNKNOWN_PRODUCER_ID || code == ErrorCode.INVALID_PRODUCER_EPOCH) {
                state.resetPending = true;
                retry(state, batch, now);
                return;
            }
        }
        if (error.retriable() && batch.attempts < settings.retries() && !expired) {
            retry(state, batch, now);
            return;
        }
        BrookException outcome = expired && error.retriable()
                ? new TimeoutException("the record was not acknowledged within delivery.timeout.ms ("
                        + settings.deliveryTimeoutMs() + " ms); last error: " + error.getMessage(), true, error)
                : batch.maybeWritten && !error.indeterminate()
                ? new TimeoutException("an earlier attempt got no answer, so the record may have been written; "
                        + "the last attempt failed: " + error.getMessage(), true, error)
                : error;
        fail(batch, outcome, completions);
        if (settings.idempotent()) {
            state.resetPending = true;
        }
    }

    private static boolean earlierRetryWaiting(PartitionState state, ProducerBatch batch) {
        for (ProducerBatch waiting : state.queue) {
            if (!waiting.hasSequence()) {
                return false;
            }
            if (waiting.baseSequence < batch.baseSequence) {
                return true;
            }
        }
        return false;
    }

    /** Puts {@code batch} back at the front of its queue, in sequence order among the retries. */
    private void retry(PartitionState state, ProducerBatch batch, long now) {
        batch.retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(backoff.delayMs(batch.attempts));
        batch.attempts++;
        if (!settings.idempotent()) {
            state.queue.addFirst(batch);
            return;
        }
        List<ProducerBatch> queued = new ArrayList<>(state.queue);
        ListIterator<ProducerBatch> it = queued.listIterator();
        while (it.hasNext()) {
            ProducerBatch next = it.next();
            if (!next.hasSequence() || next.baseSequence > batch.baseSequence) {
                it.previous();
                break;
            }
        }
        it.add(batch);
        state.queue.clear();
        state.queue.addAll(queued);
        // The batches queued behind a retry wait for it: make them due no earlier than it.
        for (ProducerBatch queuedBatch : state.queue) {
            if (queuedBatch.hasSequence() && queuedBatch.baseSequence > batch.baseSequence) {
                queuedBatch.retryAtNanos = Math.max(queuedBatch.retryAtNanos, batch.retryAtNanos);
            }
        }
    }

    private void succeed(ProducerBatch batch, PartitionProduceResponse result, List<Runnable> completions) {
        long base = settings.acks() == 0 ? -1 : result.getBaseOffset();
        long appendTime = result.getLogAppendTimeMs();
        String topic = batch.partition.topic();
        int partition = batch.partition.partition();
        List<ProducerBatch.Pending> records = batch.records;
        buffer.release(batch.reservedBytes);
        completions.add(() -> {
            for (int i = 0; i < records.size(); i++) {
                ProducerBatch.Pending record = records.get(i);
                RecordMetadata metadata = new RecordMetadata(topic, partition, base < 0 ? -1 : base + i,
                        appendTime >= 0 ? appendTime : record.timestamp());
                record.future().complete(metadata);
                callback(record, metadata, null);
            }
            batch.done.complete(null);
        });
    }

    private void fail(ProducerBatch batch, BrookException error, List<Runnable> completions) {
        buffer.release(batch.reservedBytes);
        List<ProducerBatch.Pending> records = batch.records;
        completions.add(() -> {
            for (ProducerBatch.Pending record : records) {
                record.future().completeExceptionally(error);
                callback(record, null, error);
            }
            batch.done.complete(null);
        });
    }

    private static void callback(ProducerBatch.Pending record, RecordMetadata metadata, Exception error) {
        if (record.callback() == null) {
            return;
        }
        try {
            record.callback().onCompletion(metadata, error);
        } catch (RuntimeException e) {
            log.error("Producer: a send callback threw", e);
        }
    }

    private static void run(List<Runnable> completions) {
        for (Runnable completion : completions) {
            completion.run();
        }
    }
}
