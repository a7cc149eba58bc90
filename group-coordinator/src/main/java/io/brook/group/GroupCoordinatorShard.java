package io.brook.group;

import io.brook.api.internal.group.GroupRecordKey;
import io.brook.api.internal.group.GroupValue;
import io.brook.api.internal.group.MemberValue;
import io.brook.api.internal.group.OffsetValue;
import io.brook.api.v1.CommittedOffset;
import io.brook.api.v1.ConsumerGroupHeartbeatRequest;
import io.brook.api.v1.ConsumerGroupHeartbeatResponse;
import io.brook.api.v1.DeleteGroupResult;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.GroupDescription;
import io.brook.api.v1.GroupListing;
import io.brook.api.v1.GroupMemberDescription;
import io.brook.api.v1.GroupPartition;
import io.brook.api.v1.OffsetCommitPartition;
import io.brook.api.v1.OffsetCommitPartitionResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopic;
import io.brook.api.v1.OffsetCommitTopicResponse;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.api.v1.TopicPartitions;
import io.brook.group.internal.ConsumerGroup;
import io.brook.group.internal.Member;
import io.brook.group.internal.Partitions;
import io.brook.group.internal.Reconciliation;
import io.brook.group.internal.UniformAssignor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The groups one {@code __consumer_offsets} partition coordinates, and every operation on them.
 *
 * <p><b>State changes only by records.</b> An operation reads the state, decides, and returns the
 * records that express its decision together with its answer; the caller writes the records to the
 * partition and, once they are committed, {@linkplain #replay replays} them here and only then sends
 * the answer. A new coordinator rebuilds the same state by replaying the partition. Operations must
 * therefore run one at a time, each after the previous one's records were replayed (or, if writing
 * them failed, after the state was rebuilt from the partition). The only state not in records is the
 * members' deadlines (session and revocation timeouts), which a load starts afresh.
 *
 * <p><b>Membership (KIP-848).</b> The group epoch moves on every change of membership, subscription,
 * or subscribed topics' partitions; the target assignment ({@link UniformAssignor}) is then computed
 * for the new epoch at once. Each member moves towards its target on its own heartbeats
 * ({@link Reconciliation}): it first gives up what it must (keeping its epoch), and only then takes
 * the new epoch and the partitions nobody else holds.
 *
 * <p>Not thread-safe; deterministic: the time is passed in, member ids come from the given randomness.
 */
public final class GroupCoordinatorShard {
    /** An operation's records (to write, then replay) and its answer (to send once they are committed). */
    public record Result<T>(List<GroupRecord> records, T response) {
        public static <T> Result<T> of(T response) {
            return new Result<>(List.of(), response);
        }
    }

    public static final String GROUP_TYPE = "consumer";
    public static final String ASSIGNOR = "uniform";
    /**
     * The most offset tombstones one {@link #poll} returns (they are written as one batch, which must
     * stay under the partition's max.message.bytes); the rest follow at the next polls.
     */
    static final int MAX_RECORDS_PER_POLL = 2_000;

    private record MemberRef(String group, String member) {}

    private final int coordinatorId;
    private final GroupConfig config;
    private final Supplier<Map<String, Integer>> topics;
    private final RandomGenerator random;
    private final SortedMap<String, ConsumerGroup> groups = new TreeMap<>();
    private final Map<MemberRef, Long> sessionDeadlines = new HashMap<>();
    private final Map<MemberRef, Long> revocationDeadlines = new HashMap<>();
    private Map<String, Integer> topicsSeen = Map.of();
    private long nextRetentionCheckMs = Long.MIN_VALUE;

    /**
     * @param coordinatorId this broker (shown in describe and list answers)
     * @param topics        the cluster's topics that groups may subscribe to (name to partition count),
     *                      read at each operation
     * @param random        where member ids come from when a joining member brings none
     */
    public GroupCoordinatorShard(int coordinatorId, GroupConfig config, Supplier<Map<String, Integer>> topics,
            RandomGenerator random) {
        this.coordinatorId = coordinatorId;
        this.config = config;
        this.topics = topics;
        this.random = random;
    }

