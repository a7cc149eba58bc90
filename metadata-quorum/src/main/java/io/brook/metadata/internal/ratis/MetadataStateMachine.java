package io.brook.metadata.internal.ratis;

import io.brook.api.internal.metadata.MetadataBatch;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.SnapshotFormat;
import io.brook.metadata.MetadataPublisher;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the controller quorum: every committed entry is one
 * {@link MetadataBatch}, replayed atomically onto the current {@link MetadataImage}.
 *
 * <ul>
 *   <li><b>Apply</b> (one Ratis thread, log order): decode the batch, replay it into a
 *       {@link MetadataDelta}, apply with provenance (index, term), publish the current image
 *       (volatile, readable from any thread), call the publishers, then mark the entry applied.
 *       Deterministic: the image depends only on the entries. A batch that does not replay is a
 *       fatal {@link io.brook.metadata.MetadataReplayException}.</li>
 *   <li><b>Term fencing</b>: the client message is an {@link #envelope envelope} of the term the
 *       controller validated against plus the batch; {@link #startTransaction} and
 *       {@link #preAppendTransaction} refuse it when this division's term differs, so a batch never
 *       lands in a later term than the one it was built for. Only the batch bytes reach the log.</li>
 *   <li><b>Snapshots</b>: {@link SnapshotFormat} files named {@code snapshot.<term>_<index>} with an
 *       MD5 file, loaded (and checked) in {@link #initialize} and {@link #reinitialize}. After
 *       {@code snapshotIntervalRecords} applied records (or {@code snapshotIntervalBytes} bytes of
 *       batches) since the last snapshot, the
 *       {@code snapshotTrigger} is called (off the apply thread) to ask Ratis for a snapshot, so that
 *       Ratis also purges the log behind it.</li>
 *   <li><b>Leadership</b> notifications are handed to a {@link LeadershipDispatcher}.</li>
 * </ul>
 */
final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);
    private static final int ENVELOPE_HEADER = Long.BYTES;

    private final int nodeId;
    private final long snapshotIntervalRecords;
    private final long snapshotIntervalBytes;
    private final LeadershipDispatcher leadership;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final List<MetadataPublisher> publishers = new CopyOnWriteArrayList<>();

    /** The latest image and the records applied to reach it, swapped as one object. */
    private volatile Applied applied = new Applied(MetadataImage.EMPTY, 0, 0);
    /** {@link Applied#records} and {@link Applied#bytes} at the last snapshot taken or loaded. */
    private volatile long recordsAtSnapshot;
    private volatile long bytesAtSnapshot;
    private final AtomicBoolean snapshotRequested = new AtomicBoolean();
    private volatile LongConsumer snapshotTrigger = index -> { };
    private final AtomicInteger snapshotsLoaded = new AtomicInteger();
    private final AtomicInteger snapshotsInstalled = new AtomicInteger();
    private volatile RaftServer.Division division;

    /** The image, and the records and batch bytes this node applied since it started. */
    private record Applied(MetadataImage image, long records, long bytes) {}

    MetadataStateMachine(int nodeId, long snapshotIntervalRecords, long snapshotIntervalBytes,
            LeadershipDispatcher leadership) {
        this.nodeId = nodeId;
        this.snapshotIntervalRecords = snapshotIntervalRecords;
        this.snapshotIntervalBytes = snapshotIntervalBytes;
        this.leadership = leadership;
    }

    // ---------------------------------------------------------------- wiring and reads

    void addPublisher(MetadataPublisher publisher) {
        publishers.add(publisher);
    }

    /**
     * Called with the last applied index when a snapshot is due; the callback asks Ratis to take it
     * asynchronously and calls {@link #snapshotRequestDone()} when Ratis answered.
     */
    void setSnapshotTrigger(LongConsumer trigger) {
        this.snapshotTrigger = trigger;
    }

    void snapshotRequestDone() {
        snapshotRequested.set(false);
    }

    /** The latest applied image; safe from any thread. */
    MetadataImage image() {
        return applied.image();
    }

    /** Snapshots loaded at startup or after installation. */
    int snapshotsLoaded() {
        return snapshotsLoaded.get();
    }

    /** Snapshots installed from the leader ({@link #reinitialize()} calls). */
    int snapshotsInstalled() {
        return snapshotsInstalled.get();
    }

    /** The index of the newest snapshot on disk, or -1. */
    long latestSnapshotIndex() {
        SingleFileSnapshotInfo info = storage.getLatestSnapshot();
        return info == null ? RaftLog.INVALID_LOG_INDEX : info.getIndex();
    }

    /** The client message for a batch built as the leader of {@code term}. */
    static Message envelope(long term, MetadataBatch batch) {
        byte[] body = batch.toByteArray();
        ByteBuffer buffer = ByteBuffer.allocate(ENVELOPE_HEADER + body.length);
        buffer.putLong(term).put(body).flip();
        return Message.valueOf(UnsafeByteOperations.unsafeWrap(buffer));
    }

    // ---------------------------------------------------------------- life cycle

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot);
    }

    @Override
    public void pause() {
        // Ratis asserts PAUSED before reinitialize() after a snapshot installation.
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException {
        snapshotsInstalled.incrementAndGet();
        loadLatestSnapshot();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void close() throws IOException {
        leadership.close();
        super.close();
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo info = storage.loadLatestSnapshot();
        if (info == null) {
            return;
        }
        File file = info.getFile().getPath().toFile();
        if (info.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, info.getFile().getFileDigest());
        }
        TermIndex position = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        SnapshotFormat.Loaded loaded = SnapshotFormat.readFile(file.toPath());
        MetadataProvenance provenance = loaded.image().provenance();
        if (provenance.lastAppliedIndex() != position.getIndex() || provenance.lastAppliedTerm() != position.getTerm()) {
            throw new IOException("snapshot " + file + " says it is at " + provenance + " but is named for "
                    + position);
        }
        Applied before = applied;
        applied = new Applied(loaded.image(), before.records(), before.bytes());
        recordsAtSnapshot = before.records();
        bytesAtSnapshot = before.bytes();
        setLastAppliedTermIndex(position);
        snapshotsLoaded.incrementAndGet();
        log.info("Controller {} loaded metadata snapshot at index {} term {}", nodeId, position.getIndex(),
                position.getTerm());
        publish(loaded.delta(), loaded.image());
    }

    // ---------------------------------------------------------------- writes

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        ByteBuffer content = request.getMessage().getContent().asReadOnlyByteBuffer();
        TransactionContext.Builder trx = TransactionContext.newBuilder().setStateMachine(this)
                .setClientRequest(request);
        if (content.remaining() < ENVELOPE_HEADER) {
            return trx.build().setException(new IllegalArgumentException("not a metadata batch envelope"));
        }
        long expectedTerm = content.getLong();
        ByteString batch = request.getMessage().getContent().substring(ENVELOPE_HEADER);
        TransactionContext context = trx.setLogData(batch).setStateMachineContext(expectedTerm).build();
        StaleTermException stale = checkTerm(expectedTerm);
        if (stale != null) {
            context.setException(stale);
        }
        return context;
    }

    /** Checked again where the entry's term is fixed: the log append, under the server's lock. */
    @Override
    public TransactionContext preAppendTransaction(TransactionContext trx) throws IOException {
        if (trx.getStateMachineContext() instanceof Long expectedTerm) {
            StaleTermException stale = checkTerm(expectedTerm);
            if (stale != null) {
                throw new StateMachineException(stale.getMessage(), stale, false);
            }
        }
        return trx;
    }

    private StaleTermException checkTerm(long expectedTerm) throws IOException {
        long current = division().getInfo().getCurrentTerm();
        return current == expectedTerm ? null : new StaleTermException(expectedTerm, current);
    }

    private RaftServer.Division division() throws IOException {
        RaftServer.Division d = division;
        if (d == null) {
            d = getServer().join().getDivision(getGroupId());
            division = d;
        }
        return d;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        MetadataBatch batch;
        try {
            batch = MetadataBatch.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        } catch (IOException e) {
            log.error("Controller {}: log entry {} is not a metadata batch; stopping", nodeId, entry.getIndex(), e);
            throw new IllegalStateException("log entry " + entry.getIndex() + " is not a metadata batch", e);
        }
        Applied before = applied;
        MetadataDelta delta = new MetadataDelta(before.image());
        try {
            delta.replayAll(batch.getRecordsList());
        } catch (RuntimeException e) {
            log.error("Controller {}: cannot replay log entry {} (term {}); stopping metadata apply", nodeId,
                    entry.getIndex(), entry.getTerm(), e);
            throw e;
        }
        MetadataImage image = delta.apply(new MetadataProvenance(entry.getIndex(), entry.getTerm()));
        Applied after = new Applied(image, before.records() + batch.getRecordsCount(),
                before.bytes() + entry.getStateMachineLogEntry().getLogData().size());
        applied = after;
        publish(delta, image);
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        maybeRequestSnapshot(after, entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    private void publish(MetadataDelta delta, MetadataImage image) {
        for (MetadataPublisher publisher : publishers) {
            try {
                publisher.onMetadataUpdate(delta, image);
            } catch (RuntimeException e) {
                log.error("Controller {}: metadata publisher {} failed at {}", nodeId, publisher, image.provenance(), e);
            }
        }
    }

    private void maybeRequestSnapshot(Applied after, long index) {
        boolean due = after.records() - recordsAtSnapshot >= snapshotIntervalRecords
                || after.bytes() - bytesAtSnapshot >= snapshotIntervalBytes;
        if (due && snapshotRequested.compareAndSet(false, true)) {
            try {
                snapshotTrigger.accept(index);
            } catch (RuntimeException e) {
                snapshotRequested.set(false);
                log.warn("Controller {}: cannot request a snapshot", nodeId, e);
            }
        }
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public long takeSnapshot() throws IOException {
        Applied current = applied;
        MetadataProvenance provenance = current.image().provenance();
        if (provenance.lastAppliedIndex() <= 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getIndex() >= provenance.lastAppliedIndex()) {
            recordsAtSnapshot = current.records();
            bytesAtSnapshot = current.bytes();
            return latest.getIndex();
        }
        File file = storage.getSnapshotFile(provenance.lastAppliedTerm(), provenance.lastAppliedIndex());
        SnapshotFormat.writeFile(current.image(), file.toPath());
        var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        TermIndex position = TermIndex.valueOf(provenance.lastAppliedTerm(), provenance.lastAppliedIndex());
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), position));
        recordsAtSnapshot = current.records();
        bytesAtSnapshot = current.bytes();
        log.info("Controller {} wrote metadata snapshot at index {} term {}", nodeId, position.getIndex(),
                position.getTerm());
        return position.getIndex();
    }

    // ---------------------------------------------------------------- leadership

    @Override
    public void notifyLeaderReady() {
        long term = currentTermOrMinusOne();
        log.debug("Controller {} is ready to lead term {}", nodeId, term);
        leadership.leaderReady(term);
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        int leader = RaftQuorumNode.nodeId(newLeaderId);
        log.info("Controller {}: leader is now {} at term {}", nodeId, leader, currentTermOrMinusOne());
        if (leader != nodeId) {
            leadership.notLeader(leader);
        }
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        leadership.notLeader(-1);
    }

    private long currentTermOrMinusOne() {
        try {
            return division().getInfo().getCurrentTerm();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A batch built for another term than the one this division is in. */
    static final class StaleTermException extends IOException {
        private static final long serialVersionUID = 1L;

        StaleTermException(long expectedTerm, long currentTerm) {
            super("batch was built for term " + expectedTerm + " but the current term is " + currentTerm);
        }
    }
}
