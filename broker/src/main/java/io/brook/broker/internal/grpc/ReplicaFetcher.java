package io.brook.broker.internal.grpc;

import io.brook.api.internal.replication.EpochAnswer;
import io.brook.api.internal.replication.EpochQuery;
import io.brook.api.internal.replication.FollowerMessage;
import io.brook.api.internal.replication.LeaderMessage;
import io.brook.api.internal.replication.OffsetForLeaderEpochRequest;
import io.brook.api.internal.replication.OffsetForLeaderEpochResponse;
import io.brook.api.internal.replication.PartitionData;
import io.brook.api.internal.replication.ReplicaPosition;
import io.brook.api.internal.replication.ReplicationServiceGrpc;
import io.brook.api.v1.ErrorCode;
import io.brook.broker.internal.Flusher;
import io.brook.common.Clock;
import io.brook.broker.internal.Partition;
import io.brook.broker.internal.Partition.FollowerAppend;
import io.brook.broker.internal.Partition.FollowerStep;
import io.brook.replication.FollowerTruncation.EpochEnd;
import io.brook.replication.PartitionFollowerState;
import io.brook.storage.StorageException;
import io.brook.storage.TopicPartition;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of replication towards one leader broker: one thread, one stream. For each
 * partition it follows there it first reconciles its log by leader epochs (OffsetForLeaderEpoch
 * rounds, truncating where the leader's epochs say), then sends its position with {@code reset};
 * the leader pushes records from there. Each pushed message is applied (only records of the
 * followed leader and epoch that continue the log), flushed with {@code log.flush.on.ack} (one
 * group-commit round for every partition in the message), and acknowledged with the new
 * positions (every push with records is answered: the leader sends the next one only then); the
 * next message is requested only then, so the leader cannot outrun the disk.
 * Every {@link #KEEPALIVE_MS} it reports all positions, which is what keeps an idle follower in
 * the ISR. Errors and a lost stream back off {@link #BACKOFF_MS} and start over.
 */
final class ReplicaFetcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
    static final long BACKOFF_MS = 200;
    static final long KEEPALIVE_MS = 500;

    private final int localId;
    private final int leaderId;
    private final LongSupplier brokerEpoch;
    /** The leader's host:port now, if it is registered. */
    private final IntFunction<Optional<String>> addresses;
    private final Flusher groupCommit;
    private final Clock clock;
    private final ScheduledExecutorService thread;

    // Owned by the thread.
    private final Map<TopicPartition, Follow> partitions = new LinkedHashMap<>();
    private ManagedChannel channel;
    private String channelAddress;
    private Stream stream;
    private boolean runScheduled;
    private boolean closed;

    private static final class Follow {
        final Partition partition;
        boolean started;
        long notBeforeMs;
        /** When this partition's position was last sent (keepalives skip partitions sent recently). */
        long lastSentMs;
        /** The leader epoch of the latest reset: later positions are sent only in it. */
        int startedEpoch = -1;

        Follow(Partition partition) {
            this.partition = partition;
        }
    }

    ReplicaFetcher(int localId, int leaderId, LongSupplier brokerEpoch, IntFunction<Optional<String>> addresses,
            Flusher groupCommit, Clock clock) {
        this.clock = clock;
        this.localId = localId;
        this.leaderId = leaderId;
        this.brokerEpoch = brokerEpoch;
        this.addresses = addresses;
        this.groupCommit = groupCommit;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-fetcher-" + localId + "-from-" + leaderId);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::keepalive, KEEPALIVE_MS, KEEPALIVE_MS, TimeUnit.MILLISECONDS);
    }

    void add(Partition partition) {
        submit(() -> {
            Follow previous = partitions.put(partition.topicPartition(), new Follow(partition));
            if (previous != null && previous.partition != partition && previous.started) {
                sendRemove(previous.partition.topicPartition());
            }
            run();
        });
    }

    void remove(Partition partition) {
        submit(() -> {
            Follow gone = partitions.get(partition.topicPartition());
            if (gone != null && gone.partition == partition) {
                partitions.remove(partition.topicPartition());
                if (gone.started) {
                    sendRemove(partition.topicPartition());
                }
            }
            if (partitions.isEmpty()) {
                endStream();
            }
        });
    }

    private void submit(Runnable task) {
        try {
            thread.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("Broker {}: fetching from broker {} failed: {}", localId, leaderId, e.toString());
                    scheduleRun(BACKOFF_MS);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closed
        }
    }

    private void scheduleRun(long delayMs) {
        if (runScheduled || closed) {
            return;
        }
        runScheduled = true;
        try {
            thread.schedule(() -> submit(() -> {
                runScheduled = false;
                run();
            }), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // closed
        }
    }

    /** Reconciles what needs it and starts what is reconciled; on the thread. */
    private void run() {
        if (partitions.isEmpty()) {
            endStream();
            return;
        }
        if (!ensureStream()) {
            scheduleRun(BACKOFF_MS);
            return;
        }
        long now = clock.monotonicMilliseconds();
        boolean retryLater = false;
        for (int round = 0; ; round++) {
            if (round == 16) {
                retryLater = true; // still reconciling: go on after a pause rather than hold the thread
                break;
            }
            List<Follow> asking = new ArrayList<>();
            OffsetForLeaderEpochRequest.Builder request = OffsetForLeaderEpochRequest.newBuilder().setReplicaId(localId);
            List<FollowerStep> steps = new ArrayList<>();
            for (Follow f : partitions.values()) {
                if (f.started || f.notBeforeMs > now) {
                    retryLater |= !f.started;
                    continue;
                }
                Optional<FollowerStep> step = f.partition.followerNext();
                if (step.isEmpty() || step.get().leaderId() != leaderId) {
                    continue;
                }
                if (step.get().action() instanceof PartitionFollowerState.AskEpochEnd ask) {
                    TopicPartition tp = f.partition.topicPartition();
                    request.addQueries(EpochQuery.newBuilder().setTopic(tp.topic()).setPartition(tp.partition())
                            .setCurrentLeaderEpoch(step.get().leaderEpoch()).setLeaderEpoch(ask.epoch()));
                    asking.add(f);
                    steps.add(step.get());
                }
            }
            if (asking.isEmpty()) {
                break;
            }
            OffsetForLeaderEpochResponse response;
            try {
                response = ReplicationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .offsetForLeaderEpoch(request.build());
            } catch (RuntimeException e) {
                log.debug("Broker {}: OffsetForLeaderEpoch to {} failed: {}", localId, leaderId, e.toString());
                scheduleRun(BACKOFF_MS);
                return;
            }
            for (int i = 0; i < asking.size() && i < response.getAnswersCount(); i++) {
                EpochAnswer answer = response.getAnswers(i);
                Follow f = asking.get(i);
                FollowerStep step = steps.get(i);
                if (answer.getErrorCode() != ErrorCode.NONE) {
                    f.notBeforeMs = now + BACKOFF_MS;
                    retryLater = true;
                    continue;
                }
                int requested = ((PartitionFollowerState.AskEpochEnd) step.action()).epoch();
                EpochEnd end = answer.getLeaderEpoch() < 0 ? EpochEnd.UNDEFINED
                        : new EpochEnd(answer.getLeaderEpoch(), answer.getEndOffset());
                try {
                    f.partition.onEpochAnswer(step.leaderEpoch(), requested, end);
                } catch (StorageException e) {
                    log.warn("Broker {}: truncating {} failed: {}", localId, f.partition.topicPartition(), e.getMessage());
                    f.notBeforeMs = now + BACKOFF_MS;
                    retryLater = true;
                }
                if (end.isUndefined()) {
                    f.notBeforeMs = now + BACKOFF_MS; // the leader has not recorded its epoch yet
                    retryLater = true;
                }
            }
        }
        List<ReplicaPosition> starts = new ArrayList<>();
        for (Follow f : partitions.values()) {
            if (f.started || f.notBeforeMs > now) {
                continue;
            }
            Optional<FollowerStep> step = f.partition.followerNext();
            if (step.isPresent() && step.get().leaderId() == leaderId
                    && step.get().action() instanceof PartitionFollowerState.Fetch) {
                try {
                    if (f.partition.flushOnAck()) {
                        f.partition.log().flush(); // so that the position to send from is also durable
                    }
                } catch (StorageException e) {
                    f.notBeforeMs = now + BACKOFF_MS;
                    retryLater = true;
                    continue;
                }
                starts.add(position(f.partition, step.get().leaderEpoch(), true));
                f.started = true;
                f.startedEpoch = step.get().leaderEpoch();
            }
        }
        send(starts);
        if (retryLater) {
            scheduleRun(BACKOFF_MS);
        }
    }

    private ReplicaPosition position(Partition partition, int epoch, boolean reset) {
        TopicPartition tp = partition.topicPartition();
        Follow f = partitions.get(tp);
        if (f != null) {
            f.lastSentMs = clock.monotonicMilliseconds();
        }
        long at = reset ? partition.log().logEndOffset() : partition.followerPosition();
        return ReplicaPosition.newBuilder().setTopic(tp.topic()).setPartition(tp.partition()).setLeaderEpoch(epoch)
                .setFetchOffset(at).setReset(reset).build();
    }

    /**
     * The position to report for a started partition, if it may be reported now: only while the
     * log is reconciled with the leader and epoch of the partition's latest reset (a new epoch the
     * metadata brought means reconciling first; the fetcher's replacement task resets it).
     */
    private Optional<ReplicaPosition> acknowledgement(Follow f) {
        Optional<FollowerStep> step = f.partition.followerNext();
        if (!f.started || step.isEmpty() || step.get().leaderId() != leaderId
                || step.get().leaderEpoch() != f.startedEpoch
                || !(step.get().action() instanceof PartitionFollowerState.Fetch)) {
            return Optional.empty();
        }
        return Optional.of(position(f.partition, f.startedEpoch, false));
    }

    private void send(List<ReplicaPosition> positions) {
        if (!positions.isEmpty()) {
            sendAlways(positions, false);
        }
    }

    private void sendAlways(List<ReplicaPosition> positions, boolean ack) {
        if (stream == null) {
            return;
        }
        try {
            stream.requests.onNext(FollowerMessage.newBuilder().setReplicaId(localId).setBrokerEpoch(brokerEpoch.getAsLong())
                    .addAllPositions(positions).setAck(ack).build());
        } catch (RuntimeException e) {
            log.debug("Broker {}: sending positions to {} failed: {}", localId, leaderId, e.toString());
            streamEnded(stream);
        }
    }

    private void sendRemove(TopicPartition tp) {
        send(List.of(ReplicaPosition.newBuilder().setTopic(tp.topic()).setPartition(tp.partition()).setRemove(true)
                .build()));
    }

    /**
     * Reports the positions of partitions that sent none for {@link #KEEPALIVE_MS}: an idle
     * follower stays in the ISR. A busy one is not sent one: its acknowledgements already say it
     * is caught up, and a position between them would make the leader judge the next
     * acknowledgement against a later log end (Kafka's "caught up at the previous fetch" rule).
     */
    private void keepalive() {
        submit(() -> {
            List<ReplicaPosition> positions = new ArrayList<>();
            long now = clock.monotonicMilliseconds();
            for (Follow f : partitions.values()) {
                if (f.started && now - f.lastSentMs >= KEEPALIVE_MS) {
                    acknowledgement(f).ifPresent(positions::add);
                }
            }
            send(positions);
        });
    }

    /** Applies one pushed message; on the thread. */
    private void handle(LeaderMessage message) {
        List<Follow> appended = new ArrayList<>();
        boolean hadRecords = false;
        boolean rerun = false;
        long now = clock.monotonicMilliseconds();
        for (PartitionData data : message.getPartitionsList()) {
            hadRecords |= !data.getRecords().isEmpty();
            TopicPartition tp;
            try {
                tp = new TopicPartition(data.getTopic(), data.getPartition());
            } catch (IllegalArgumentException e) {
                continue;
            }
            Follow f = partitions.get(tp);
            if (f == null) {
                continue;
            }
            try {
                rerun |= apply(data, f, now, appended);
            } catch (RuntimeException e) {
                // One partition's failure (an offline log, say) stays that partition's.
                log.warn("Broker {}: applying {} from leader {} failed: {}", localId, tp, leaderId, e.toString());
                f.started = false;
                f.notBeforeMs = now + BACKOFF_MS;
                rerun = true;
            }
        }
        if (!appended.isEmpty()) {
            List<CompletableFuture<Long>> flushes = new ArrayList<>();
            for (Follow f : appended) {
                if (f.partition.flushOnAck()) {
                    flushes.add(groupCommit.flush(f.partition.log()));
                }
            }
            try {
                CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new)).join();
            } catch (RuntimeException e) {
                log.warn("Broker {}: flushing replicated records failed: {}", localId, e.toString());
            }
        }
        if (hadRecords) {
            // Every push with records is answered (the leader sends the next one only then), with
            // the new positions of what was applied; possibly with none.
            List<ReplicaPosition> acks = new ArrayList<>();
            for (Follow f : appended) {
                acknowledgement(f).ifPresent(acks::add);
            }
            sendAlways(acks, true);
        }
        if (rerun) {
            scheduleRun(0);
        }
    }

    /** Applies one partition's part of a push; returns whether the fetcher should run again. */
    private boolean apply(PartitionData data, Follow f, long now, List<Follow> appended) {
        boolean rerun = false;
        TopicPartition tp = f.partition.topicPartition();
        Optional<FollowerStep> step = f.partition.followerNext();
        if (step.isEmpty() || step.get().leaderId() != leaderId) {
            return rerun;
        }
        int epoch = step.get().leaderEpoch();
        if (data.getErrorCode() != ErrorCode.NONE) {
            f.started = false;
            rerun = true;
            if (data.getErrorCode() == ErrorCode.OFFSET_OUT_OF_RANGE) {
                if (f.partition.log().logEndOffset() < data.getLogStartOffset()) {
                    f.partition.restartAt(epoch, data.getLogStartOffset());
                } else {
                    f.partition.reconcileAgain(epoch);
                }
            } else {
                f.notBeforeMs = now + BACKOFF_MS;
                log.debug("Broker {}: leader {} refused {}: {} {}", localId, leaderId, tp, data.getErrorCode(),
                        data.getErrorMessage());
            }
            return rerun;
        }
        FollowerAppend result;
        try {
            result = f.partition.appendFromLeader(leaderId, data.getLeaderEpoch(), data.getFromOffset(),
                    data.getRecords().asReadOnlyByteBuffer(), data.getHighWatermark());
        } catch (StorageException e) {
            result = FollowerAppend.FAILED;
        }
        switch (result) {
            case APPENDED -> {
                if (!data.getRecords().isEmpty()) {
                    appended.add(f);
                }
            }
            case RESYNC -> {
                f.started = false;
                rerun = true;
            }
            case FAILED -> {
                f.started = false;
                f.partition.reconcileAgain(epoch);
                f.notBeforeMs = now + BACKOFF_MS;
                rerun = true;
            }
            case IGNORED -> { }
        }
        return rerun;
    }

    private boolean ensureStream() {
        Optional<String> address = addresses.apply(leaderId);
        if (address.isEmpty()) {
            return false;
        }
        if (channel != null && !address.get().equals(channelAddress)) {
            endStream();
            channel.shutdownNow();
            channel = null;
        }
        if (channel == null) {
            String[] hostPort = address.get().split(":");
            channel = NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1])).usePlaintext()
                    // A push is about MESSAGE_MAX_BYTES, plus at most one whole batch per partition.
                    .maxInboundMessageSize(ReplicationGrpcService.FOLLOWER_MAX_INBOUND_BYTES)
                    .keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS)
                    .build();
            channelAddress = address.get();
        }
        if (stream == null) {
            stream = new Stream();
            stream.requests = ReplicationServiceGrpc.newStub(channel).replicate(stream);
        }
        return true;
    }

    private void endStream() {
        if (stream != null) {
            Stream ending = stream;
            stream = null;
            try {
                ending.requests.onCompleted();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
        for (Follow f : partitions.values()) {
            f.started = false;
        }
    }

    private void streamEnded(Stream ended) {
        if (stream == ended) {
            stream = null;
            for (Follow f : partitions.values()) {
                f.started = false;
            }
            scheduleRun(BACKOFF_MS);
        }
    }

    /** One Replicate call; its callbacks hand everything to the fetcher's thread. */
    private final class Stream implements ClientResponseObserver<FollowerMessage, LeaderMessage> {
        StreamObserver<FollowerMessage> requests;
        private ClientCallStreamObserver<FollowerMessage> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<FollowerMessage> requestStream) {
            this.call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        @Override
        public void onNext(LeaderMessage message) {
            submit(() -> {
                if (stream == this) {
                    try {
                        handle(message);
                    } finally {
                        call.request(1); // whatever happened, keep reading this stream
                    }
                }
            });
        }

        @Override
        public void onError(Throwable t) {
            log.debug("Broker {}: replication stream from {} ended: {}", localId, leaderId, t.toString());
            submit(() -> streamEnded(this));
        }

        @Override
        public void onCompleted() {
            submit(() -> streamEnded(this));
        }
    }

    @Override
    public void close() {
        submit(() -> {
            endStream();
            closed = true;
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (channel != null) {
            channel.shutdownNow();
        }
    }
}