    // -------------------------------------------------------------------------------- membership

    /** A member's heartbeat: join, stay, reconcile, leave. */
    public Result<ConsumerGroupHeartbeatResponse> heartbeat(ConsumerGroupHeartbeatRequest request, String clientHost,
            long nowMs) {
        String groupId = request.getGroupId();
        int epoch = request.getMemberEpoch();
        if (groupId.isEmpty()) {
            return heartbeatError(ErrorCode.INVALID_GROUP_ID, "The group id must not be empty.");
        }
        if (epoch < -2) {
            return heartbeatError(ErrorCode.INVALID_REQUEST, "Invalid member epoch " + epoch
                    + ": 0 joins, -1 leaves, -2 leaves for now (static members), otherwise the epoch last received.");
        }
        if (request.getMemberId().isEmpty() && epoch != 0) {
            return heartbeatError(ErrorCode.INVALID_REQUEST, "A member id is required except when joining (epoch 0).");
        }
        ConsumerGroup stored = groups.get(groupId);
        if (epoch < 0) {
            return leave(stored, request, nowMs);
        }
        Map<String, Integer> existing = topics.get();
        if (request.getSubscriptionChanged() && !request.getSubscribedTopicRegex().isEmpty()) {
            try {
                Pattern.compile(request.getSubscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                return heartbeatError(ErrorCode.INVALID_REQUEST, "Invalid subscribed_topic_regex '"
                        + request.getSubscribedTopicRegex() + "': " + e.getDescription());
            }
        }
        ConsumerGroup work = stored == null ? new ConsumerGroup(groupId) : stored.copy();
        String memberId = request.getMemberId();
        Member before;
        Member member;
        boolean membershipChanged = false;
        String replaced = null;
        if (epoch == 0) {
            if (!request.getSubscriptionChanged() || request.getSubscribedTopicNamesCount() == 0
                    && request.getSubscribedTopicRegex().isEmpty()) {
                return heartbeatError(ErrorCode.INVALID_REQUEST,
                        "A joining member (epoch 0) must send its subscription: topic names or a regex.");
            }
            if (request.getRebalanceTimeoutMs() <= 0) {
                return heartbeatError(ErrorCode.INVALID_REQUEST,
                        "A joining member must send rebalance_timeout_ms (max.poll.interval.ms) > 0.");
            }
            int sessionTimeout = request.getSessionTimeoutMs() == 0 ? config.sessionTimeoutMs()
                    : request.getSessionTimeoutMs();
            if (sessionTimeout < config.minSessionTimeoutMs() || sessionTimeout > config.maxSessionTimeoutMs()) {
                return heartbeatError(ErrorCode.INVALID_SESSION_TIMEOUT, "session.timeout.ms " + sessionTimeout
                        + " is outside the broker's range [" + config.minSessionTimeoutMs() + ", "
                        + config.maxSessionTimeoutMs() + "] (group.consumer.min/max.session.timeout.ms).");
            }
            if (memberId.isEmpty()) {
                memberId = new UUID(random.nextLong(), random.nextLong()).toString();
            }
            Member sameInstance = request.getInstanceId().isEmpty() ? null : work.members.values().stream()
                    .filter(m -> m.instanceId().equals(request.getInstanceId())).findFirst().orElse(null);
            if (sameInstance != null && !sameInstance.memberId().equals(memberId)) {
                // A static member's new incarnation takes over its partitions and epoch: no rebalance.
                work.members.remove(sameInstance.memberId());
                replaced = sameInstance.memberId();
                before = sameInstance;
                member = sameInstance.withMemberId(memberId).withLeftTemporarily(false);
            } else if (work.members.containsKey(memberId)) {
                // A member rejoining has dropped what it owned: it starts again from its target.
                before = work.members.get(memberId);
                member = before.withAssignment(0, 0, Partitions.EMPTY, Partitions.EMPTY).withLeftTemporarily(false);
            } else {
                if (work.members.size() >= config.maxGroupSize()) {
                    return heartbeatError(ErrorCode.GROUP_MAX_SIZE_REACHED, "Group " + groupId + " has "
                            + work.members.size() + " members, the most group.consumer.max.size allows.");
                }
                before = null;
                member = Member.joining(memberId);
                membershipChanged = true;
            }
            member = member.withClient(request.getInstanceId(), request.getClientId(), clientHost,
                    request.getRebalanceTimeoutMs(), sessionTimeout);
        } else {
            member = work.members.get(memberId);
            if (member == null && !request.getInstanceId().isEmpty() && work.members.values().stream()
                    .anyMatch(m -> m.instanceId().equals(request.getInstanceId()))) {
                return heartbeatError(ErrorCode.FENCED_INSTANCE_ID, "Another consumer with group.instance.id "
                        + request.getInstanceId() + " joined group " + groupId + " and took over member " + memberId
                        + "'s partitions; two consumers must not share an instance id.");
            }
            if (member == null) {
                return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId
                        + " (removed after its session or rebalance timeout?); rejoin with epoch 0.");
            }
            SortedMap<String, SortedSet<Integer>> owned = request.getOwnedChanged()
                    ? Partitions.fromProto(request.getOwnedPartitionsList()) : null;
            if (epoch > member.memberEpoch() || epoch < member.memberEpoch() && !(epoch == member.previousMemberEpoch()
                    && (owned == null || Partitions.minus(owned, member.assigned()).isEmpty()))) {
                return heartbeatError(ErrorCode.FENCED_MEMBER_EPOCH, "Member " + memberId + " of group " + groupId
                        + " sent epoch " + epoch + " but its epoch is " + member.memberEpoch()
                        + "; it must rejoin with epoch 0.");
            }
            before = member;
            member = member.withLeftTemporarily(false);
        }
        if (request.getSubscriptionChanged()) {
            Member resubscribed = member.withSubscription(request.getSubscribedTopicNamesList(),
                    request.getSubscribedTopicRegex());
            membershipChanged |= !resubscribed.subscribedTopicNames().equals(member.subscribedTopicNames())
                    || !resubscribed.subscribedTopicRegex().equals(member.subscribedTopicRegex());
            member = resubscribed;
        }
        work.members.put(memberId, member);
        if (stored == null || stored.members.isEmpty()) {
            work.emptySinceMs = -1;
        }
        updateAssignment(work, membershipChanged, existing);

        member = work.members.get(memberId);
        boolean joined = epoch == 0;
        SortedMap<String, SortedSet<Integer>> owned = request.getOwnedChanged() || joined
                ? Partitions.fromProto(request.getOwnedPartitionsList()) : null;
        String self = memberId;
        Member reconciled = Reconciliation.reconcile(member, work.assignmentEpoch, owned,
                (topic, partition) -> work.members.values().stream()
                        .anyMatch(m -> !m.memberId().equals(self) && m.holds(topic, partition)));
        work.members.put(memberId, reconciled);

        List<GroupRecord> records = diff(stored, work);
        MemberRef ref = new MemberRef(groupId, memberId);
        if (replaced != null) {
            sessionDeadlines.remove(new MemberRef(groupId, replaced));
            revocationDeadlines.remove(new MemberRef(groupId, replaced));
        }
        sessionDeadlines.put(ref, nowMs + reconciled.sessionTimeoutMs());
        if (reconciled.pendingRevocation().isEmpty()) {
            revocationDeadlines.remove(ref);
        } else if (!revocationDeadlines.containsKey(ref)) {
            revocationDeadlines.put(ref, nowMs + reconciled.rebalanceTimeoutMs());
        }
        ConsumerGroupHeartbeatResponse.Builder response = ConsumerGroupHeartbeatResponse.newBuilder()
                .setErrorCode(ErrorCode.NONE).setMemberId(memberId).setMemberEpoch(reconciled.memberEpoch())
                .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
        // The assignment is sent whenever the member may not know it: on join, when it changed, when
        // the member reports something else, when its epoch moves (an answer may have been lost), and
        // while it is revoking (it must learn what to give up even if the first answer was lost).
        if (joined || before == null || !before.assigned().equals(reconciled.assigned())
                || owned != null && !owned.equals(reconciled.assigned()) || epoch != reconciled.memberEpoch()
                || !reconciled.pendingRevocation().isEmpty()) {
            response.setHasAssignment(true).addAllAssignment(Partitions.toProto(reconciled.assigned()));
        }
        return new Result<>(records, response.build());
    }

