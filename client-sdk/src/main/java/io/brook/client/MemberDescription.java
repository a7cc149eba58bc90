package io.brook.client;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One member of a consumer group, as its coordinator describes it (KIP-848's consumer protocol).
 *
 * @param memberId the member's id (chosen by the consumer, or by the coordinator on its first join)
 * @param instanceId {@code group.instance.id} of a static member, empty for a dynamic one
 * @param clientHost the address the member's heartbeats came from
 * @param memberEpoch the epoch of the member's last heartbeat answer
 * @param subscribedTopics the topic names it subscribes to (empty when it subscribes by regex)
 * @param subscribedRegex the regular expression it subscribes with, if any
 * @param assignment the partitions it owns now, in topic-then-partition order
 * @param targetAssignment the partitions the assignor decided for it (equal to {@code assignment}
 *     once it has reconciled), in topic-then-partition order
 */
public record MemberDescription(String memberId, Optional<String> instanceId, String clientId, String clientHost,
        int memberEpoch, List<String> subscribedTopics, Optional<String> subscribedRegex,
        Set<TopicPartition> assignment, Set<TopicPartition> targetAssignment) {
    public MemberDescription {
        Objects.requireNonNull(memberId, "memberId");
        instanceId = instanceId == null ? Optional.empty() : instanceId;
        clientId = clientId == null ? "" : clientId;
        clientHost = clientHost == null ? "" : clientHost;
        subscribedTopics = List.copyOf(subscribedTopics);
        subscribedRegex = subscribedRegex == null ? Optional.empty() : subscribedRegex;
        assignment = Collections.unmodifiableSet(new TreeSet<>(assignment));
        targetAssignment = Collections.unmodifiableSet(new TreeSet<>(targetAssignment));
    }
}
