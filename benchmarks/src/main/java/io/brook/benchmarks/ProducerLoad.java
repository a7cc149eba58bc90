package io.brook.benchmarks;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.ProduceStreamRequest;
import io.brook.api.v1.ProduceStreamResponse;
import io.brook.api.v1.TopicProduceData;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop producer over the public gRPC API, shaped like a Kafka producer with
 * {@code batch.size=16384} and {@code max.in.flight.requests.per.connection=5}: for each partition
 * one {@code ProduceStream} call to its leader that keeps {@code inFlight} batches outstanding; each
 * answer sends the next batch at once. Every batch is built here with {@link RecordBatchBuilder}
 * (uncompressed, no key, current timestamps, not idempotent) from a pool of random values and sent
 * as {@code record_batch}. Latency is per batch, from just before the request is handed to gRPC
 * to its answer.
 *
 * <p>Thread-safe: answers arrive on gRPC's threads; {@link #takeWindow} may be called from any
 * thread. Lifecycle: {@link #start}, any number of {@link #takeWindow}, then {@link #stopAndDrain}.
 */
final class ProducerLoad {
    private static final io.brook.common.Clock CLOCK = io.brook.common.Clock.system();

    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(120);

    private final String topic;
    private final int acks;
    private final int timeoutMs;
    private final int inFlight;
    private final int recordsPerBatch;
    private final byte[][] values;
    private final List<PartitionStream> streams = new ArrayList<>();
    private volatile boolean sending = true;

    private final Recorder latencies = new Recorder(MAX_LATENCY_MICROS, 3);
    private final LongAdder ackedBatches = new LongAdder();
    private final LongAdder ackedRecords = new LongAdder();
    private final LongAdder ackedBytes = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder totalAckedBytes = new LongAdder();
    private long windowStartNanos;

    /** What was acknowledged in one window. */
    record Window(double seconds, long batches, long records, long bytes, Histogram latencyMicros,
            Map<String, Long> errors) {
        double recordsPerSecond() {
            return records / seconds;
        }

        /** Batch bytes (headers included) per second, in 10^6 bytes. */
        double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }

        double latencyMs(double percentile) {
            return latencyMicros.getTotalCount() == 0 ? Double.NaN
                    : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        double maxLatencyMs() {
            return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1000.0;
        }
    }

    /**
     * @param leaderChannel the channel to the leader of each partition {@code 0 .. partitions-1}
     */
    ProducerLoad(String topic, int partitions, IntFunction<Channel> leaderChannel, int acks, int timeoutMs,
            int inFlight, int recordsPerBatch, int recordBytes, long seed) {
        this.topic = topic;
        this.acks = acks;
        this.timeoutMs = timeoutMs;
        this.inFlight = inFlight;
        this.recordsPerBatch = recordsPerBatch;
        Random random = new Random(seed);
        this.values = new byte[257][recordBytes];
        for (byte[] value : values) {
            random.nextBytes(value);
        }
        for (int p = 0; p < partitions; p++) {
            streams.add(new PartitionStream(p, leaderChannel.apply(p)));
        }
    }

    void start() {
        windowStartNanos = System.nanoTime();
        for (PartitionStream stream : streams) {
            stream.open();
        }
    }

    /** Batch bytes acknowledged since the start. */
    long totalAckedBytes() {
        return totalAckedBytes.sum();
    }

    /** What was acknowledged since the previous window (or the start), and starts the next window. */
    synchronized Window takeWindow() {
        Histogram histogram = latencies.getIntervalHistogram();
        long now = System.nanoTime();
        double seconds = (now - windowStartNanos) / 1e9;
        windowStartNanos = now;
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> {
            long n = v.sumThenReset();
            if (n > 0) {
                errorCounts.put(k, n);
            }
        });
        return new Window(seconds, ackedBatches.sumThenReset(), ackedRecords.sumThenReset(),
                ackedBytes.sumThenReset(), histogram, errorCounts);
    }

    /**
     * Sends no new batch and waits up to {@code waitMs} for the outstanding ones; returns how
     * many were never answered.
     */
    long stopAndDrain(long waitMs) throws InterruptedException {
        sending = false;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (PartitionStream stream : streams) {
            stream.finishIfIdle();
            done.add(stream.done);
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // counted below
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        long unanswered = 0;
        for (PartitionStream stream : streams) {
            unanswered += stream.outstanding();
            stream.cancel();
        }
        return unanswered;
    }

    private void countError(String what) {
        errors.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    private record Sent(long nanos, int bytes, int records) {}

    /** One partition's ProduceStream call. */
    private final class PartitionStream implements ClientResponseObserver<ProduceStreamRequest, ProduceStreamResponse> {
        private final int partition;
        private final Channel channel;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        // Guarded by this.
        private final Map<Long, Sent> sent = new HashMap<>();
        private ClientCallStreamObserver<ProduceStreamRequest> call;
        private long nextCorrelationId;
        private int nextValue;
        private boolean finished;

        PartitionStream(int partition, Channel channel) {
            this.partition = partition;
            this.channel = channel;
        }

        void open() {
            BrokerServiceGrpc.newStub(channel).produceStream(this);
            synchronized (this) {
                for (int i = 0; i < inFlight; i++) {
                    sendNext();
                }
            }
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ProduceStreamRequest> requestStream) {
            this.call = requestStream;
        }

        /** Under the lock. */
        private void sendNext() {
            RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
            long now = CLOCK.milliseconds(); // record create times
            for (int i = 0; i < recordsPerBatch; i++) {
                builder.append(now, null, values[nextValue]);
                nextValue = (nextValue + 1) % values.length;
            }
            ByteBuffer batch = builder.build();
            int bytes = batch.remaining();
            ByteString payload = UnsafeByteOperations.unsafeWrap(batch);
            long id = nextCorrelationId++;
            ProduceStreamRequest request = ProduceStreamRequest.newBuilder().setCorrelationId(id)
                    .setRequest(ProduceRequest.newBuilder().setAcks(acks).setTimeoutMs(timeoutMs)
                            .addTopics(TopicProduceData.newBuilder().setTopic(topic).addPartitions(
                                    PartitionProduceData.newBuilder().setPartition(partition).setRecordBatch(payload))))
                    .build();
            sent.put(id, new Sent(System.nanoTime(), bytes, recordsPerBatch));
            call.onNext(request);
        }

        @Override
        public void onNext(ProduceStreamResponse response) {
            long now = System.nanoTime();
            synchronized (this) {
                Sent s = sent.remove(response.getCorrelationId());
                if (s == null) {
                    countError("answer with an unknown correlation id");
                } else {
                    PartitionProduceResponse answer = response.getResponse().getTopics(0).getPartitions(0);
                    if (answer.getErrorCode() == ErrorCode.NONE) {
                        latencies.recordValue(Math.min(MAX_LATENCY_MICROS, (now - s.nanos()) / 1000));
                        ackedBatches.increment();
                        ackedRecords.add(s.records());
                        ackedBytes.add(s.bytes());
                        totalAckedBytes.add(s.bytes());
                    } else {
                        countError(answer.getErrorCode().name());
                    }
                }
                if (sending && !finished) {
                    sendNext();
                } else {
                    finishIfIdleLocked();
                }
            }
        }

        void finishIfIdle() {
            synchronized (this) {
                finishIfIdleLocked();
            }
        }

        private void finishIfIdleLocked() {
            // Half-close only when nothing is outstanding: the broker ends the response stream as
            // soon as the client half-closes, and answers still pending then are never sent
            // (seen 2026-12-01: 5 acks=all batches sent, then onCompleted -> 0 answers, 5 appended).
            if (sent.isEmpty() && !finished) {
                finished = true;
                call.onCompleted();
            }
        }

        synchronized int outstanding() {
            return sent.size();
        }

        void cancel() {
            synchronized (this) {
                if (!done.isDone()) {
                    call.cancel("benchmark over", null);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                finished = true;
                if (!(Status.fromThrowable(t).getCode() == Status.Code.CANCELLED && !sending)) {
                    countError("stream failed: " + Status.fromThrowable(t));
                }
            }
            done.complete(null);
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }
    }
}
