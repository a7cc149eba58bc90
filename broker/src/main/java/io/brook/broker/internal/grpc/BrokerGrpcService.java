package io.brook.broker.internal.grpc;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Header;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.FetchRequest;
import io.brook.api.v1.FetchResponse;
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
import io.brook.broker.internal.Partition.ProduceResult;
import io.brook.broker.internal.ProducerIds;
import io.brook.broker.internal.ReplicaManager;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
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

    private final ReplicaManager replicas;
    private final ProducerIds producerIds;
    private final String clusterId;
    private final IntSupplier controllerId;
    private final String listenerName;
    private final LongSupplier wallClock;
    private final FetchHandler fetches;

    BrokerGrpcService(ReplicaManager replicas, ProducerIds producerIds, String clusterId, IntSupplier controllerId,
            String listenerName, LongSupplier wallClock, ScheduledExecutorService timer, Executor executor) {
        this.replicas = replicas;
        this.producerIds = producerIds;
        this.clusterId = clusterId;
        this.controllerId = controllerId;
        this.listenerName = listenerName;
        this.wallClock = wallClock;
        this.fetches = new FetchHandler(replicas, timer, executor);
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
        if (topic.equals(io.brook.broker.internal.groups.GroupCoordinatorRuntime.TOPIC)) {
            return CompletableFuture.completedFuture(ProduceResult.error(ErrorCode.INVALID_TOPIC_EXCEPTION, topic
                    + " is internal: only the group coordinators write to it (commit offsets through the group API)",
                    -1, -1));
        }
        PartitionLocator.Located located = PartitionLocator.locate(replicas, topic, data.getPartition());
        if (located.partition() == null) {
            return CompletableFuture.completedFuture(ProduceResult.error(located.error(), located.message(),
                    located.leaderHint(), located.epochHint()));
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
        return located.partition().append(batch, acks, timeoutMs);
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

    // --------------------------------------------------------------------------------- fetch

    @Override
    public void fetch(FetchRequest request, StreamObserver<FetchResponse> responses) {
        fetches.fetch(request, responses);
    }

    @Override
    public void fetchStream(FetchRequest request, StreamObserver<FetchResponse> responses) {
        fetches.fetchStream(request, responses);
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
                PartitionLocator.Located located = PartitionLocator.locate(replicas, topic.getTopic(), p.getPartition());
                if (located.partition() == null) {
                    answer.setErrorCode(located.error()).setErrorMessage(located.message());
                } else {
                    Partition.OffsetAnswer found = located.partition().listOffset(p.getTimestamp(),
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
