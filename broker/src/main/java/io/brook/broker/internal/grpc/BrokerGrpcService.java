package io.brook.broker.internal.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchPartition;
import io.brook.api.v1.FetchPartitionResponse;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
import io.brook.api.v1.FetchTopic;
import io.brook.api.v1.FetchTopicResponse;
import io.brook.api.v1.InitProducerIdRequest;
import io.brook.api.v1.InitProducerIdResponse;
import io.brook.api.v1.ListOffsetsPartition;
import io.brook.api.v1.ListOffsetsPartitionResponse;
import io.brook.api.v1.ListOffsetsRequest;
import io.brook.api.v1.ListOffsetsResponse;
import io.brook.api.v1.ListOffsetsTopic;
import io.brook.api.v1.ListOffsetsTopicResponse;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.ProduceResponse;
import io.brook.api.v1.ProduceStreamRequest;
import io.brook.api.v1.ProduceStreamResponse;
import io.brook.api.v1.TopicProduceData;
import io.brook.api.v1.TopicProduceResponse;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.Partition.FetchResult;
import io.brook.broker.internal.Partition.ProduceResult;
import io.brook.broker.internal.ProducerIds;
import io.brook.broker.internal.ReplicaManager;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.storage.CompressionType;
import io.brook.storage.Header;
import io.brook.storage.RecordBatchBuilder;
import io.brook.storage.TopicPartition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public data plane ({@code brook.v1.BrokerService}): metadata from the broker's image,
 * produce to the partitions this broker leads, long-poll and streaming fetch below the HW, list
 * offsets, and producer ids. Per-partition outcomes carry an {@link ErrorCode} and a message; a
 * gRPC error status only means the call itself failed.
 */