    private Result<ConsumerGroupHeartbeatResponse> leave(ConsumerGroup stored, ConsumerGroupHeartbeatRequest request,
            long nowMs) {
        String memberId = request.getMemberId();
        Member member = stored == null ? null : stored.members.get(memberId);
        ConsumerGroupHeartbeatResponse.Builder response = ConsumerGroupHeartbeatResponse.newBuilder()
                .setErrorCode(ErrorCode.NONE).setMemberId(memberId).setMemberEpoch(request.getMemberEpoch())
                .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
        if (member == null) {
            return Result.of(response.build()); // gone already: a repeated leave (its answer was lost)
        }
        ConsumerGroup work = stored.copy();
        if (request.getMemberEpoch() == -2 && member.isStatic()) {
            // Leaves for now: keeps its partitions for its session timeout, for its next incarnation.
            work.members.put(memberId, member.withLeftTemporarily(true));
        } else {
            removeMembers(work, List.of(memberId), nowMs);
            response.setMemberEpoch(-1);
        }
        return new Result<>(diff(stored, work), response.build());
    }

    private void removeMembers(ConsumerGroup work, Collection<String> memberIds, long nowMs) {
        for (String id : memberIds) {
            work.members.remove(id);
            sessionDeadlines.remove(new MemberRef(work.groupId(), id));
            revocationDeadlines.remove(new MemberRef(work.groupId(), id));
        }
        if (work.members.isEmpty()) {
            work.emptySinceMs = nowMs;
        }
        updateAssignment(work, true, topics.get());
    }

