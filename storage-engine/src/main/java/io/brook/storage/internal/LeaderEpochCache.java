package io.brook.storage.internal;

import io.brook.storage.EpochEndOffset;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** TEMPORARY in-memory stand-in; replaced by the persisted implementation (helper-state). */
public final class LeaderEpochCache {
    private final List<EpochEntry> entries = new ArrayList<>();

    public static LeaderEpochCache load(FileIo io, Path checkpointFile) throws IOException {
        return new LeaderEpochCache();
    }

    public synchronized OptionalInt latestEpoch() {
        return entries.isEmpty() ? OptionalInt.empty() : OptionalInt.of(entries.get(entries.size() - 1).epoch());
    }

    public synchronized void assign(int epoch, long startOffset) throws IOException {
        if (latestEpoch().isPresent() && epoch <= latestEpoch().getAsInt()) {
            return;
        }
        entries.removeIf(e -> e.startOffset() >= startOffset);
        entries.add(new EpochEntry(epoch, startOffset));
    }

    public synchronized EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (entries.isEmpty() || requestedEpoch < entries.get(0).epoch()) {
            return EpochEndOffset.UNDEFINED;
        }
        EpochEntry latest = entries.get(entries.size() - 1);
        if (requestedEpoch >= latest.epoch()) {
            return new EpochEndOffset(latest.epoch(), logEndOffset);
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).epoch() <= requestedEpoch) {
                return new EpochEndOffset(entries.get(i).epoch(), entries.get(i + 1).startOffset());
            }
        }
        return EpochEndOffset.UNDEFINED;
    }

    public synchronized void truncateFromEnd(long endOffset) throws IOException {
        entries.removeIf(e -> e.startOffset() >= endOffset);
    }

    public synchronized void truncateFromStart(long startOffset) throws IOException {
        int keep = -1;
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).startOffset() <= startOffset) {
                keep = i;
            }
        }
        if (keep > 0 || (keep == 0 && entries.get(0).startOffset() < startOffset)) {
            EpochEntry e = entries.get(keep);
            entries.subList(0, keep + 1).clear();
            entries.add(0, new EpochEntry(e.epoch(), startOffset));
        }
    }

    public synchronized List<EpochEntry> entries() {
        return List.copyOf(entries);
    }

    public synchronized void clear() throws IOException {
        entries.clear();
    }
}
