package io.brook.metadata.internal.controller;

import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.internal.MetadataLog;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A metadata log in memory whose commits the test drives: appends wait until
 * {@link #commitAll()} (or {@link #commitNext()}) commits them, applying each batch to the image
 * and publishing it before the append's future completes, as the real log does.
 */
final class InMemoryMetadataLog implements MetadataLog {
    private record Pending(long term, List<MetadataRecord> records, CompletableFuture<Long> future) {}

    private final Deque<Pending> pending = new ArrayDeque<>();
    private final List<MetadataPublisher> publishers = new ArrayList<>();
    private final List<List<MetadataRecord>> committedBatches = new ArrayList<>();
    private long term = 1;
    private long index;
    private MetadataImage image = MetadataImage.EMPTY;

    void addPublisher(MetadataPublisher publisher) {
        publishers.add(publisher);
    }

    void setTerm(long newTerm) {
        term = newTerm;
    }

    @Override
    public CompletableFuture<Long> append(long appendTerm, List<MetadataRecord> records) {
        if (appendTerm != term) {
            return CompletableFuture.failedFuture(new NotLeaderException("term " + appendTerm + " is over", -1));
        }
        CompletableFuture<Long> future = new CompletableFuture<>();
        pending.add(new Pending(appendTerm, List.copyOf(records), future));
        return future;
    }

    int pendingCount() {
        return pending.size();
    }

    /** Commits the oldest pending batch. */
    void commitNext() {
        Pending batch = pending.remove();
        index++;
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(batch.records());
        image = delta.apply(new MetadataProvenance(index, batch.term()));
        committedBatches.add(batch.records());
        for (MetadataPublisher publisher : publishers) {
            publisher.onMetadataUpdate(delta, image);
        }
        batch.future().complete(index);
    }

    /** Commits every pending batch, including ones appended while committing. */
    void commitAll() {
        while (!pending.isEmpty()) {
            commitNext();
        }
    }

    /** Loses every pending batch: its appends fail as if leadership moved before commit. */
    void failAll(int leaderHint) {
        while (!pending.isEmpty()) {
            pending.remove().future().completeExceptionally(new NotLeaderException("lost leadership", leaderHint));
        }
    }

    MetadataImage image() {
        return image;
    }

    long lastIndex() {
        return index;
    }

    List<List<MetadataRecord>> committedBatches() {
        return committedBatches;
    }
}