    /**
     * Bumps the group epoch when membership changed or the subscribed topics' partitions did, and
     * computes the target assignment for a new epoch.
     */
    private void updateAssignment(ConsumerGroup work, boolean membershipChanged, Map<String, Integer> existing) {
        SortedMap<String, Integer> subscribed = new TreeMap<>();
        for (Member m : work.members.values()) {
            for (String topic : m.subscribedTopics(existing.keySet())) {
                subscribed.put(topic, existing.get(topic));
            }
        }
        if (membershipChanged || !subscribed.equals(work.subscribedTopics)) {
            work.groupEpoch++;
            work.subscribedTopics = subscribed;
        }
        if (work.groupEpoch <= work.assignmentEpoch) {
            return;
        }
        List<UniformAssignor.Member> inputs = new ArrayList<>();
        for (Member m : work.members.values()) {
            inputs.add(new UniformAssignor.Member(m.memberId(), m.subscribedTopics(existing.keySet()),
                    java.util.Collections.unmodifiableMap(m.target())));
        }
        Map<String, Map<String, Set<Integer>>> targets = UniformAssignor.assign(inputs, existing);
        for (Member m : List.copyOf(work.members.values())) {
            work.members.put(m.memberId(), m.withTarget(Partitions.of(targets.getOrDefault(m.memberId(), Map.of()))));
        }
        work.assignmentEpoch = work.groupEpoch;
    }

    private static Result<ConsumerGroupHeartbeatResponse> heartbeatError(ErrorCode code, String message) {
        return Result.of(ConsumerGroupHeartbeatResponse.newBuilder().setErrorCode(code).setErrorMessage(message).build());
    }

    // ------------------------------------------------------------------------------------ offsets

