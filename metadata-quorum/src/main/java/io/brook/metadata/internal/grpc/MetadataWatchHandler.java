package io.brook.metadata.internal.grpc;

import io.brook.api.internal.controller.BatchUpdate;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.SnapshotUpdate;
import io.brook.api.internal.controller.WatchMetadataRequest;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.internal.MetadataFeed;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code ControllerService.WatchMetadata} from a {@link MetadataFeed}: a snapshot in chunks
 * when the watcher's position is not in the feed's window (or is 0), then every batch as it
 * commits. The controller's service delegates {@link #watch} to one shared handler.
 *
 * <p>Flow control: messages are sent only while the call {@linkplain ServerCallStreamObserver#isReady
 * is ready}; a stream that is not ready keeps only its position (and, mid-snapshot, a shared
 * reference to the snapshot's records and an offset). A watcher that reads too slowly falls out
 * of the window and, once it reads again, gets a fresh snapshot. So memory per watcher is bounded
 * by gRPC's outbound buffer, whatever the watcher does.
 *
 * <p>Threads: sending runs on {@code executor}, one task at a time per stream; it is triggered by
 * feed notifications (from the apply thread, which never waits for a watcher) and by gRPC's
 * on-ready callbacks.
 */
public final class MetadataWatchHandler {
    private static final Logger log = LoggerFactory.getLogger(MetadataWatchHandler.class);

    /** Bounds of one snapshot chunk (records, serialized bytes). */
    public static final int CHUNK_MAX_RECORDS = 2_000;
    public static final int CHUNK_MAX_BYTES = 1 << 20;
    /** Batches taken from the feed per read. */
    private static final int READ_LIMIT = 64;

    private final MetadataFeed feed;
    private final Executor executor;
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    /** Null while serving; otherwise why not. */
    private volatile String notServing;
    private final int chunkMaxRecords;
    private final int chunkMaxBytes;

    /**
     * @param executor runs the sending; a small shared pool (sending never blocks: it stops when a
     *                 stream is not ready)
     */
    public MetadataWatchHandler(MetadataFeed feed, Executor executor) {
        this(feed, executor, CHUNK_MAX_RECORDS, CHUNK_MAX_BYTES);
    }

    MetadataWatchHandler(MetadataFeed feed, Executor executor, int chunkMaxRecords, int chunkMaxBytes) {
        this.feed = Objects.requireNonNull(feed, "feed");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.chunkMaxRecords = chunkMaxRecords;
        this.chunkMaxBytes = chunkMaxBytes;
    }

    /**
     * Whether this controller may serve watches. A controller cut off from the quorum would serve
     * stale metadata forever (its feed stops moving), so while it is out of contact it ends every
     * stream with UNAVAILABLE and refuses new ones: its brokers move to another controller.
     *
     * @param why the reason given to watchers when {@code serving} is false
     */
    public void setServing(boolean serving, String why) {
        String before = notServing;
        notServing = serving ? null : why;
        if (!serving && before == null) {
            log.warn("Metadata watches stop: {}", why);
            for (WatchStream stream : streams) {
                stream.signal();
            }
        } else if (serving && before != null) {
            log.info("Metadata watches are served again");
        }
    }

    /** Serves one WatchMetadata call until the watcher cancels it. */
    public void watch(WatchMetadataRequest request, StreamObserver<MetadataUpdate> responseObserver) {
        ServerCallStreamObserver<MetadataUpdate> call = (ServerCallStreamObserver<MetadataUpdate>) responseObserver;
        String why = notServing;
        if (why != null) {
            call.onError(Status.UNAVAILABLE.withDescription(why).asRuntimeException());
            return;
        }
        if (request.getAfterIndex() < 0) {
            call.onError(Status.INVALID_ARGUMENT.withDescription("after_index must be >= 0").asRuntimeException());
            return;
        }
        WatchStream stream = new WatchStream(call, request.getAfterIndex());
        call.setOnCancelHandler(stream::cancel);
        call.setOnReadyHandler(stream::signal);
        streams.add(stream);
        stream.subscription = feed.subscribe(stream::signal);
        stream.signal();
    }

    /** One watcher: its position and, mid-snapshot, the snapshot being sent. */
    private final class WatchStream {
        private final ServerCallStreamObserver<MetadataUpdate> call;
        private final AtomicInteger pendingSignals = new AtomicInteger();
        private volatile boolean cancelled;
        private volatile MetadataFeed.Subscription subscription;

        // Only touched by the drain task (one at a time).
        private long position;
        private MetadataImage snapshot;
        private List<MetadataRecord> snapshotRecords;
        private int snapshotOffset;

        WatchStream(ServerCallStreamObserver<MetadataUpdate> call, long afterIndex) {
            this.call = call;
            this.position = afterIndex;
        }

        /** Something changed (new batches, or the call became ready): make sure a drain runs. */
        void signal() {
            if (!cancelled && pendingSignals.getAndIncrement() == 0) {
                try {
                    executor.execute(this::drainLoop);
                } catch (RuntimeException e) { // executor shut down: the server is stopping
                    pendingSignals.set(0);
                    cancel();
                }
            }
        }

        void cancel() {
            cancelled = true;
            streams.remove(this);
            MetadataFeed.Subscription s = subscription;
            if (s != null) {
                s.close();
            }
        }

        private void drainLoop() {
            int signals = pendingSignals.get();
            while (true) {
                try {
                    drain();
                } catch (RuntimeException e) {
                    if (cancelled || call.isCancelled()) {
                        cancel(); // the watcher went away while we were sending
                        return;
                    }
                    log.warn("Metadata watch at {}: ending the stream", position, e);
                    cancel();
                    try {
                        call.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
                    } catch (RuntimeException ignored) {
                        // already closed
                    }
                    return;
                }
                signals = pendingSignals.addAndGet(-signals);
                if (signals == 0) {
                    return;
                }
            }
        }

        /** Sends while the call is ready and there is something to send. */
        private void drain() {
            String why = notServing;
            if (why != null && !cancelled) {
                cancel();
                call.onError(Status.UNAVAILABLE.withDescription(why).asRuntimeException());
                return;
            }
            while (!cancelled && call.isReady()) {
                if (snapshot != null) {
                    sendSnapshotChunk();
                    continue;
                }
                MetadataFeed.Read read = feed.read(position, READ_LIMIT);
                if (read instanceof MetadataFeed.SnapshotNeeded needed) {
                    snapshot = needed.image();
                    snapshotRecords = feed.snapshotRecords(snapshot);
                    snapshotOffset = 0;
                    if (log.isDebugEnabled()) {
                        log.debug("Metadata watch at {}: sending a snapshot at {} ({} records)", position,
                                snapshot.provenance(), snapshotRecords.size());
                    }
                    continue;
                }
                List<MetadataFeed.Batch> batches = ((MetadataFeed.Batches) read).batches();
                if (batches.isEmpty()) {
                    return; // up to date: the feed's notification brings us back
                }
                for (MetadataFeed.Batch batch : batches) {
                    if (cancelled || !call.isReady()) {
                        return;
                    }
                    call.onNext(MetadataUpdate.newBuilder().setBatch(BatchUpdate.newBuilder()
                            .setIndex(batch.index()).setTerm(batch.term()).addAllRecords(batch.records())).build());
                    position = batch.index();
                }
            }
        }

        private void sendSnapshotChunk() {
            SnapshotUpdate.Builder chunk = SnapshotUpdate.newBuilder()
                    .setIndex(snapshot.provenance().lastAppliedIndex())
                    .setTerm(snapshot.provenance().lastAppliedTerm());
            int bytes = 0;
            int count = 0;
            while (snapshotOffset < snapshotRecords.size() && count < chunkMaxRecords) {
                MetadataRecord record = snapshotRecords.get(snapshotOffset);
                int size = record.getSerializedSize();
                if (count > 0 && bytes + size > chunkMaxBytes) {
                    break;
                }
                chunk.addRecords(record);
                bytes += size;
                count++;
                snapshotOffset++;
            }
            boolean last = snapshotOffset == snapshotRecords.size();
            call.onNext(MetadataUpdate.newBuilder().setSnapshot(chunk.setLast(last)).build());
            if (last) {
                position = snapshot.provenance().lastAppliedIndex();
                snapshot = null;
                snapshotRecords = null;
            }
        }
    }
}
