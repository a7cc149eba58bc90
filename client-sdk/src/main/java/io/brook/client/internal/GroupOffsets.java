package io.brook.client.internal;

import io.brook.api.v1.CommittedOffset;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.OffsetCommitPartition;
import io.brook.api.v1.OffsetCommitPartitionResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopic;
import io.brook.api.v1.OffsetCommitTopicResponse;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.client.BrookException;
import io.brook.client.CommitFailedException;
import io.brook.client.OffsetAndMetadata;
import io.brook.client.OffsetCommitCallback;
import io.brook.client.TimeoutException;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's committed offsets: OffsetCommit (blocking or not) and OffsetFetch at the group's
 * coordinator, each carrying the member id and epoch of the moment it is made. A coordinator that
 * moved or is loading is found again and the same request retried ({@link CoordinatorLookup});
 * any other group-level refusal ends the commit — above all UNKNOWN_MEMBER_ID,
 * STALE_MEMBER_EPOCH and FENCED_MEMBER_EPOCH, which are a {@link CommitFailedException} and are
 * never retried with another epoch (the partitions may be another member's by now).
 *
 * <p>Used by the application thread only, except that asynchronous commits complete on transport
 * threads: their callbacks are queued and run by {@link #runCompletedCallbacks} on the application
 * thread. Asynchronous commits are chained so that they reach the coordinator in the order made,
 * and a synchronous commit first waits for them.
 */
public final class GroupOffsets {
    private static final Logger log = LoggerFactory.getLogger(GroupOffsets.class);

    private final String groupId;
    private final CoordinatorLookup coordinators;
    private final Clock clock;
    private final Backoff backoff;
    private final long requestTimeoutMs;
    private final long apiTimeoutMs;
    private final ConcurrentLinkedQueue<Runnable> completed = new ConcurrentLinkedQueue<>();
    private CompletableFuture<Void> lastAsync = CompletableFuture.completedFuture(null);
    private volatile boolean autoCommitInFlight;

    public GroupOffsets(String groupId, CoordinatorLookup coordinators, Clock clock, Backoff backoff,
            long requestTimeoutMs, long apiTimeoutMs) {
        this.groupId = groupId;
        this.coordinators = coordinators;
        this.clock = clock;
        this.backoff = backoff;
        this.requestTimeoutMs = requestTimeoutMs;
        this.apiTimeoutMs = apiTimeoutMs;
    }

    /**
     * Commits {@code offsets} as {@code member} and waits for the answer, after the asynchronous
     * commits made before it.
     *
     * @throws CommitFailedException when the coordinator no longer knows the member at that epoch
     * @throws TimeoutException when there was no answer within {@code timeoutMs}
     */
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, GroupMembership.Member member,
            long timeoutMs) {
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // (lastAsync never fails: each commit's outcome goes to its callback)
        Futures.get(lastAsync, Math.max(1, timeoutMs), "earlier asynchronous commits of group " + groupId);
        runCompletedCallbacks();
        if (offsets.isEmpty()) {
            return;
        }
        OffsetCommitRequest request = commitRequest(offsets, member);
        long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()));
        OffsetCommitResponse response = coordinators.call(groupId,
                connection -> connection.offsetCommit(request, Math.min(requestTimeoutMs, remainingMs)),
                OffsetCommitResponse::getErrorCode, remainingMs, "the offset commit of group " + groupId);
        check(response, member);
    }

    /**
     * Commits {@code offsets} without waiting; {@code callback} (may be null) runs on the
     * application thread in a later {@link #runCompletedCallbacks}.
     */
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, GroupMembership.Member member,
            OffsetCommitCallback callback) {
        Map<TopicPartition, OffsetAndMetadata> copy = Map.copyOf(offsets);
        if (copy.isEmpty()) {
            if (callback != null) {
                completed.add(() -> callback.onComplete(copy, null));
            }
            return;
        }
        OffsetCommitRequest request = commitRequest(copy, member);
        long deadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(apiTimeoutMs);
        lastAsync = lastAsync.handle((v, e) -> null)
                .thenCompose(v -> commitWithRetries(request, deadline, 0))
                .handle((response, error) -> {
                    Exception failure = null;
                    if (error != null) {
                        failure = Futures.asBrook(error);
                    } else {
                        try {
                            check(response, member);
                        } catch (BrookException e) {
                            failure = e;
                        }
                    }
                    Exception outcome = failure;
                    if (callback != null) {
                        completed.add(() -> callback.onComplete(copy, outcome));
                    } else if (outcome != null) {
                        log.warn("Consumer group {}: asynchronous commit of {} failed: {}", groupId, copy.keySet(),
                                outcome.getMessage());
                    }
                    return null;
                });
    }

    /**
     * Commits {@code positions} asynchronously as auto-commit does: at most one such commit in
     * flight, failures logged.
     */
    public void autoCommit(Map<TopicPartition, OffsetAndMetadata> positions, GroupMembership.Member member) {
        if (autoCommitInFlight || positions.isEmpty()) {
            return;
        }
        autoCommitInFlight = true;
        commitAsync(positions, member, (offsets, error) -> {
            if (error != null) {
                log.warn("Consumer group {}: auto-commit of {} failed: {}", groupId, offsets, error.getMessage());
            } else {
                log.debug("Consumer group {}: auto-committed {}", groupId, offsets);
            }
        });
        lastAsync = lastAsync.whenComplete((v, e) -> autoCommitInFlight = false);
    }

    /** Runs the callbacks of the asynchronous commits that finished, in the order made. */
    public void runCompletedCallbacks() {
        for (Runnable callback; (callback = completed.poll()) != null; ) {
            callback.run();
        }
    }

    /** Waits up to {@code timeoutMs} for the asynchronous commits in flight, then runs their callbacks. */
    public void awaitAsync(long timeoutMs) {
        try {
            Futures.get(lastAsync, Math.max(1, timeoutMs), "asynchronous commits of group " + groupId);
        } catch (BrookException e) {
            log.warn("Consumer group {}: asynchronous commits still unanswered at close: {}", groupId, e.getMessage());
        }
        runCompletedCallbacks();
    }

    /**
     * The committed offsets of {@code partitions} (null for a partition without one).
     *
     * @throws TimeoutException when there was no answer within {@code timeoutMs}
     */
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, long timeoutMs) {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        if (partitions.isEmpty()) {
            return result;
        }
        OffsetFetchRequest request = OffsetFetchRequest.newBuilder().setGroupId(groupId)
                .addAllTopics(GroupMembership.byTopic(partitions)).build();
        OffsetFetchResponse response = coordinators.call(groupId,
                connection -> connection.offsetFetch(request, Math.min(requestTimeoutMs, Math.max(1, timeoutMs))),
                OffsetFetchResponse::getErrorCode, timeoutMs, "the committed offsets of group " + groupId);
        if (response.getErrorCode() != ErrorCode.NONE) {
            throw Errors.exception(response.getErrorCode(), "Could not read the committed offsets of group " + groupId
                    + ": " + response.getErrorCode() + message(response.getErrorMessage()) + ".");
        }
        partitions.forEach(p -> result.put(p, null));
        for (CommittedOffset offset : response.getOffsetsList()) {
            TopicPartition partition = new TopicPartition(offset.getTopic(), offset.getPartition());
            if (partitions.contains(partition) && offset.getOffset() >= 0) {
                result.put(partition, new OffsetAndMetadata(offset.getOffset(),
                        offset.getLeaderEpoch() >= 0 ? Optional.of(offset.getLeaderEpoch()) : Optional.empty(),
                        offset.getMetadata()));
            }
        }
        return result;
    }

    private CompletableFuture<OffsetCommitResponse> commitWithRetries(OffsetCommitRequest request, long deadline,
            int attempt) {
        CompletableFuture<OffsetCommitResponse> answer;
        try {
            answer = coordinators.coordinator(groupId)
                    .thenCompose(connection -> connection.offsetCommit(request, requestTimeoutMs));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((response, error) -> {
            if (error == null && !CoordinatorLookup.coordinatorMoved(response.getErrorCode())) {
                return CompletableFuture.completedFuture(response);
            }
            coordinators.invalidate(groupId);
            BrookException failure = error != null ? Futures.asBrook(error)
                    : Errors.exception(response.getErrorCode(), "coordinator of group " + groupId + ": "
                            + response.getErrorCode());
            if (!failure.retriable() || deadline - clock.nanoseconds() <= 0) {
                return CompletableFuture.<OffsetCommitResponse>failedFuture(failure);
            }
            long waitMs = backoff.delayMs(attempt);
            if (waitMs <= 0) {
                return commitWithRetries(request, deadline, attempt + 1);
            }
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(waitMs, TimeUnit.MILLISECONDS))
                    .thenCompose(v -> commitWithRetries(request, deadline, attempt + 1));
        }).thenCompose(f -> f);
    }

    private OffsetCommitRequest commitRequest(Map<TopicPartition, OffsetAndMetadata> offsets,
            GroupMembership.Member member) {
        Map<String, OffsetCommitTopic.Builder> topics = new TreeMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : new TreeMap<>(offsets).entrySet()) {
            OffsetAndMetadata offset = entry.getValue();
            topics.computeIfAbsent(entry.getKey().topic(), t -> OffsetCommitTopic.newBuilder().setTopic(t))
                    .addPartitions(OffsetCommitPartition.newBuilder().setPartition(entry.getKey().partition())
                            .setOffset(offset.offset()).setLeaderEpoch(offset.leaderEpoch().orElse(-1))
                            .setMetadata(offset.metadata()));
        }
        OffsetCommitRequest.Builder request = OffsetCommitRequest.newBuilder().setGroupId(groupId)
                .setMemberId(member.memberId()).setMemberEpoch(member.memberEpoch());
        topics.values().forEach(request::addTopics);
        return request.build();
    }

    /** Throws the group-level refusal, or the first partition-level one (the others suppressed). */
    private void check(OffsetCommitResponse response, GroupMembership.Member member) {
        ErrorCode code = response.getErrorCode();
        if (code != ErrorCode.NONE) {
            BrookException error = Errors.exception(code, "");
            if (error instanceof CommitFailedException) {
                throw new CommitFailedException(code, "Could not commit the offsets of group " + groupId + ": the "
                        + "coordinator answered " + code + message(response.getErrorMessage()) + " for member "
                        + member.memberId() + " at epoch " + member.memberEpoch() + ". The consumer is no longer "
                        + "that member (removed after its session or max.poll.interval.ms ran out, or behind the "
                        + "group's epoch): its partitions may be another member's now, and nothing was committed.");
            }
            throw Errors.exception(code, "Could not commit the offsets of group " + groupId + ": " + code
                    + message(response.getErrorMessage()) + ".");
        }
        Map<TopicPartition, BrookException> failures = new LinkedHashMap<>();
        for (OffsetCommitTopicResponse topic : response.getTopicsList()) {
            for (OffsetCommitPartitionResponse p : topic.getPartitionsList()) {
                if (p.getErrorCode() != ErrorCode.NONE) {
                    TopicPartition partition = new TopicPartition(topic.getTopic(), p.getPartition());
                    failures.put(partition, Errors.exception(p.getErrorCode(), "Could not commit the offset of "
                            + partition + " for group " + groupId + ": " + p.getErrorCode()
                            + message(p.getErrorMessage()) + "."));
                }
            }
        }
        if (!failures.isEmpty()) {
            BrookException first = failures.values().iterator().next();
            failures.values().stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static String message(String brokerMessage) {
        return brokerMessage == null || brokerMessage.isEmpty() ? "" : " (" + brokerMessage + ")";
    }
}
