package io.brook.broker.internal.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.brook.api.internal.replication.EpochAnswer;
import io.brook.api.internal.replication.EpochQuery;
import io.brook.api.internal.replication.FollowerMessage;
import io.brook.api.internal.replication.LeaderMessage;
import io.brook.api.internal.replication.OffsetForLeaderEpochRequest;
import io.brook.api.internal.replication.OffsetForLeaderEpochResponse;
import io.brook.api.internal.replication.PartitionData;
import io.brook.api.internal.replication.ReplicaPosition;
import io.brook.api.internal.replication.ReplicationServiceGrpc;
import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.Partition.LeaderView;
import io.brook.broker.internal.Partition.ReplicaError;
import io.brook.broker.internal.ReplicaManager;
import io.brook.storage.ReadResult;
import io.brook.storage.TopicPartition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader side of replication: one {@link FollowerSession} per follower broker's stream. The
 * session pushes each followed partition's records from the position of the follower's latest
 * reset as soon as the leader appends them (a partition listener wakes it), and the HW whenever
 * it moves; positions coming back are acknowledgements the leader's HW counts. One push with
 * records is outstanding per follower at a time: while the follower applies and fsyncs it, what
 * the leader appends meanwhile gathers into the next push, so one follower fsync covers many
 * batches (as one Kafka fetch response does). Sending also stops while the stream is not ready
 * (gRPC flow control: HTTP/2 windows), so a slow follower holds at most a window of the leader's
 * memory; inbound messages are requested one at a time.
 */
