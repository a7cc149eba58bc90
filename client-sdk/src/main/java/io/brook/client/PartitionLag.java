package io.brook.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One partition of a consumer group as {@link BrookAdmin#describeGroups} reports it: the group's
 * committed offset, the partition's log end offset, how far the group is behind, and the member
 * that owns the partition now.
 *
 * <p>{@code logEndOffset} is the high watermark (the offset the next committed record gets, as
 * {@link OffsetSpec#latest()} finds it on the leader). {@code lag} is {@code logEndOffset -
 * committedOffset}, at least 0 (a committed offset beyond the log end, after the log was
 * truncated, counts as no lag). When the group committed nothing for the partition, the lag is
 * {@code logEndOffset - logStartOffset}: every retained record is unread. That is what a member
 * starting with {@code auto.offset.reset=earliest} has to read; one starting with {@code latest}
 * would skip them, so for such a group it is an upper bound.
 *
 * @param committedOffset the next offset the group will consume, empty when it committed none
 * @param logEndOffset empty when the partition no longer exists (its topic was deleted)
 * @param lag empty when {@code logEndOffset} is
 * @param memberId the member owning the partition now, empty when none does
 */
public record PartitionLag(TopicPartition partition, OptionalLong committedOffset, OptionalLong logEndOffset,
        OptionalLong lag, Optional<String> memberId) {
    public PartitionLag {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(committedOffset, "committedOffset");
        Objects.requireNonNull(logEndOffset, "logEndOffset");
        Objects.requireNonNull(lag, "lag");
        memberId = memberId == null ? Optional.empty() : memberId;
    }
}