    /** Commits offsets, fenced by the member epoch (or, without a member, only while the group has none). */
    public Result<OffsetCommitResponse> commitOffsets(OffsetCommitRequest request, long nowMs) {
        String groupId = request.getGroupId();
        if (groupId.isEmpty()) {
            return commitError(ErrorCode.INVALID_GROUP_ID, "The group id must not be empty.");
        }
        ConsumerGroup group = groups.get(groupId);
        List<GroupRecord> records = new ArrayList<>();
        if (request.getMemberId().isEmpty()) {
            if (group != null && !group.members.isEmpty()) {
                return commitError(ErrorCode.NON_EMPTY_GROUP, "Group " + groupId + " has " + group.members.size()
                        + " active member(s); only they may commit its offsets.");
            }
            if (group == null) {
                ConsumerGroup created = new ConsumerGroup(groupId);
                created.emptySinceMs = nowMs;
                records.add(GroupRecord.group(groupId, created.toValue()));
            }
        } else {
            Member member = group == null ? null : group.members.get(request.getMemberId());
            if (member == null) {
                return commitError(ErrorCode.UNKNOWN_MEMBER_ID, "Member " + request.getMemberId()
                        + " is not in group " + groupId + "; nothing was committed.");
            }
            if (request.getMemberEpoch() < member.memberEpoch() && !(request.getMemberEpoch() > 0
                    && request.getMemberEpoch() == member.previousMemberEpoch() && holdsAll(member, request))) {
                return commitError(ErrorCode.STALE_MEMBER_EPOCH, "Member " + request.getMemberId() + " committed with "
                        + "epoch " + request.getMemberEpoch() + " but is at epoch " + member.memberEpoch()
                        + "; nothing was committed.");
            }
            if (request.getMemberEpoch() > member.memberEpoch()) {
                return commitError(ErrorCode.FENCED_MEMBER_EPOCH, "Member " + request.getMemberId() + " committed with "
                        + "epoch " + request.getMemberEpoch() + ", newer than its epoch " + member.memberEpoch() + ".");
            }
        }
        OffsetCommitResponse.Builder response = OffsetCommitResponse.newBuilder().setErrorCode(ErrorCode.NONE);
        for (OffsetCommitTopic topic : request.getTopicsList()) {
            OffsetCommitTopicResponse.Builder topicResponse = OffsetCommitTopicResponse.newBuilder()
                    .setTopic(topic.getTopic());
            for (OffsetCommitPartition p : topic.getPartitionsList()) {
                OffsetCommitPartitionResponse.Builder result = OffsetCommitPartitionResponse.newBuilder()
                        .setPartition(p.getPartition()).setErrorCode(ErrorCode.NONE);
                if (p.getMetadata().getBytes(StandardCharsets.UTF_8).length > config.offsetMetadataMaxBytes()) {
                    result.setErrorCode(ErrorCode.OFFSET_METADATA_TOO_LARGE).setErrorMessage("The metadata of "
                            + topic.getTopic() + "-" + p.getPartition() + " is larger than offset.metadata.max.bytes ("
                            + config.offsetMetadataMaxBytes() + ").");
                } else if (p.getOffset() < 0 || p.getPartition() < 0 || topic.getTopic().isEmpty()) {
                    result.setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage("Invalid commit of "
                            + topic.getTopic() + "-" + p.getPartition() + " at " + p.getOffset()
                            + ": the topic must be named and the partition and offset must not be negative.");
                } else {
                    records.add(GroupRecord.offset(groupId, topic.getTopic(), p.getPartition(),
                            OffsetValue.newBuilder().setOffset(p.getOffset()).setLeaderEpoch(p.getLeaderEpoch())
                                    .setMetadata(p.getMetadata()).setCommitTimestampMs(nowMs).build()));
                }
                topicResponse.addPartitions(result);
            }
            response.addTopics(topicResponse);
        }
        return new Result<>(records, response.build());
    }

