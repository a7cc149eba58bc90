package io.brook.client;

import java.util.Collection;

/**
 * Told when the group moves partitions to or from a {@linkplain BrookConsumer#subscribe subscribed}
 * consumer, as Kafka's listener of the same name. Every method runs on the application's thread,
 * inside {@link BrookConsumer#poll}, {@link BrookConsumer#unsubscribe} or {@link BrookConsumer#close}
 * (never on a background thread), so it may call the consumer ({@code commitSync}, {@code seek},
 * {@code position}). An exception it throws is rethrown by the call that ran it, after the
 * consumer finished the change (the partitions are gone or added all the same).
 *
 * <p>The order, for one change of the assignment: with {@code enable.auto.commit} the positions of
 * the partitions being revoked are committed, then {@link #onPartitionsRevoked} (only when some are
 * revoked), then their records stop (none is returned after this, buffered ones included), then the
 * new partitions are positioned at their committed offsets and {@link #onPartitionsAssigned} runs
 * (with the partitions added, possibly none).
 */
public interface ConsumerRebalanceListener {

    /**
     * The consumer is about to give up {@code partitions}; they are still assigned (and readable
     * with {@code position}) during the call. Commit what was processed here when committing
     * manually.
     */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /** {@code partitions} were added; their positions are the committed offsets (or auto.offset.reset). */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * The consumer lost {@code partitions} without giving them up: the coordinator fenced it
     * (its session ran out, or it did not poll within {@code max.poll.interval.ms}) and they may
     * be another member's already, so committing them fails. The default calls
     * {@link #onPartitionsRevoked}, as Kafka's.
     */
    default void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }
}
