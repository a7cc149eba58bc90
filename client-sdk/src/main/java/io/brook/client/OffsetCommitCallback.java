package io.brook.client;

import java.util.Map;

/**
 * The outcome of a {@link BrookConsumer#commitAsync} call. Runs on the application's thread, inside
 * a later {@code poll}, {@code commitSync}, {@code commitAsync} or {@code close}, in the order the
 * commits were made.
 */
@FunctionalInterface
public interface OffsetCommitCallback {

    /**
     * @param offsets what was to be committed
     * @param exception null when committed; otherwise why not ({@link CommitFailedException} when
     *     the consumer is no longer the member it was)
     */
    void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, Exception exception);
}