    /**
     * Whether the member holds every partition of the commit: then a commit with its previous epoch
     * (sent before the answer that moved it on arrived) is safe, since nobody else can own them.
     */
    private static boolean holdsAll(Member member, OffsetCommitRequest request) {
        for (OffsetCommitTopic topic : request.getTopicsList()) {
            for (OffsetCommitPartition p : topic.getPartitionsList()) {
                if (!member.holds(topic.getTopic(), p.getPartition())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Result<OffsetCommitResponse> commitError(ErrorCode code, String message) {
        return Result.of(OffsetCommitResponse.newBuilder().setErrorCode(code).setErrorMessage(message).build());
    }

    /** The committed offsets asked for (every one the group has when none are named); -1 where none. */
    public OffsetFetchResponse fetchOffsets(OffsetFetchRequest request) {
        ConsumerGroup group = groups.get(request.getGroupId());
        OffsetFetchResponse.Builder response = OffsetFetchResponse.newBuilder().setErrorCode(ErrorCode.NONE);
        if (request.getTopicsCount() == 0) {
            if (group != null) {
                group.offsets.forEach((topic, partitions) -> partitions.forEach((p, v) ->
                        response.addOffsets(committed(topic, p, v))));
            }
            return response.build();
        }
        for (TopicPartitions topic : request.getTopicsList()) {
            for (int p : topic.getPartitionsList()) {
                OffsetValue value = group == null ? null
                        : group.offsets.getOrDefault(topic.getTopic(), new TreeMap<>()).get(p);
                response.addOffsets(committed(topic.getTopic(), p, value));
            }
        }
        return response.build();
    }

    private static CommittedOffset committed(String topic, int partition, OffsetValue value) {
        CommittedOffset.Builder out = CommittedOffset.newBuilder().setTopic(topic).setPartition(partition);
        if (value == null) {
            return out.setOffset(-1).setLeaderEpoch(-1).build();
        }
        return out.setOffset(value.getOffset()).setLeaderEpoch(value.getLeaderEpoch()).setMetadata(value.getMetadata())
                .setCommitTimestampMs(value.getCommitTimestampMs()).build();
    }

    // -------------------------------------------------------------------------------------- admin

    /** The groups here, in {@code states} (all when empty). */
    public List<GroupListing> listGroups(Collection<String> states) {
        List<GroupListing> out = new ArrayList<>();
        for (ConsumerGroup group : groups.values()) {
            String state = group.state();
            if (states.isEmpty() || states.stream().anyMatch(s -> s.equalsIgnoreCase(state))) {
                out.add(GroupListing.newBuilder().setGroupId(group.groupId()).setState(state).setGroupType(GROUP_TYPE)
                        .setCoordinatorId(coordinatorId).build());
            }
        }
        return out;
    }

    /** Members, assignments and committed offsets; state "Dead" for a group that does not exist. */
    public GroupDescription describe(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        GroupDescription.Builder out = GroupDescription.newBuilder().setGroupId(groupId).setErrorCode(ErrorCode.NONE)
                .setCoordinatorId(coordinatorId).setAssignor(ASSIGNOR);
        if (group == null) {
            return out.setState("Dead").build();
        }
        out.setState(group.state()).setGroupEpoch(group.groupEpoch).setAssignmentEpoch(group.assignmentEpoch);
        SortedMap<String, SortedMap<Integer, GroupPartition.Builder>> partitions = new TreeMap<>();
        group.offsets.forEach((topic, offsets) -> offsets.forEach((p, v) -> partitions
                .computeIfAbsent(topic, t -> new TreeMap<>()).put(p, GroupPartition.newBuilder().setTopic(topic)
                        .setPartition(p).setCommittedOffset(v.getOffset()))));
        for (Member m : group.members.values()) {
            out.addMembers(GroupMemberDescription.newBuilder().setMemberId(m.memberId()).setInstanceId(m.instanceId())
                    .setClientId(m.clientId()).setClientHost(m.clientHost()).setMemberEpoch(m.memberEpoch())
                    .addAllSubscribedTopicNames(m.subscribedTopicNames()).setSubscribedTopicRegex(m.subscribedTopicRegex())
                    .addAllAssignment(Partitions.toProto(Partitions.union(m.assigned(), m.pendingRevocation())))
                    .addAllTargetAssignment(Partitions.toProto(m.target())));
            m.assigned().forEach((topic, numbers) -> numbers.forEach(p -> partitions
                    .computeIfAbsent(topic, t -> new TreeMap<>())
                    .computeIfAbsent(p, x -> GroupPartition.newBuilder().setTopic(topic).setPartition(p)
                            .setCommittedOffset(-1))
                    .setMemberId(m.memberId())));
        }
        partitions.values().forEach(byPartition -> byPartition.values().forEach(p -> out.addPartitions(p)));
        return out.build();
    }

    /** Deletes a group without members, with its offsets. */
    public Result<DeleteGroupResult> deleteGroup(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        DeleteGroupResult.Builder result = DeleteGroupResult.newBuilder().setGroupId(groupId).setErrorCode(ErrorCode.NONE);
        if (group == null) {
            return Result.of(result.setErrorCode(ErrorCode.GROUP_ID_NOT_FOUND)
                    .setErrorMessage("Group " + groupId + " does not exist.").build());
        }
        if (!group.members.isEmpty()) {
            return Result.of(result.setErrorCode(ErrorCode.NON_EMPTY_GROUP).setErrorMessage("Group " + groupId
                    + " has " + group.members.size() + " active member(s); stop them before deleting it.").build());
        }
        return new Result<>(deletion(group), result.build());
    }

    private static List<GroupRecord> deletion(ConsumerGroup group) {
        List<GroupRecord> records = new ArrayList<>();
        group.offsets.forEach((topic, partitions) -> partitions.keySet()
                .forEach(p -> records.add(GroupRecord.offset(group.groupId(), topic, p, null))));
        records.add(GroupRecord.group(group.groupId(), null));
        return records;
    }

    // ------------------------------------------------------------------------------------- timers

    /**
     * What time and topic changes call for: members whose session or revocation timeout ran out are
     * removed; groups whose subscribed topics changed get a new epoch and target; offsets of empty groups
     * expire after {@code offsets.retention.minutes}, and empty groups without offsets go. Call it often
     * (every 100 ms or so).
     */
    public List<GroupRecord> poll(long nowMs) {
        List<GroupRecord> records = new ArrayList<>();
        Map<String, Integer> existing = topics.get();
        boolean topicsChanged = !existing.equals(topicsSeen);
        topicsSeen = Map.copyOf(existing);
        for (ConsumerGroup stored : groups.values()) {
            List<String> expired = new ArrayList<>();
            for (Member m : stored.members.values()) {
                MemberRef ref = new MemberRef(stored.groupId(), m.memberId());
                if (sessionDeadlines.getOrDefault(ref, Long.MAX_VALUE) <= nowMs
                        || revocationDeadlines.getOrDefault(ref, Long.MAX_VALUE) <= nowMs) {
                    expired.add(m.memberId());
                }
            }
            if (!expired.isEmpty()) {
                ConsumerGroup work = stored.copy();
                removeMembers(work, expired, nowMs);
                records.addAll(diff(stored, work));
            } else if (topicsChanged && !stored.members.isEmpty()) {
                ConsumerGroup work = stored.copy();
                updateAssignment(work, false, existing);
                records.addAll(diff(stored, work));
            }
        }
        if (nowMs >= nextRetentionCheckMs) {
            nextRetentionCheckMs = nowMs + config.offsetsRetentionCheckIntervalMs();
            boolean more = false;
            for (ConsumerGroup group : groups.values()) {
                if (!group.members.isEmpty() || group.emptySinceMs < 0) {
                    continue;
                }
                int total = 0;
                int expired = 0;
                for (Map.Entry<String, SortedMap<Integer, OffsetValue>> topic : group.offsets.entrySet()) {
                    for (Map.Entry<Integer, OffsetValue> p : topic.getValue().entrySet()) {
                        total++;
                        if (nowMs - Math.max(p.getValue().getCommitTimestampMs(), group.emptySinceMs)
                                >= config.offsetsRetentionMs()) {
                            if (records.size() >= MAX_RECORDS_PER_POLL) {
                                more = true;
                                continue;
                            }
                            records.add(GroupRecord.offset(group.groupId(), topic.getKey(), p.getKey(), null));
                            expired++;
                        }
                    }
                }
                if (total == expired && nowMs - group.emptySinceMs >= config.offsetsRetentionMs()) {
                    records.add(GroupRecord.group(group.groupId(), null));
                }
            }
            if (more) {
                nextRetentionCheckMs = nowMs; // the rest at the next poll, in batches that fit
            }
        }
        return records;
    }

    // ------------------------------------------------------------------------------------- replay

    /** Applies a committed record (written by an operation here, or read from the partition on load). */
    public void replay(GroupRecord record, long nowMs) {
        GroupRecordKey key = record.key();
        switch (key.getKeyCase()) {
            case GROUP -> {
                if (record.tombstone()) {
                    groups.remove(key.getGroup());
                    sessionDeadlines.keySet().removeIf(r -> r.group().equals(key.getGroup()));
                    revocationDeadlines.keySet().removeIf(r -> r.group().equals(key.getGroup()));
                } else {
                    group(key.getGroup()).apply((GroupValue) record.value());
                }
            }
            case MEMBER -> {
                ConsumerGroup group = group(key.getMember().getGroup());
                String id = key.getMember().getMemberId();
                MemberRef ref = new MemberRef(group.groupId(), id);
                if (record.tombstone()) {
                    group.members.remove(id);
                    sessionDeadlines.remove(ref);
                    revocationDeadlines.remove(ref);
                } else {
                    Member member = Member.fromValue(id, (MemberValue) record.value());
                    group.members.put(id, member);
                    sessionDeadlines.putIfAbsent(ref, nowMs + member.sessionTimeoutMs());
                    if (member.pendingRevocation().isEmpty()) {
                        revocationDeadlines.remove(ref);
                    } else {
                        revocationDeadlines.putIfAbsent(ref, nowMs + member.rebalanceTimeoutMs());
                    }
                }
            }
            case OFFSET -> {
                ConsumerGroup group = group(key.getOffset().getGroup());
                String topic = key.getOffset().getTopic();
                if (record.tombstone()) {
                    SortedMap<Integer, OffsetValue> partitions = group.offsets.get(topic);
                    if (partitions != null) {
                        partitions.remove(key.getOffset().getPartition());
                        if (partitions.isEmpty()) {
                            group.offsets.remove(topic);
                        }
                    }
                } else {
                    group.offsets.computeIfAbsent(topic, t -> new TreeMap<>())
                            .put(key.getOffset().getPartition(), (OffsetValue) record.value());
                }
            }
            case KEY_NOT_SET -> throw new IllegalArgumentException("a group record without a key");
        }
    }

    private ConsumerGroup group(String groupId) {
        return groups.computeIfAbsent(groupId, ConsumerGroup::new);
    }

    /** The records that turn {@code stored} (null: no group yet) into {@code work}. */
    private static List<GroupRecord> diff(ConsumerGroup stored, ConsumerGroup work) {
        List<GroupRecord> records = new ArrayList<>();
        GroupValue value = work.toValue();
        if (stored == null || !stored.toValue().equals(value)) {
            records.add(GroupRecord.group(work.groupId(), value));
        }
        if (stored != null) {
            for (String id : stored.members.keySet()) {
                if (!work.members.containsKey(id)) {
                    records.add(GroupRecord.member(work.groupId(), id, null));
                }
            }
        }
        for (Member m : work.members.values()) {
            if (stored == null || !Objects.equals(stored.members.get(m.memberId()), m)) {
                records.add(GroupRecord.member(work.groupId(), m.memberId(), m.toValue()));
            }
        }
        return records;
    }

    // ---------------------------------------------------------------------------------- for tests

    /** The group ids here. */
    public Set<String> groupIds() {
        return new TreeSet<>(groups.keySet());
    }

    /** A member as stored, or null (for tests and checks). */
    public Member member(String groupId, String memberId) {
        ConsumerGroup group = groups.get(groupId);
        return group == null ? null : group.members.get(memberId);
    }

    /** The members as stored, by id (for tests and checks). */
    public Map<String, Member> members(String groupId) {
        ConsumerGroup group = groups.get(groupId);
        return group == null ? Map.of() : Map.copyOf(group.members);
    }
}
