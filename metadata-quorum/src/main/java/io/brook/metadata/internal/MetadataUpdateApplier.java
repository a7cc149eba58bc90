package io.brook.metadata.internal;

import io.brook.api.internal.controller.BatchUpdate;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.SnapshotUpdate;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;

/**
 * The watcher side of the WatchMetadata stream, without transport: turns {@link MetadataUpdate}s
 * into images. A batch is replayed on the current image; snapshot chunks are replayed on
 * {@link MetadataImage#EMPTY} as they arrive and replace the image at the chunk marked
 * {@code last}. Not thread-safe: one thread feeds it.
 */
public final class MetadataUpdateApplier {
    /** A new image and the delta that made it. */
    public record Applied(MetadataDelta delta, MetadataImage image) {}

    private MetadataImage image;
    private MetadataDelta pendingSnapshot;
    private long pendingIndex;
    private long pendingTerm;

    public MetadataUpdateApplier(MetadataImage initial) {
        this.image = initial;
    }

    public MetadataImage image() {
        return image;
    }

    /**
     * Applies one update. Returns the new image, or null when there is none yet (a snapshot chunk
     * before the last one) or the batch is not newer than the image (a duplicate).
     *
     * @throws io.brook.metadata.MetadataReplayException when the records do not replay
     */
    public Applied apply(MetadataUpdate update) {
        switch (update.getUpdateCase()) {
            case BATCH -> {
                BatchUpdate batch = update.getBatch();
                if (batch.getIndex() <= image.provenance().lastAppliedIndex()) {
                    return null;
                }
                MetadataDelta delta = new MetadataDelta(image);
                delta.replayAll(batch.getRecordsList());
                image = delta.apply(new MetadataProvenance(batch.getIndex(), batch.getTerm()));
                return new Applied(delta, image);
            }
            case SNAPSHOT -> {
                SnapshotUpdate chunk = update.getSnapshot();
                if (pendingSnapshot == null || pendingIndex != chunk.getIndex() || pendingTerm != chunk.getTerm()) {
                    pendingSnapshot = new MetadataDelta(MetadataImage.EMPTY);
                    pendingIndex = chunk.getIndex();
                    pendingTerm = chunk.getTerm();
                }
                pendingSnapshot.replayAll(chunk.getRecordsList());
                if (!chunk.getLast()) {
                    return null;
                }
                MetadataDelta delta = pendingSnapshot;
                pendingSnapshot = null;
                image = delta.apply(new MetadataProvenance(chunk.getIndex(), chunk.getTerm()));
                return new Applied(delta, image);
            }
            default -> throw new IllegalArgumentException("metadata update without content: " + update);
        }
    }

    /** Forgets a partly received snapshot (the stream it came on has ended). */
    public void resetStream() {
        pendingSnapshot = null;
    }
}