final class BrokerGrpcService extends BrokerServiceGrpc.BrokerServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(BrokerGrpcService.class);
    static final int DEFAULT_PRODUCE_TIMEOUT_MS = 30_000;
    /** Fits gRPC's default 4 MiB inbound limit of a client; a client asking for more raises its own. */
    static final int DEFAULT_FETCH_MAX_BYTES = 3 << 20;
    static final int DEFAULT_PARTITION_MAX_BYTES = 1 << 20;

    private final ReplicaManager replicas;
    private final ProducerIds producerIds;
    private final String clusterId;
    private final IntSupplier controllerId;
    private final String listenerName;
    private final LongSupplier wallClock;
    private final ScheduledExecutorService timer;
    private final Executor executor;

    BrokerGrpcService(ReplicaManager replicas, ProducerIds producerIds, String clusterId, IntSupplier controllerId,
            String listenerName, LongSupplier wallClock, ScheduledExecutorService timer, Executor executor) {
        this.replicas = replicas;
        this.producerIds = producerIds;
        this.clusterId = clusterId;
        this.controllerId = controllerId;
        this.listenerName = listenerName;
        this.wallClock = wallClock;
        this.timer = timer;
        this.executor = executor;
    }

    // ------------------------------------------------------------------------------ metadata

    @Override
    public void getMetadata(MetadataRequest request, StreamObserver<MetadataResponse> responses) {
        responses.onNext(MetadataResponses.metadata(replicas.image(), clusterId, controllerId.getAsInt(),
                request.getTopicsList(), listenerName));
        responses.onCompleted();
    }

    // ------------------------------------------------------------------------------- produce

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> responses) {
        if (request.getAcks() == 0) {
            // acks=0: nobody waits for the outcome; answer first, then append.
            responses.onNext(acceptedWithoutAcks(request));
            responses.onCompleted();
            handleProduce(request);
            return;
        }
        handleProduce(request).whenComplete((response, error) -> {
            if (error != null) {
                log.error("Produce failed unexpectedly", error);
                responses.onError(Status.INTERNAL.withDescription(error.toString()).asRuntimeException());
            } else {
                responses.onNext(response);
                responses.onCompleted();
            }
        });
    }

    @Override
    public StreamObserver<ProduceStreamRequest> produceStream(StreamObserver<ProduceStreamResponse> responses) {
        return new StreamObserver<>() {
            private int pending;
            private boolean halfClosed;
            private boolean closed;

            @Override
            public void onNext(ProduceStreamRequest request) {
                // Appended here, in the order sent (the call's inbound messages are serialized);
                // answered whenever each completes.
                ProduceRequest produce = request.getRequest();
                synchronized (this) {
                    pending++;
                }
                CompletableFuture<ProduceResponse> done;
                if (produce.getAcks() == 0) {
                    done = CompletableFuture.completedFuture(acceptedWithoutAcks(produce));
                    handleProduce(produce);
                } else {
                    done = handleProduce(produce);
                }
                done.whenComplete((response, error) -> {
                    synchronized (this) {
                        pending--;
                        if (closed) {
                            return;
                        }
                        if (error != null) {
                            log.error("Produce failed unexpectedly", error);
                            closed = true;
                            responses.onError(Status.INTERNAL.withDescription(error.toString()).asRuntimeException());
                            return;
                        }
                        responses.onNext(ProduceStreamResponse.newBuilder().setCorrelationId(request.getCorrelationId())
                                .setResponse(response).build());
                        maybeClose();
                    }
                });
            }

            private void maybeClose() {
                if (halfClosed && pending == 0 && !closed) {
                    closed = true;
                    responses.onCompleted();
                }
            }

            @Override
            public synchronized void onError(Throwable t) {
                closed = true; // the client went away; what was appended stays appended
            }

            @Override
            public synchronized void onCompleted() {
                halfClosed = true;
                maybeClose();
            }
        };
    }

    private ProduceResponse acceptedWithoutAcks(ProduceRequest request) {
        ProduceResponse.Builder response = ProduceResponse.newBuilder();
        for (TopicProduceData topic : request.getTopicsList()) {
            TopicProduceResponse.Builder t = TopicProduceResponse.newBuilder().setTopic(topic.getTopic());
            for (PartitionProduceData p : topic.getPartitionsList()) {
                t.addPartitions(PartitionProduceResponse.newBuilder().setPartition(p.getPartition())
                        .setErrorCode(ErrorCode.NONE).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1)
                        .setLeaderHint(-1).setLeaderEpochHint(-1));
            }
            response.addTopics(t);
        }
        return response.build();
    }

    private CompletableFuture<ProduceResponse> handleProduce(ProduceRequest request) {
        int acks = request.getAcks();
        long timeoutMs = request.getTimeoutMs() > 0 ? request.getTimeoutMs() : DEFAULT_PRODUCE_TIMEOUT_MS;
        List<String> topics = new ArrayList<>();
        List<List<Integer>> partitionIds = new ArrayList<>();
        List<List<CompletableFuture<ProduceResult>>> results = new ArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (TopicProduceData topic : request.getTopicsList()) {
            topics.add(topic.getTopic());
            List<Integer> ids = new ArrayList<>();
            List<CompletableFuture<ProduceResult>> futures = new ArrayList<>();
            for (PartitionProduceData data : topic.getPartitionsList()) {
                CompletableFuture<ProduceResult> result;
                if (acks != -1 && acks != 0 && acks != 1) {
                    result = CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.INVALID_REQUIRED_ACKS,
                            "acks must be -1 (all), 0 or 1, not " + acks, -1, -1));
                } else {
                    result = producePartition(topic.getTopic(), data, acks, timeoutMs);
                }
                ids.add(data.getPartition());
                futures.add(result);
                all.add(result);
            }
            partitionIds.add(ids);
            results.add(futures);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            ProduceResponse.Builder response = ProduceResponse.newBuilder();
            for (int t = 0; t < topics.size(); t++) {
                TopicProduceResponse.Builder topic = TopicProduceResponse.newBuilder().setTopic(topics.get(t));
                for (int p = 0; p < partitionIds.get(t).size(); p++) {
                    ProduceResult r = results.get(t).get(p).join();
                    topic.addPartitions(PartitionProduceResponse.newBuilder().setPartition(partitionIds.get(t).get(p))
                            .setErrorCode(r.error()).setErrorMessage(r.message()).setBaseOffset(r.baseOffset())
                            .setLogAppendTimeMs(r.logAppendTimeMs()).setLogStartOffset(r.logStartOffset())
                            .setLeaderHint(r.leaderHint()).setLeaderEpochHint(r.leaderEpochHint()));
                }
                response.addTopics(topic);
            }
            return response.build();
        });
    }

    private CompletableFuture<ProduceResult> producePartition(String topic, PartitionProduceData data, int acks,
            long timeoutMs) {
        Located located = locate(topic, data.getPartition());
        if (located.partition == null) {
            return CompletableFuture.completedFuture(ProduceResult.error(located.error, located.message,
                    located.leaderHint, located.epochHint));
        }
        ByteBuffer batch;
        switch (data.getPayloadCase()) {
            case RECORD_BATCH -> batch = ByteBuffer.wrap(data.getRecordBatch().toByteArray()); // appended in place
            case RECORDS -> {
                try {
                    batch = buildBatch(data.getRecords());
                } catch (RuntimeException e) {
                    return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.INVALID_RECORD,
                            topic + "-" + data.getPartition() + ": the records cannot form a batch: " + e.getMessage(),
                            -1, -1));
                }
            }
            default -> {
                return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.INVALID_REQUEST,
                        topic + "-" + data.getPartition() + ": the request has neither record_batch nor records",
                        -1, -1));
            }
        }
        return located.partition.append(batch, acks, timeoutMs);
    }

    private ByteBuffer buildBatch(io.brook.api.v1.RecordList list) {
        if (list.getRecordsCount() == 0) {
            throw new IllegalArgumentException("no records");
        }
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
        if (list.getProducerId() >= 0) {
            builder.producer(list.getProducerId(), (short) list.getProducerEpoch(), list.getBaseSequence());
        }
        long now = wallClock.getAsLong();
        for (io.brook.api.v1.Record record : list.getRecordsList()) {
            List<Header> headers = new ArrayList<>(record.getHeadersCount());
            for (io.brook.api.v1.Header h : record.getHeadersList()) {
                headers.add(new Header(h.getKey(), h.hasValue() ? h.getValue().asReadOnlyByteBuffer() : null));
            }
            builder.append(record.getTimestampMs() > 0 ? record.getTimestampMs() : now,
                    record.hasKey() ? record.getKey().toByteArray() : null,
                    record.hasValue() ? record.getValue().toByteArray() : null, headers);
        }
        return builder.build();
    }

    /** A partition this broker hosts, or why a request for it cannot be served here. */
    private record Located(Partition partition, ErrorCode error, String message, int leaderHint, int epochHint) {}

    private Located locate(String topic, int partitionId) {
        TopicPartition tp;
        try {
            tp = new TopicPartition(topic, partitionId);
        } catch (IllegalArgumentException e) {
            return new Located(null, ErrorCode.INVALID_TOPIC_EXCEPTION, e.getMessage(), -1, -1);
        }
        Optional<Partition> local = replicas.partition(tp);
        if (local.isPresent()) {
            return new Located(local.get(), ErrorCode.NONE, "", -1, -1);
        }
        MetadataImage image = replicas.image();
        TopicImage topicImage = image.topics().topic(topic);
        if (topicImage == null) {
            return new Located(null, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist",
                    -1, -1);
        }
        PartitionRegistration registration = topicImage.partition(partitionId);
        if (registration == null) {
            return new Located(null, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' has "
                    + topicImage.partitionCount() + " partitions; there is no partition " + partitionId, -1, -1);
        }
        return new Located(null, ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + replicas.brokerId()
                + " has no replica of " + tp + (registration.hasLeader() ? "; broker " + registration.leader()
                + " leads it" : "; it has no leader now"), registration.leader(), registration.leaderEpoch());
    }

    // --------------------------------------------------------------------------------- fetch

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
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
            Located located = locate(position.topic, p.getPartition());
            if (located.partition == null) {
                answer.setErrorCode(located.error).setErrorMessage(located.message).setHighWatermark(-1)
                        .setLogStartOffset(-1).setNextOffset(position.offset).setLeaderHint(located.leaderHint)
                        .setLeaderEpochHint(located.epochHint);
            } else if (remaining <= 0) {
                // The response is full: this partition's turn comes in the next fetch.
                answer.setErrorCode(ErrorCode.NONE).setHighWatermark(located.partition.highWatermark())
                        .setLogStartOffset(located.partition.log().logStartOffset()).setNextOffset(position.offset)
                        .setLeaderHint(-1).setLeaderEpochHint(-1);
            } else {
                int partitionMax = p.getPartitionMaxBytes() > 0 ? p.getPartitionMaxBytes() : DEFAULT_PARTITION_MAX_BYTES;
                FetchResult read = located.partition.read(position.offset, Math.min(partitionMax, remaining),
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

    @Override
    public void fetchStream(FetchRequest request, StreamObserver<FetchResponse> responses) {
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

    // -------------------------------------------------------------------------- list offsets

    @Override
    public void listOffsets(ListOffsetsRequest request, StreamObserver<ListOffsetsResponse> responses) {
        ListOffsetsResponse.Builder response = ListOffsetsResponse.newBuilder();
        for (ListOffsetsTopic topic : request.getTopicsList()) {
            ListOffsetsTopicResponse.Builder t = ListOffsetsTopicResponse.newBuilder().setTopic(topic.getTopic());
            for (ListOffsetsPartition p : topic.getPartitionsList()) {
                ListOffsetsPartitionResponse.Builder answer = ListOffsetsPartitionResponse.newBuilder()
                        .setPartition(p.getPartition()).setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
                Located located = locate(topic.getTopic(), p.getPartition());
                if (located.partition == null) {
                    answer.setErrorCode(located.error).setErrorMessage(located.message);
                } else {
                    Partition.OffsetAnswer found = located.partition.listOffset(p.getTimestamp(),
                            p.getCurrentLeaderEpoch());
                    answer.setErrorCode(found.error()).setErrorMessage(found.message()).setOffset(found.offset())
                            .setTimestamp(found.timestamp()).setLeaderEpoch(found.leaderEpoch());
                }
                t.addPartitions(answer);
            }
            response.addTopics(t);
        }
        responses.onNext(response.build());
        responses.onCompleted();
    }

    // ---------------------------------------------------------------------------- producer ids

    @Override
    public void initProducerId(InitProducerIdRequest request, StreamObserver<InitProducerIdResponse> responses) {
        CompletableFuture<InitProducerIdResponse> answer;
        if (!request.getTransactionalId().isEmpty()) {
            answer = CompletableFuture.completedFuture(InitProducerIdResponse.newBuilder()
                    .setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage("transactions are not supported yet; "
                            + "leave transactional_id empty").setProducerId(-1).setProducerEpoch(-1).build());
        } else if (request.getProducerId() >= 0) {
            if (request.getProducerEpoch() < 0 || request.getProducerEpoch() >= Short.MAX_VALUE) {
                answer = CompletableFuture.completedFuture(InitProducerIdResponse.newBuilder()
                        .setErrorCode(ErrorCode.INVALID_PRODUCER_EPOCH).setErrorMessage("producer epoch "
                                + request.getProducerEpoch() + " cannot be bumped; ask for a new producer id")
                        .setProducerId(-1).setProducerEpoch(-1).build());
            } else {
                answer = CompletableFuture.completedFuture(InitProducerIdResponse.newBuilder()
                        .setErrorCode(ErrorCode.NONE).setProducerId(request.getProducerId())
                        .setProducerEpoch(request.getProducerEpoch() + 1).build());
            }
        } else {
            answer = producerIds.next().handle((id, error) -> error == null
                    ? InitProducerIdResponse.newBuilder().setErrorCode(ErrorCode.NONE).setProducerId(id)
                            .setProducerEpoch(0).build()
                    : InitProducerIdResponse.newBuilder().setErrorCode(ErrorCode.COORDINATOR_NOT_AVAILABLE)
                            .setErrorMessage("no producer id block from the controllers: " + error.getMessage())
                            .setProducerId(-1).setProducerEpoch(-1).build());
        }
        answer.whenComplete((response, error) -> {
            responses.onNext(response);
            responses.onCompleted();
        });
    }
}
