package io.brook.metadata.internal;

import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a controller serves to metadata watchers (brokers): the current image and a bounded window
 * of the most recent committed batches. Registered as a {@link MetadataPublisher} of the node, so
 * it is written by the one apply thread, in log order; watchers read it from any thread.
 *
 * <p>A watcher that has applied up to {@code afterIndex} {@linkplain #read reads} either the
 * batches after it, when the window covers that position, or {@link SnapshotNeeded} (the current
 * image, to be sent as records). Raft indexes have gaps (configuration and no-op entries never
 * reach the state machine), so each batch remembers the index applied before it: the window
 * covers every position from the first batch's {@code previousIndex} to the current index.
 * Position 0 always needs a snapshot (when the image is not empty): one image is smaller than the
 * whole history.
 *
 * <p>A watcher past the current index (it followed a controller that is further ahead) gets no
 * batches until this controller catches up. A loaded snapshot (a delta whose base is
 * {@link MetadataImage#EMPTY}) clears the window. The window is bounded by batch count and by the
 * serialized size of its records; the oldest batches go first.
 *
 * <p>Watchers learn about new batches through {@link #subscribe} (no polling). Listeners run on
 * the apply thread and must only hand work to their own threads.
 */
public final class MetadataFeed implements MetadataPublisher {
    private static final Logger log = LoggerFactory.getLogger(MetadataFeed.class);
    /** Bytes counted per batch besides its records (index, term, list overhead). */
    static final long BATCH_OVERHEAD_BYTES = 32;

    /** One committed batch: {@code previousIndex} is the index applied just before it. */
    public record Batch(long previousIndex, long index, long term, List<MetadataRecord> records, long bytes) {
        public Batch {
            records = List.copyOf(records);
        }
    }

    /** The answer of {@link #read}. */
    public sealed interface Read permits Batches, SnapshotNeeded {}

    /**
     * Batches after the asked position, in log order; empty when the watcher is up to date (or
     * ahead of this controller). Wait for a {@linkplain #subscribe notification} and read again.
     */
    public record Batches(List<Batch> batches) implements Read {
        static final Batches NONE = new Batches(List.of());
    }

    /** The window does not cover the asked position: send this image (see {@link #snapshotRecords}). */
    public record SnapshotNeeded(MetadataImage image) implements Read {}

    /** Ends a {@link #subscribe subscription}. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final int maxBatches;
    private final long maxBytes;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    // Guarded by this.
    private MetadataImage image = MetadataImage.EMPTY;
    /** Ring of batches: {@code ring[(head + i) % ring.length]} for i in [0, size). */
    private Batch[] ring;
    private int head;
    private int size;
    private long bytes;
    /** The window covers positions from here to the current index. */
    private long windowStart;

    // Guarded by snapshotLock: the records of the last image asked for as a snapshot.
    private final Object snapshotLock = new Object();
    private MetadataImage snapshotImage;
    private List<MetadataRecord> snapshotRecords;

    /**
     * @param maxBatches at most this many batches in the window (e.g. 10,000)
     * @param maxBytes   at most this many bytes of serialized records in the window (e.g. 64 MiB)
     */
    public MetadataFeed(int maxBatches, long maxBytes) {
        if (maxBatches < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("window bounds must be positive: " + maxBatches + ", " + maxBytes);
        }
        this.maxBatches = maxBatches;
        this.maxBytes = maxBytes;
        this.ring = new Batch[Math.min(maxBatches, 1024)];
    }

    @Override
    public void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage) {
        synchronized (this) {
            long previous = image.provenance().lastAppliedIndex();
            long index = newImage.provenance().lastAppliedIndex();
            if (delta.base() == MetadataImage.EMPTY) {
                clearWindow(index);
            } else if (index <= previous) {
                log.error("Metadata feed: update at {} does not follow {}; starting a new window", index, previous);
                clearWindow(index);
            } else {
                long batchBytes = BATCH_OVERHEAD_BYTES;
                for (MetadataRecord record : delta.records()) {
                    batchBytes += record.getSerializedSize();
                }
                append(new Batch(previous, index, newImage.provenance().lastAppliedTerm(), delta.records(), batchBytes));
            }
            image = newImage;
        }
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.error("Metadata feed listener {} failed", listener, e);
            }
        }
    }

    private void clearWindow(long index) {
        for (int i = 0; i < size; i++) {
            ring[(head + i) % ring.length] = null;
        }
        head = 0;
        size = 0;
        bytes = 0;
        windowStart = index;
    }

    private void append(Batch batch) {
        if (size == ring.length && ring.length < maxBatches) {
            Batch[] bigger = new Batch[(int) Math.min(maxBatches, 2L * ring.length)];
            for (int i = 0; i < size; i++) {
                bigger[i] = ring[(head + i) % ring.length];
            }
            ring = bigger;
            head = 0;
        }
        if (size == ring.length) {
            evictOldest();
        }
        ring[(head + size) % ring.length] = batch;
        size++;
        bytes += batch.bytes();
        while (size > 0 && bytes > maxBytes) {
            evictOldest();
        }
    }

    private void evictOldest() {
        Batch oldest = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        bytes -= oldest.bytes();
        windowStart = oldest.index();
    }

    private Batch at(int i) {
        return ring[(head + i) % ring.length];
    }

    /**
     * What a watcher that has applied everything up to {@code afterIndex} needs next.
     *
     * @param limit at most this many batches in a {@link Batches} answer
     */
    public synchronized Read read(long afterIndex, int limit) {
        long current = image.provenance().lastAppliedIndex();
        if (afterIndex == current) {
            return Batches.NONE;
        }
        if (afterIndex == 0 || afterIndex < windowStart) {
            return new SnapshotNeeded(image);
        }
        if (afterIndex > current) {
            return Batches.NONE;
        }
        // First batch with index > afterIndex (the window is contiguous from windowStart to current).
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid).index() <= afterIndex) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int n = Math.min(limit, size - lo);
        List<Batch> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(at(lo + i));
        }
        return new Batches(out);
    }

    /**
     * The records of {@code image} in {@link MetadataImage#writeRecords} order, computed once per
     * image and shared by every watcher that needs that snapshot. Called by watchers, never on the
     * apply thread.
     */
    public List<MetadataRecord> snapshotRecords(MetadataImage image) {
        Objects.requireNonNull(image, "image");
        synchronized (snapshotLock) {
            if (snapshotImage != image) {
                snapshotRecords = List.copyOf(image.toRecords());
                snapshotImage = image;
            }
            return snapshotRecords;
        }
    }

    /** Calls {@code listener} (on the apply thread) after every batch and every snapshot load. */
    public Subscription subscribe(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** How many listeners are subscribed (one per open watch stream). */
    public int subscribers() {
        return listeners.size();
    }

    /** The current image. */
    public synchronized MetadataImage image() {
        return image;
    }

    /** The window covers watchers positioned from here (inclusive) to the current index. */
    public synchronized long windowStart() {
        return windowStart;
    }

    public synchronized int windowBatches() {
        return size;
    }

    public synchronized long windowBytes() {
        return bytes;
    }
}