final class ReplicationGrpcService extends ReplicationServiceGrpc.ReplicationServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(ReplicationGrpcService.class);
    /** Records per partition in one push, and per message over all partitions (about). */
    static final int PARTITION_MAX_BYTES = 1 << 20;
    static final int MESSAGE_MAX_BYTES = 4 << 20;
    /** What a follower accepts in one push: a message, overshooting by whole batches up to max.message.bytes. */
    static final int FOLLOWER_MAX_INBOUND_BYTES = 256 << 20;

    private final ReplicaManager replicas;
    private final Executor executor;

    ReplicationGrpcService(ReplicaManager replicas, Executor executor) {
        this.replicas = replicas;
        this.executor = executor;
    }

    @Override
    public void offsetForLeaderEpoch(OffsetForLeaderEpochRequest request,
            StreamObserver<OffsetForLeaderEpochResponse> responses) {
        OffsetForLeaderEpochResponse.Builder answer = OffsetForLeaderEpochResponse.newBuilder();
        for (EpochQuery query : request.getQueriesList()) {
            EpochAnswer.Builder a = EpochAnswer.newBuilder().setTopic(query.getTopic()).setPartition(query.getPartition())
                    .setLeaderEpoch(-1).setEndOffset(-1);
            Optional<Partition> partition = find(query.getTopic(), query.getPartition());
            if (partition.isEmpty()) {
                a.setErrorCode(ErrorCode.NOT_LEADER_OR_FOLLOWER).setErrorMessage("broker " + replicas.brokerId()
                        + " has no replica of " + query.getTopic() + "-" + query.getPartition());
            } else {
                Partition.EpochAnswer end = partition.get().epochEnd(request.getReplicaId(),
                        query.getCurrentLeaderEpoch(), query.getLeaderEpoch());
                a.setErrorCode(end.error().error()).setErrorMessage(end.error().message())
                        .setLeaderEpoch(end.end().epoch()).setEndOffset(end.end().endOffset());
            }
            answer.addAnswers(a);
        }
        responses.onNext(answer.build());
        responses.onCompleted();
    }

    @Override
    public StreamObserver<FollowerMessage> replicate(StreamObserver<LeaderMessage> responses) {
        ServerCallStreamObserver<LeaderMessage> out = (ServerCallStreamObserver<LeaderMessage>) responses;
        FollowerSession session = new FollowerSession(out, new SerialExecutor(executor));
        out.disableAutoRequest();
        out.setOnReadyHandler(session::wakeUp);
        out.setOnCancelHandler(session::end);
        out.request(1);
        return session;
    }

    private Optional<Partition> find(String topic, int partition) {
        try {
            return replicas.partition(new TopicPartition(topic, partition));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** One follower broker's stream: what it follows here and how far each push got. */
    private final class FollowerSession implements StreamObserver<FollowerMessage>, Partition.Listener {
        private final ServerCallStreamObserver<LeaderMessage> out;
        private final SerialExecutor serial;
        private final AtomicBoolean pumpScheduled = new AtomicBoolean();
        // Owned by the serial executor.
        private final Map<TopicPartition, Tracked> tracked = new LinkedHashMap<>();
        private final List<PartitionData> errors = new ArrayList<>();
        private int followerId = -1;
        private boolean ended;
        /** A push with records is out and not yet acknowledged: the next one waits (and grows). */
        private boolean awaitingAck;

        private final class Tracked {
            final Partition partition;
            final int epoch;
            long sentOffset;
            long sentHighWatermark = -1;

            Tracked(Partition partition, int epoch, long from) {
                this.partition = partition;
                this.epoch = epoch;
                this.sentOffset = from;
            }
        }

        FollowerSession(ServerCallStreamObserver<LeaderMessage> out, SerialExecutor serial) {
            this.out = out;
            this.serial = serial;
        }

        @Override
        public void onNext(FollowerMessage message) {
            serial.execute(() -> {
                if (ended) {
                    return;
                }
                followerId = message.getReplicaId();
                if (message.getAck()) {
                    awaitingAck = false;
                }
                for (ReplicaPosition position : message.getPositionsList()) {
                    apply(position);
                }
                pump();
                out.request(1);
            });
        }

        private void apply(ReplicaPosition position) {
            TopicPartition tp;
            try {
                tp = new TopicPartition(position.getTopic(), position.getPartition());
            } catch (IllegalArgumentException e) {
                errors.add(error(position, ErrorCode.INVALID_TOPIC_EXCEPTION, e.getMessage()));
                return;
            }
            if (position.getRemove()) {
                untrack(tp);
                return;
            }
            Optional<Partition> found = replicas.partition(tp);
            if (found.isEmpty()) {
                untrack(tp);
                errors.add(error(position, ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + replicas.brokerId()
                        + " has no replica of " + tp));
                return;
            }
            Partition partition = found.get();
            Tracked current = tracked.get(tp);
            if (!position.getReset() && (current == null || current.partition != partition
                    || current.epoch != position.getLeaderEpoch())) {
                // A position counts only in the epoch it was reset in: the follower may have
                // learned of a new epoch and not yet reconciled its log with it.
                untrack(tp);
                errors.add(error(position, ErrorCode.OFFSET_OUT_OF_RANGE, "a position of " + tp + " in epoch "
                        + position.getLeaderEpoch() + " without a reset on this stream; reconcile and reset"));
                return;
            }
            ReplicaError answer = partition.onFollowerPosition(followerId, position.getLeaderEpoch(),
                    position.getFetchOffset());
            if (answer.error() != ErrorCode.NONE) {
                untrack(tp);
                PartitionData.Builder data = error(position, answer.error(), answer.message()).toBuilder();
                partition.leaderView().ifPresent(v -> data.setLeaderEpoch(v.leaderEpoch())
                        .setLogStartOffset(v.logStartOffset()).setLogEndOffset(v.logEndOffset()));
                errors.add(data.build());
                return;
            }
            if (position.getReset()) {
                if (current != null && current.partition != partition) {
                    current.partition.removeListener(this);
                }
                tracked.put(tp, new Tracked(partition, position.getLeaderEpoch(), position.getFetchOffset()));
                if (current == null || current.partition != partition) {
                    partition.addListener(this); // once per partition and session
                }
            }
        }

        private void untrack(TopicPartition tp) {
            Tracked gone = tracked.remove(tp);
            if (gone != null) {
                gone.partition.removeListener(this);
            }
        }

        private PartitionData error(ReplicaPosition position, ErrorCode code, String message) {
            return PartitionData.newBuilder().setTopic(position.getTopic()).setPartition(position.getPartition())
                    .setErrorCode(code).setErrorMessage(message).setFromOffset(position.getFetchOffset()).build();
        }

        /** A followed partition appended records or moved its HW (any thread). */
        @Override
        public void onPartitionChange(Partition partition) {
            wakeUp();
        }

        void wakeUp() {
            if (pumpScheduled.compareAndSet(false, true)) {
                serial.execute(() -> {
                    pumpScheduled.set(false);
                    pump();
                });
            }
        }

        /** Sends what the follower lacks while the stream is ready. */
        private void pump() {
            if (ended) {
                return;
            }
            try {
                while (out.isReady() && !awaitingAck) {
                    LeaderMessage message = nextMessage();
                    if (message == null) {
                        return;
                    }
                    out.onNext(message);
                    awaitingAck = message.getPartitionsList().stream().anyMatch(d -> !d.getRecords().isEmpty());
                }
            } catch (RuntimeException e) {
                log.warn("Replication stream to broker {} failed: {}", followerId, e.toString());
                end();
            }
        }

        private LeaderMessage nextMessage() {
            LeaderMessage.Builder message = LeaderMessage.newBuilder();
            int bytes = 0;
            message.addAllPartitions(errors);
            errors.clear();
            List<TopicPartition> lost = new ArrayList<>();
            for (Map.Entry<TopicPartition, Tracked> entry : tracked.entrySet()) {
                if (bytes >= MESSAGE_MAX_BYTES) {
                    break;
                }
                Tracked t = entry.getValue();
                Optional<LeaderView> view = t.partition.leaderView();
                TopicPartition tp = entry.getKey();
                PartitionData.Builder data = PartitionData.newBuilder().setTopic(tp.topic()).setPartition(tp.partition());
                if (view.isEmpty() || view.get().leaderEpoch() != t.epoch) {
                    lost.add(tp);
                    message.addPartitions(data.setErrorCode(ErrorCode.NOT_LEADER_OR_FOLLOWER).setErrorMessage("broker "
                            + replicas.brokerId() + " no longer leads " + tp + " in epoch " + t.epoch)
                            .setFromOffset(t.sentOffset));
                    continue;
                }
                LeaderView v = view.get();
                data.setLeaderEpoch(v.leaderEpoch()).setHighWatermark(v.highWatermark())
                        .setLogStartOffset(v.logStartOffset()).setLogEndOffset(v.logEndOffset())
                        .setFromOffset(t.sentOffset);
                if (t.sentOffset < v.logEndOffset()) {
                    ReadResult read = t.partition.log().read(t.sentOffset, PARTITION_MAX_BYTES, Long.MAX_VALUE, true);
                    Optional<LeaderView> after = t.partition.leaderView();
                    if (after.isEmpty() || after.get().leaderEpoch() != t.epoch) {
                        // The leadership moved between the check and the read: the log may already
                        // hold another leader's records (after a truncation). Send none of it.
                        lost.add(tp);
                        message.addPartitions(data.setErrorCode(ErrorCode.NOT_LEADER_OR_FOLLOWER).setErrorMessage(
                                "broker " + replicas.brokerId() + " no longer leads " + tp + " in epoch " + t.epoch));
                        continue;
                    }
                    if (read.error() != ErrorCode.NONE) {
                        lost.add(tp);
                        message.addPartitions(data.setErrorCode(read.error()).setErrorMessage(read.message()));
                        continue;
                    }
                    long next = t.sentOffset;
                    for (RecordBatch batch : read.batches()) {
                        next = Math.max(next, batch.nextOffset());
                    }
                    ByteString records = UnsafeByteOperations.unsafeWrap(read.records());
                    bytes += records.size();
                    message.addPartitions(data.setRecords(records));
                    t.sentOffset = next;
                    t.sentHighWatermark = v.highWatermark();
                } else if (v.highWatermark() > t.sentHighWatermark) {
                    message.addPartitions(data);
                    t.sentHighWatermark = v.highWatermark();
                }
            }
            lost.forEach(this::untrack);
            return message.getPartitionsCount() == 0 ? null : message.build();
        }

        @Override
        public void onError(Throwable t) {
            end();
        }

        @Override
        public void onCompleted() {
            serial.execute(() -> {
                if (!ended) {
                    end();
                    out.onCompleted();
                }
            });
        }

        void end() {
            serial.execute(() -> {
                ended = true;
                for (Tracked t : tracked.values()) {
                    t.partition.removeListener(this);
                }
                tracked.clear();
            });
        }
    }
}
