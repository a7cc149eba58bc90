package io.brook.broker.internal.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.FetchTopicResponse;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.Partition.FetchResult;
import io.brook.broker.internal.ReplicaManager;
import io.brook.storage.TopicPartition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer fetches for {@link BrokerGrpcService}: the long-poll {@code Fetch} (answered once
 * {@code min_bytes} are below the HW, on an error, or after {@code max_wait_ms}; a parked fetch
 * listens to its partitions) and {@code FetchStream} (sends what is newly committed while the
 * stream is ready).
 */
final class FetchHandler {
    private static final Logger log = LoggerFactory.getLogger(FetchHandler.class);
    /** Fits gRPC's default 4 MiB inbound limit of a client; a client asking for more raises its own. */
    static final int DEFAULT_FETCH_MAX_BYTES = 3 << 20;
    static final int DEFAULT_PARTITION_MAX_BYTES = 1 << 20;

    private final ReplicaManager replicas;
    private final ScheduledExecutorService timer;
    private final Executor executor;

    FetchHandler(ReplicaManager replicas, ScheduledExecutorService timer, Executor executor) {
        this.replicas = replicas;
        this.timer = timer;
        this.executor = executor;
    }

    void fetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
        new DelayedFetch(request, responses).start();
    }

    /** A partition of a fetch and where its next read starts. */
    private static final class Position {
        final String topic;
        final FetchPartition request;
        long offset;
        boolean done;

        Position(String topic, FetchPartition request) {
            this.topic = topic;
            this.request = request;
            this.offset = request.getFetchOffset();
        }
    }

    /** Reads every position once; returns the response and its size in bytes. */
    private FetchResponse readAll(List<Position> positions, int maxBytes, boolean advance) {
        Map<String, FetchTopicResponse.Builder> topics = new LinkedHashMap<>();
        int remaining = maxBytes <= 0 ? DEFAULT_FETCH_MAX_BYTES : maxBytes;
        for (Position position : positions) {
            if (position.done) {
                continue;
            }
            FetchPartition p = position.request;
            FetchPartitionResponse.Builder answer = FetchPartitionResponse.newBuilder().setPartition(p.getPartition());
            PartitionLocator.Located located = PartitionLocator.locate(replicas, position.topic, p.getPartition());
            if (located.partition() == null) {
                answer.setErrorCode(located.error()).setErrorMessage(located.message()).setHighWatermark(-1)
                        .setLogStartOffset(-1).setNextOffset(position.offset).setLeaderHint(located.leaderHint())
                        .setLeaderEpochHint(located.epochHint());
            } else if (remaining <= 0) {
                // The response is full: this partition's turn comes in the next fetch.
                answer.setErrorCode(ErrorCode.NONE).setHighWatermark(located.partition().highWatermark())
                        .setLogStartOffset(located.partition().log().logStartOffset()).setNextOffset(position.offset)
                        .setLeaderHint(-1).setLeaderEpochHint(-1);
            } else {
                int partitionMax = p.getPartitionMaxBytes() > 0 ? p.getPartitionMaxBytes() : DEFAULT_PARTITION_MAX_BYTES;
                FetchResult read = located.partition().read(position.offset, Math.min(partitionMax, remaining),
                        p.getCurrentLeaderEpoch());
                answer.setErrorCode(read.error()).setErrorMessage(read.message()).setHighWatermark(read.highWatermark())
                        .setLogStartOffset(read.logStartOffset()).setNextOffset(read.error() == ErrorCode.NONE
                                ? read.nextOffset() : position.offset)
                        .setLeaderHint(read.leaderHint()).setLeaderEpochHint(read.leaderEpochHint());
                if (read.sizeInBytes() > 0) {
                    answer.setRecordBatches(UnsafeByteOperations.unsafeWrap(read.records()));
                    remaining -= read.sizeInBytes();
                }
                if (advance && read.error() == ErrorCode.NONE) {
                    position.offset = read.nextOffset();
                }
            }
            if (advance && answer.getErrorCode() != ErrorCode.NONE) {
                position.done = true; // a stream drops a partition it cannot serve (the client re-subscribes)
            }
            topics.computeIfAbsent(position.topic, t -> FetchTopicResponse.newBuilder().setTopic(t)).addPartitions(answer);
        }
        FetchResponse.Builder response = FetchResponse.newBuilder();
        topics.values().forEach(response::addTopics);
        return response.build();
    }

    private static int bytesOf(FetchResponse response) {
        int bytes = 0;
        for (FetchTopicResponse t : response.getTopicsList()) {
            for (FetchPartitionResponse p : t.getPartitionsList()) {
                bytes += p.getRecordBatches().size();
            }
        }
        return bytes;
    }

    private static boolean hasError(FetchResponse response) {
        for (FetchTopicResponse t : response.getTopicsList()) {
            for (FetchPartitionResponse p : t.getPartitionsList()) {
                if (p.getErrorCode() != ErrorCode.NONE) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Position> positionsOf(FetchRequest request) {
        List<Position> positions = new ArrayList<>();
        for (FetchTopic topic : request.getTopicsList()) {
            for (FetchPartition p : topic.getPartitionsList()) {
                positions.add(new Position(topic.getTopic(), p));
            }
        }
        return positions;
    }

    private List<Partition> localPartitions(List<Position> positions) {
        List<Partition> local = new ArrayList<>();
        for (Position p : positions) {
            try {
                replicas.partition(new TopicPartition(p.topic, p.request.getPartition())).ifPresent(local::add);
            } catch (IllegalArgumentException ignored) {
                // answered with an error
            }
        }
        return local;
    }

    /** A long-poll fetch: answered once min_bytes are there, on an error, or after max_wait_ms. */
    private final class DelayedFetch implements Partition.Listener {
        private final FetchRequest request;
        private final StreamObserver<FetchResponse> responses;
        private final List<Position> positions;
        private final AtomicBoolean answered = new AtomicBoolean();
        private final AtomicBoolean checkScheduled = new AtomicBoolean();
        private List<Partition> watched = List.of();
        private ScheduledFuture<?> timeout;

        DelayedFetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
            this.request = request;
            this.responses = responses;
            this.positions = positionsOf(request);
        }

        void start() {
            FetchResponse response = readAll(positions, request.getMaxBytes(), false);
            if (request.getMaxWaitMs() <= 0 || bytesOf(response) >= Math.max(1, request.getMinBytes())
                    || hasError(response)) {
                answer(response);
                return;
            }
            watched = localPartitions(positions);
            watched.forEach(p -> p.addListener(this));
            timeout = timer.schedule(() -> executor.execute(() -> answer(readAll(positions, request.getMaxBytes(),
                    false))), request.getMaxWaitMs(), TimeUnit.MILLISECONDS);
            onPartitionChange(null); // an append may have raced the registration
        }

        @Override
        public void onPartitionChange(Partition partition) {
            if (answered.get() || !checkScheduled.compareAndSet(false, true)) {
                return;
            }
            executor.execute(() -> {
                checkScheduled.set(false);
                if (answered.get()) {
                    return;
                }
                FetchResponse response = readAll(positions, request.getMaxBytes(), false);
                if (bytesOf(response) >= Math.max(1, request.getMinBytes()) || hasError(response)) {
                    answer(response);
                }
            });
        }

        private void answer(FetchResponse response) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            watched.forEach(p -> p.removeListener(this));
            if (timeout != null) {
                timeout.cancel(false);
            }
            try {
                responses.onNext(response);
                responses.onCompleted();
            } catch (RuntimeException e) {
                log.debug("A fetch answer could not be sent: {}", e.toString());
            }
        }
    }

    void fetchStream(FetchRequest request, StreamObserver<FetchResponse> responses) {
        ServerCallStreamObserver<FetchResponse> out = (ServerCallStreamObserver<FetchResponse>) responses;
        FetchStreamSession session = new FetchStreamSession(request, out);
        out.setOnReadyHandler(session::wake);
        out.setOnCancelHandler(session::end);
        session.start();
    }

    /**
     * A continuing fetch: sends whatever is newly committed for its partitions, continuing from
     * the positions it sent, while the stream is ready (gRPC flow control); a partition with an
     * error is sent once and dropped; the stream ends when none is left.
     */
    private final class FetchStreamSession implements Partition.Listener {
        private final FetchRequest request;
        private final ServerCallStreamObserver<FetchResponse> out;
        private final List<Position> positions;
        private final SerialExecutor serial;
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private List<Partition> watched = List.of();
        private boolean ended;

        FetchStreamSession(FetchRequest request, ServerCallStreamObserver<FetchResponse> out) {
            this.request = request;
            this.out = out;
            this.positions = positionsOf(request);
            this.serial = new SerialExecutor(executor);
        }

        void start() {
            watched = localPartitions(positions);
            watched.forEach(p -> p.addListener(this));
            wake();
        }

        @Override
        public void onPartitionChange(Partition partition) {
            wake();
        }

        void wake() {
            if (scheduled.compareAndSet(false, true)) {
                serial.execute(() -> {
                    scheduled.set(false);
                    pump();
                });
            }
        }

        private void pump() {
            try {
                while (!ended && out.isReady()) {
                    FetchResponse response = readAll(positions, request.getMaxBytes(), true);
                    if (bytesOf(response) == 0 && !hasError(response)) {
                        return;
                    }
                    out.onNext(response);
                    if (positions.stream().allMatch(p -> p.done)) {
                        end();
                        out.onCompleted();
                    }
                }
            } catch (RuntimeException e) {
                log.debug("A fetch stream failed: {}", e.toString());
                end();
            }
        }

        void end() {
            ended = true;
            watched.forEach(p -> p.removeListener(this));
        }
    }
}
