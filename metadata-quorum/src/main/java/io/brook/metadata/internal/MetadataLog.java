package io.brook.metadata.internal;

import io.brook.api.internal.metadata.MetadataRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the active controller's logic and the replicated log that commits its
 * records. Production: Ratis ({@code internal.ratis}). Tests and simulations: an in-memory log
 * whose commits the test drives.
 *
 * <p>Committed batches reach every node's image through the state machine and its
 * {@link io.brook.metadata.MetadataPublisher}s, in log order, before the future of the append
 * that wrote them completes on the writing node.
 */
public interface MetadataLog {

    /**
     * Appends one batch, applied atomically, as the leader of {@code term}. The future completes
     * with the batch's log index once the batch is committed and applied on this node; it fails
     * with {@link NotLeaderException} if this node is not (or no longer) the leader of that term,
     * or with another exception. A failure never proves the batch was dropped: once appended
     * to the Raft log, a batch may still be committed by the next leader, and then every node
     * applies it.
     */
    CompletableFuture<Long> append(long term, List<MetadataRecord> records);

    /** Thrown (as a future's cause) when an append is refused because leadership moved. */
    final class NotLeaderException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int leaderHint;

        public NotLeaderException(String message, int leaderHint) {
            super(message);
            this.leaderHint = leaderHint;
        }

        /** The node id believed to lead now, or -1 when unknown. */
        public int leaderHint() {
            return leaderHint;
        }
    }
}
