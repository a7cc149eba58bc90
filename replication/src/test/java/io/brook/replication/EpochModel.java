package io.brook.replication;

import io.brook.replication.FollowerTruncation.EpochEnd;
import java.util.List;

/** The storage engine's OffsetForLeaderEpoch answer, over a test's model of a log. */
final class EpochModel {
    private EpochModel() {}

    /**
     * @param epochs     the leader epoch of each offset, 0 .. size-1
     * @param emptyEpoch an epoch recorded at the log end with nothing written yet (a new
     *                   leader's), or -1
     */
    static EpochEnd endOffsetFor(List<Integer> epochs, int emptyEpoch, int requested) {
        int latest = emptyEpoch >= 0 ? emptyEpoch : epochs.isEmpty() ? -1 : epochs.get(epochs.size() - 1);
        if (requested < 0 || latest < 0 || requested > latest) {
            return EpochEnd.UNDEFINED;
        }
        if (requested == latest) {
            return new EpochEnd(latest, epochs.size());
        }
        int found = -1;
        for (int epoch : epochs) {
            if (epoch <= requested) {
                found = epoch;
            }
        }
        if (found < 0) {
            return new EpochEnd(requested, 0); // below the earliest epoch: the log start
        }
        for (int offset = 0; offset < epochs.size(); offset++) {
            if (epochs.get(offset) > requested) {
                return new EpochEnd(found, offset);
            }
        }
        return new EpochEnd(found, epochs.size()); // only the empty latest epoch is above it
    }
}
