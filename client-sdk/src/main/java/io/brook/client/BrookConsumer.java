package io.brook.client;

import io.brook.client.internal.Backoff;
import io.brook.client.internal.CoordinatorLookup;
import io.brook.client.internal.Fetcher;
import io.brook.client.internal.Futures;
import io.brook.client.internal.GroupMembership;
import io.brook.client.internal.GroupOffsets;
import io.brook.client.internal.HeartbeatDriver;
import io.brook.client.internal.Metadata;
import io.brook.client.internal.OffsetLookup;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import io.brook.common.Clock;
import io.brook.common.ConfigException;
import io.brook.common.ConfigValues;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records, as Kafka's {@code KafkaConsumer}: from partitions it is {@linkplain #assign
 * assigned}, or as a member of the consumer group {@code group.id} from the partitions the group's
 * coordinator hands it for its {@linkplain #subscribe subscription} (Kafka's KIP-848 protocol:
 * the assignment is computed on the server). It fetches from each partition's leader (long-polls
 * bounded by {@code fetch.min.bytes} / {@code fetch.max.wait.ms}), follows leader changes, and
 * starts a partition without a position at its committed offset (groups), else where
 * {@code auto.offset.reset} says. Only records up to the high watermark (replicated to the in-sync
 * replicas) are ever returned, and only of partitions it holds at that moment.
 *
 * <p>Not thread-safe: use it from one thread (as Kafka's). In a group, a daemon thread heartbeats
 * to the coordinator so that the membership survives processing between polls; everything the
 * application sees — rebalance callbacks, commit callbacks, position changes — happens on the
 * application's thread inside {@link #poll}, the commit calls, {@link #unsubscribe} and
 * {@link #close}.
 */
public final class BrookConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrookConsumer.class);
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final String EXCLUSIVE = "Subscription to topics, partitions and pattern are mutually exclusive";
    private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    };

    /** How the consumer was told what to read. */
    private enum Mode { NONE, ASSIGNED, SUBSCRIBED }

    private final ConfigValues config;
    private final Transport transport;
    private final Clock clock;
    private final Fetcher fetcher;
    private final OffsetLookup offsets;
    private final long apiTimeoutMs;
    private final String clientId;
    private final String groupId;
    private final boolean autoCommit;
    private final long autoCommitIntervalMs;
    /** The group's parts: all null without group.id. */
    private final GroupOffsets groupOffsets;
    private final GroupMembership membership;
    private final HeartbeatDriver heartbeats;
    private Mode mode = Mode.NONE;
    private ConsumerRebalanceListener listener = NO_LISTENER;
    private long nextAutoCommitMs;
    private boolean closed;

    public BrookConsumer(Map<String, ?> config) {
        this(config, null, Clock.system(), new Random(), HeartbeatDriver.Mode.BACKGROUND_THREAD);
    }

    public BrookConsumer(Properties config) {
        this(ClientConfig.text(config), null, Clock.system(), new Random(), HeartbeatDriver.Mode.BACKGROUND_THREAD);
    }

    /** For tests: a given transport (null: gRPC), clock and randomness. */
    BrookConsumer(Map<String, ?> config, Transport transport, Clock clock, RandomGenerator random) {
        this(config, transport, clock, random, HeartbeatDriver.Mode.BACKGROUND_THREAD);
    }

    /**
     * For tests: with {@link HeartbeatDriver.Mode#CALLER_ONLY} no background thread heartbeats:
     * the consumer's own calls (poll, commits, close) send what is due, so a test on a manual clock
     * decides every step.
     */
    BrookConsumer(Map<String, ?> config, Transport transport, Clock clock, RandomGenerator random,
            HeartbeatDriver.Mode heartbeatMode) {
        this.config = ConsumerConfig.parse(config);
        this.clock = clock;
        int fetchMaxBytes = this.config.get(ConsumerConfig.FETCH_MAX_BYTES);
        this.groupId = this.config.get(ConsumerConfig.GROUP_ID);
        if (groupId == null && this.config.isSet(ConsumerConfig.ENABLE_AUTO_COMMIT)
                && this.config.get(ConsumerConfig.ENABLE_AUTO_COMMIT)) {
            throw new ConfigException(ConsumerConfig.ENABLE_AUTO_COMMIT.name(), "enable.auto.commit cannot be true "
                    + "without group.id: offsets are committed per group.");
        }
        if (groupId == null && this.config.get(ConsumerConfig.GROUP_INSTANCE_ID) != null) {
            throw new ConfigException(ConsumerConfig.GROUP_INSTANCE_ID.name(), "group.instance.id needs group.id.");
        }
        String configuredClientId = this.config.get(ClientConfig.CLIENT_ID);
        this.clientId = !configuredClientId.isEmpty() ? configuredClientId
                : "consumer-" + (groupId == null ? "" : groupId + "-") + CLIENT_IDS.incrementAndGet();
        this.autoCommit = groupId != null && this.config.get(ConsumerConfig.ENABLE_AUTO_COMMIT);
        this.autoCommitIntervalMs = this.config.get(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS);
        this.transport = transport != null ? transport
                : new GrpcTransport((int) Math.min(Integer.MAX_VALUE - 1024, fetchMaxBytes + (8L << 20)));
        Backoff backoff = new Backoff(this.config.get(ClientConfig.RETRY_BACKOFF_MS),
                this.config.get(ClientConfig.RETRY_BACKOFF_MAX_MS), random);
        int requestTimeoutMs = this.config.get(ClientConfig.REQUEST_TIMEOUT_MS);
        Metadata metadata = new Metadata(this.transport, this.config.get(ClientConfig.BOOTSTRAP_SERVERS), clock,
                requestTimeoutMs, backoff);
        this.offsets = new OffsetLookup(metadata, clock, requestTimeoutMs, backoff);
        this.apiTimeoutMs = this.config.get(ClientConfig.DEFAULT_API_TIMEOUT_MS);
        this.fetcher = new Fetcher(new Fetcher.Settings(this.config.get(ConsumerConfig.FETCH_MIN_BYTES),
                this.config.get(ConsumerConfig.FETCH_MAX_WAIT_MS), fetchMaxBytes,
                this.config.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES), this.config.get(ConsumerConfig.MAX_POLL_RECORDS),
                this.config.get(ConsumerConfig.AUTO_OFFSET_RESET), this.config.get(ConsumerConfig.CHECK_CRCS),
                requestTimeoutMs, this.config.get(ClientConfig.METADATA_MAX_AGE_MS)), metadata, offsets, clock, backoff);
        if (groupId == null) {
            this.groupOffsets = null;
            this.membership = null;
            this.heartbeats = null;
        } else {
            CoordinatorLookup coordinators = new CoordinatorLookup(metadata, this.transport, clock, requestTimeoutMs,
                    backoff);
            this.groupOffsets = new GroupOffsets(groupId, coordinators, clock, backoff, requestTimeoutMs, apiTimeoutMs);
            String memberId;
            synchronized (random) {
                memberId = new UUID((random.nextLong() & ~0xF000L) | 0x4000L,
                        (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
            }
            this.membership = new GroupMembership(new GroupMembership.Settings(groupId,
                    this.config.get(ConsumerConfig.GROUP_INSTANCE_ID), clientId,
                    this.config.get(ConsumerConfig.SESSION_TIMEOUT_MS), this.config.get(ConsumerConfig.MAX_POLL_INTERVAL_MS)),
                    memberId, backoff);
            this.heartbeats = new HeartbeatDriver(membership, coordinators, groupId, clock, requestTimeoutMs,
                    fetcher::wakeup, heartbeatMode);
        }
        this.nextAutoCommitMs = clock.monotonicMilliseconds() + autoCommitIntervalMs;
    }

    /**
     * Reads exactly {@code partitions} from now on (replacing any earlier assignment), without
     * group management; an empty collection is {@link #unsubscribe}. With {@code group.id}, commits
     * are made as no member (allowed by the coordinator only while the group has no members).
     *
     * @throws IllegalStateException when the consumer is {@linkplain #subscribe subscribed}
     */
    public void assign(Collection<TopicPartition> partitions) {
        ensureOpen();
        if (mode == Mode.SUBSCRIBED) {
            throw new IllegalStateException(EXCLUSIVE);
        }
        if (partitions.isEmpty()) {
            unsubscribe();
            return;
        }
        fetcher.assign(partitions);
        mode = Mode.ASSIGNED;
    }

    /** The partitions the consumer reads now: the assigned ones, or those the group gave it. */
    public Set<TopicPartition> assignment() {
        return fetcher.assignment();
    }

    /** Subscribes to {@code topics} as a member of {@code group.id}; see {@link #subscribe(Collection, ConsumerRebalanceListener)}. */
    public void subscribe(Collection<String> topics) {
        subscribe(topics, NO_LISTENER);
    }

    /**
     * Joins group {@code group.id} (at the next poll; heartbeats keep it a member) subscribed to
     * {@code topics}: the coordinator spreads their partitions over the group's members, and
     * {@code listener} is told of each change, on this thread, inside poll. Called again, it
     * replaces the subscription and the listener (the change reaches the coordinator at once). An
     * empty collection is {@link #unsubscribe}.
     *
     * @throws InvalidGroupIdException without group.id
     * @throws IllegalStateException when partitions were {@linkplain #assign assigned}, or after a
     *     pattern subscription
     */
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        ensureOpen();
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(listener, "listener");
        for (String topic : topics) {
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("Topic collection to subscribe to cannot contain null or empty topic");
            }
        }
        if (topics.isEmpty()) {
            unsubscribe();
            return;
        }
        requireGroup("subscribe");
        GroupMembership.Subscription current = membership.subscription();
        if (mode == Mode.ASSIGNED || (mode == Mode.SUBSCRIBED && current != null && current.isPattern())) {
            throw new IllegalStateException(EXCLUSIVE);
        }
        startSubscription(GroupMembership.Subscription.ofTopics(topics), listener);
    }

    /** Subscribes to every topic whose whole name matches {@code pattern}; see {@link #subscribe(Pattern, ConsumerRebalanceListener)}. */
    public void subscribe(Pattern pattern) {
        subscribe(pattern, NO_LISTENER);
    }

    /**
     * Like {@link #subscribe(Collection, ConsumerRebalanceListener)} for every topic whose whole
     * name matches {@code pattern} (internal topics never match), now or created later. The
     * coordinator evaluates it (Java syntax), so flags must be written inline ({@code (?i)}).
     *
     * @throws IllegalArgumentException for an empty pattern or one with flags
     */
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        ensureOpen();
        Objects.requireNonNull(listener, "listener");
        if (pattern == null || pattern.pattern().isEmpty()) {
            throw new IllegalArgumentException("Topic pattern to subscribe to cannot be null or empty");
        }
        if (pattern.flags() != 0) {
            throw new IllegalArgumentException("Pattern flags are not sent to the coordinator: write them inline, "
                    + "as in (?i)" + pattern.pattern());
        }
        requireGroup("subscribe");
        GroupMembership.Subscription current = membership.subscription();
        if (mode == Mode.ASSIGNED || (mode == Mode.SUBSCRIBED && current != null && !current.isPattern())) {
            throw new IllegalStateException(EXCLUSIVE);
        }
        startSubscription(GroupMembership.Subscription.ofPattern(pattern.pattern()), listener);
    }

    private void startSubscription(GroupMembership.Subscription subscription, ConsumerRebalanceListener listener) {
        this.listener = listener;
        mode = Mode.SUBSCRIBED;
        membership.subscribe(subscription, clock.monotonicMilliseconds());
        heartbeats.start("brook-consumer-heartbeat-" + clientId);
        heartbeats.wakeup();
    }

    /**
     * The subscribed topics (empty when not subscribed). For a pattern: the topics of the
     * partitions held now (the coordinator resolves the pattern).
     */
    public Set<String> subscription() {
        GroupMembership.Subscription subscription = mode == Mode.SUBSCRIBED ? membership.subscription() : null;
        if (subscription == null) {
            return Set.of();
        }
        if (!subscription.isPattern()) {
            return Set.copyOf(subscription.topics());
        }
        Set<String> topics = new TreeSet<>();
        fetcher.assignment().forEach(p -> topics.add(p.topic()));
        return Set.copyOf(topics);
    }

    /**
     * Stops reading: a subscribed consumer gives up its partitions (committing their positions
     * first with enable.auto.commit, then onPartitionsRevoked — or onPartitionsLost when they were
     * lost) and leaves the group, waiting up to default.api.timeout.ms for the coordinator's
     * answer; an assigned one forgets its partitions.
     */
    public void unsubscribe() {
        ensureOpen();
        RuntimeException listenerError = null;
        if (mode == Mode.SUBSCRIBED) {
            listenerError = leaveGroup(clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(apiTimeoutMs));
        }
        fetcher.assign(List.of());
        mode = Mode.NONE;
        listener = NO_LISTENER;
        if (listenerError != null) {
            throw listenerError;
        }
    }

    /**
     * Returns the records fetched since the last call, up to {@code max.poll.records}, waiting up
     * to {@code timeout} for some. Each partition's records come in offset order, and its position
     * moves past them. In a group, poll first does what the group asks — commits and
     * onPartitionsRevoked before partitions go, committed offsets and onPartitionsAssigned for new
     * ones, onPartitionsLost after a fence — and auto-commits every auto.commit.interval.ms the
     * positions of the records returned by earlier polls.
     *
     * @throws OffsetOutOfRangeException when a position is out of range and auto.offset.reset=none
     * @throws CorruptRecordException when a fetched batch fails its CRC check (check.crcs)
     * @throws IllegalStateException when the consumer is neither subscribed nor assigned
     * @throws BrookException the group's fatal error (FENCED_INSTANCE_ID, GROUP_AUTHORIZATION_FAILED,
     *     INVALID_*, ...), thrown by every poll until {@link #unsubscribe}
     * @throws RuntimeException what a {@link ConsumerRebalanceListener} threw
     */
    public ConsumerRecords poll(Duration timeout) {
        ensureOpen();
        if (mode == Mode.NONE) {
            throw new IllegalStateException("Consumer is not subscribed to any topics or assigned any partitions");
        }
        long deadline = clock.nanoseconds() + timeout.toNanos();
        if (groupOffsets != null) {
            groupOffsets.runCompletedCallbacks();
        }
        if (mode == Mode.ASSIGNED) {
            maybeAutoCommit(GroupMembership.Member.NONE);
            return fetcher.poll(timeout.toMillis());
        }
        membership.pollStarted(clock.monotonicMilliseconds());
        try {
            return pollGroup(deadline);
        } finally {
            membership.pollEnded(clock.monotonicMilliseconds());
        }
    }

    private ConsumerRecords pollGroup(long deadline) {
        while (true) {
            RuntimeException listenerError = reconcile();
            if (listenerError != null) {
                throw listenerError;
            }
            if (membership.joined()) {
                maybeAutoCommit(membership.member());
            }
            heartbeats.runOnce();
            if (membership.needsApplication()) {
                continue; // an answer just came: apply it before returning any record
            }
            long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds()));
            ConsumerRecords records = fetcher.poll(remainingMs, membership::needsApplication);
            if (!records.isEmpty() && !membership.partitionsLost()) {
                return records;
            }
            // (records fetched while the partitions were being lost are not returned: they may be
            // another member's already, and the positions go with the partitions)
            if (deadline - clock.nanoseconds() <= 0) {
                return new ConsumerRecords(Map.of());
            }
        }
    }

    /**
     * Does what the membership asks of the application thread. Returns what a listener threw (the
     * change is complete all the same).
     */
    private RuntimeException reconcile() {
        BrookException fatal = membership.fatalError();
        if (fatal != null) {
            throw fatal;
        }
        GroupMembership.Reconciliation reconciliation = membership.reconciliation();
        if (reconciliation == null) {
            return null;
        }
        if (reconciliation.lost()) {
            Set<TopicPartition> lost = fetcher.assignment();
            RuntimeException error = lost.isEmpty() ? null
                    : invoke("onPartitionsLost", () -> listener.onPartitionsLost(lost));
            fetcher.assign(List.of());
            membership.lostHandled(clock.monotonicMilliseconds());
            heartbeats.runOnce();
            return error;
        }
        RuntimeException error = null;
        Set<TopicPartition> revoked = new TreeSet<>(reconciliation.revoked());
        revoked.retainAll(fetcher.assignment());
        if (!revoked.isEmpty()) {
            if (autoCommit) {
                commitBeforeGivingUp(revoked, clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(apiTimeoutMs));
            }
            error = invoke("onPartitionsRevoked", () -> listener.onPartitionsRevoked(Set.copyOf(revoked)));
            Set<TopicPartition> kept = new TreeSet<>(fetcher.assignment());
            kept.removeAll(revoked);
            fetcher.assign(kept);
            membership.ownedChanged(fetcher.assignment(), clock.monotonicMilliseconds());
            heartbeats.runOnce(); // the coordinator may hand them to others once it hears
        }
        Set<TopicPartition> added = new TreeSet<>(reconciliation.assigned());
        added.removeAll(fetcher.assignment());
        if (!added.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = groupOffsets.committed(added, apiTimeoutMs);
            Set<TopicPartition> all = new TreeSet<>(fetcher.assignment());
            all.addAll(added);
            fetcher.assign(all);
            committed.forEach((partition, offset) -> {
                if (offset != null) {
                    fetcher.seek(partition, offset.offset(), offset.leaderEpoch());
                }
            });
        }
        RuntimeException assignedError = invoke("onPartitionsAssigned",
                () -> listener.onPartitionsAssigned(Set.copyOf(added)));
        membership.reconciled(reconciliation.version(), fetcher.assignment(), clock.monotonicMilliseconds());
        heartbeats.runOnce();
        return error != null ? error : assignedError;
    }

    /** Commits the positions of {@code partitions} before giving them up; a failure is logged, not thrown (as Kafka). */
    private void commitBeforeGivingUp(Set<TopicPartition> partitions, long deadlineNanos) {
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>(fetcher.positions());
        positions.keySet().retainAll(partitions);
        try {
            groupOffsets.commitSync(positions, commitMember(),
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - clock.nanoseconds())));
        } catch (BrookException e) {
            log.warn("[Consumer clientId={}, groupId={}] could not commit {} before giving them up: {}", clientId,
                    groupId, positions, e.getMessage());
        }
    }

    private RuntimeException invoke(String what, Runnable callback) {
        try {
            callback.run();
            return null;
        } catch (RuntimeException e) {
            log.error("[Consumer clientId={}, groupId={}] the rebalance listener's {} threw", clientId, groupId, what, e);
            return e;
        }
    }

    /** Gives up the partitions and leaves the group, waiting until {@code deadlineNanos} for the answer. */
    private RuntimeException leaveGroup(long deadlineNanos) {
        RuntimeException error = null;
        Set<TopicPartition> owned = fetcher.assignment();
        if (membership.partitionsLost()) {
            if (!owned.isEmpty()) {
                error = invoke("onPartitionsLost", () -> listener.onPartitionsLost(owned));
            }
        } else if (!owned.isEmpty()) {
            if (autoCommit) {
                commitBeforeGivingUp(owned, deadlineNanos);
            }
            error = invoke("onPartitionsRevoked", () -> listener.onPartitionsRevoked(owned));
        }
        fetcher.assign(List.of());
        membership.ownedChanged(Set.of(), clock.monotonicMilliseconds());
        CompletableFuture<Void> left = membership.leave(clock.monotonicMilliseconds());
        heartbeats.runOnce();
        heartbeats.wakeup();
        try {
            Futures.get(left, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - clock.nanoseconds())),
                    "the answer to leaving group " + groupId);
        } catch (BrookException e) {
            log.warn("[Consumer clientId={}, groupId={}] left without an answer: {}", clientId, groupId,
                    e.getMessage());
        }
        return error;
    }

    private void maybeAutoCommit(GroupMembership.Member member) {
        if (!autoCommit) {
            return;
        }
        long nowMs = clock.monotonicMilliseconds();
        if (nowMs < nextAutoCommitMs) {
            return;
        }
        nextAutoCommitMs = nowMs + autoCommitIntervalMs;
        groupOffsets.autoCommit(fetcher.positions(), member);
    }

    private GroupMembership.Member commitMember() {
        return mode == Mode.SUBSCRIBED ? membership.member() : GroupMembership.Member.NONE;
    }

    private void requireGroup(String operation) {
        if (groupId == null) {
            throw new InvalidGroupIdException("To use " + operation + " (group management or offset commits), set "
                    + "group.id in the consumer configuration.");
        }
    }

    /** Commits the positions of every partition read (the records poll returned), within default.api.timeout.ms. */
    public void commitSync() {
        commitSync(Duration.ofMillis(apiTimeoutMs));
    }

    /**
     * Commits the positions of every partition read, waiting up to {@code timeout}; asynchronous
     * commits made before are completed first (their callbacks run).
     *
     * @throws CommitFailedException when the consumer is no longer the group member it was
     *     (nothing was committed; never retried with another epoch)
     * @throws TimeoutException when the coordinator did not answer in time (the commit may have
     *     happened)
     * @throws InvalidGroupIdException without group.id
     */
    public void commitSync(Duration timeout) {
        ensureOpen();
        requireGroup("commitSync");
        groupOffsets.commitSync(fetcher.positions(), commitMember(), timeout.toMillis());
    }

    /** Commits {@code offsets} (the next offset to read, per partition); see {@link #commitSync(Duration)}. */
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commitSync(offsets, Duration.ofMillis(apiTimeoutMs));
    }

    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        ensureOpen();
        requireGroup("commitSync");
        groupOffsets.commitSync(Map.copyOf(offsets), commitMember(), timeout.toMillis());
    }

    /** Commits the positions of every partition read without waiting; failures are logged. */
    public void commitAsync() {
        commitAsync(null);
    }

    /** Commits the positions of every partition read without waiting; {@code callback} runs in a later call. */
    public void commitAsync(OffsetCommitCallback callback) {
        ensureOpen();
        requireGroup("commitAsync");
        groupOffsets.runCompletedCallbacks();
        groupOffsets.commitAsync(fetcher.positions(), commitMember(), callback);
    }

    /**
     * Commits {@code offsets} without waiting; {@code callback} (may be null) runs on this thread in a
     * later poll, commit or close, in commit order.
     */
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        ensureOpen();
        requireGroup("commitAsync");
        groupOffsets.runCompletedCallbacks();
        groupOffsets.commitAsync(offsets, commitMember(), callback);
    }

    /** The group's committed offsets of {@code partitions}: null for a partition without one. */
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
        return committed(partitions, Duration.ofMillis(apiTimeoutMs));
    }

    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        ensureOpen();
        requireGroup("committed");
        return groupOffsets.committed(Set.copyOf(partitions), timeout.toMillis());
    }

    /** Makes the next poll read {@code partition} from {@code offset}. */
    public void seek(TopicPartition partition, long offset) {
        seek(partition, offset, Optional.empty());
    }

    /**
     * Makes the next poll read {@code partition} from {@code offsetAndMetadata}'s offset, with its
     * leader epoch (as Kafka's): the epoch is committed with the position until a record is polled,
     * and metadata from a broker that knows only an older epoch of the partition is not used.
     */
    public void seek(TopicPartition partition, OffsetAndMetadata offsetAndMetadata) {
        seek(partition, offsetAndMetadata.offset(), offsetAndMetadata.leaderEpoch());
    }

    private void seek(TopicPartition partition, long offset, Optional<Integer> leaderEpoch) {
        ensureOpen();
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
        fetcher.seek(partition, offset, leaderEpoch);
    }

    /** Moves the partitions to their earliest offsets (looked up now). */
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        seekTo(partitions, OffsetSpec.earliest());
    }

    /** Moves the partitions to their latest offsets (the high watermark, looked up now). */
    public void seekToEnd(Collection<TopicPartition> partitions) {
        seekTo(partitions, OffsetSpec.latest());
    }

    /**
     * Moves the partitions to the first record at or after {@code timestampMs}, or to the end where
     * there is none.
     */
    public void seekToTimestamp(Collection<TopicPartition> partitions, long timestampMs) {
        ensureOpen();
        Map<TopicPartition, ListOffsetsResultInfo> found = offsetsForTimes(timestamps(partitions, timestampMs));
        Map<TopicPartition, OffsetSpec> atEnd = new HashMap<>();
        for (TopicPartition partition : partitions) {
            ListOffsetsResultInfo offset = found.get(partition);
            if (offset == null || offset.offset() < 0) {
                atEnd.put(partition, OffsetSpec.latest());
            } else {
                fetcher.seek(partition, offset.offset());
            }
        }
        if (!atEnd.isEmpty()) {
            seekTo(atEnd.keySet(), OffsetSpec.latest());
        }
    }

    private static Map<TopicPartition, Long> timestamps(Collection<TopicPartition> partitions, long timestampMs) {
        Map<TopicPartition, Long> map = new HashMap<>();
        partitions.forEach(p -> map.put(p, timestampMs));
        return map;
    }

    private void seekTo(Collection<TopicPartition> partitions, OffsetSpec spec) {
        ensureOpen();
        lookup(partitions, spec).forEach(fetcher::seek);
    }

    /** The offset of the next record the partition will return (resolving it now if it has none). */
    public long position(TopicPartition partition) {
        ensureOpen();
        return fetcher.position(partition, apiTimeoutMs);
    }

    /** For each partition, the first offset whose record's timestamp is at least the given one (-1: none). */
    public Map<TopicPartition, ListOffsetsResultInfo> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
        ensureOpen();
        Map<TopicPartition, Long> wire = new HashMap<>();
        timestamps.forEach((p, t) -> wire.put(p, OffsetSpec.forTimestamp(t).wireTimestamp()));
        return offsets.listOffsets(wire, apiTimeoutMs);
    }

    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return lookup(partitions, OffsetSpec.earliest());
    }

    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return lookup(partitions, OffsetSpec.latest());
    }

    private Map<TopicPartition, Long> lookup(Collection<TopicPartition> partitions, OffsetSpec spec) {
        ensureOpen();
        Map<TopicPartition, Long> wire = new HashMap<>();
        partitions.forEach(p -> wire.put(p, spec.wireTimestamp()));
        Map<TopicPartition, Long> result = new HashMap<>();
        offsets.listOffsets(wire, apiTimeoutMs).forEach((p, o) -> result.put(p, o.offset()));
        return result;
    }

    /** Stops fetching the partitions (their positions stay) until {@link #resume}. */
    public void pause(Collection<TopicPartition> partitions) {
        ensureOpen();
        fetcher.pause(partitions, true);
    }

    public void resume(Collection<TopicPartition> partitions) {
        ensureOpen();
        fetcher.pause(partitions, false);
    }

    public Set<TopicPartition> paused() {
        return fetcher.paused();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the consumer is closed");
        }
    }

    /** {@link #close(Duration)} with 30 seconds. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Closes the consumer within {@code timeout}: in a group it gives up its partitions as
     * {@link #unsubscribe} does (auto-commit, onPartitionsRevoked) and leaves — with epoch -1, or
     * -2 for a static member ({@code group.instance.id}), which keeps its partitions for
     * session.timeout.ms so that a restart gets them back without a rebalance — waiting for the
     * coordinator's answer within the timeout; an assigned consumer with auto-commit commits its
     * positions. Errors are logged, not thrown.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        long deadline = clock.nanoseconds() + timeout.toNanos();
        try {
            if (groupOffsets != null) {
                groupOffsets.runCompletedCallbacks();
            }
            if (mode == Mode.SUBSCRIBED) {
                RuntimeException error = leaveGroup(deadline);
                if (error != null) {
                    log.warn("[Consumer clientId={}, groupId={}] the rebalance listener failed during close: {}",
                            clientId, groupId, error.toString());
                }
            } else if (mode == Mode.ASSIGNED && autoCommit) {
                commitBeforeGivingUp(fetcher.assignment(), deadline);
            }
            if (groupOffsets != null) {
                groupOffsets.awaitAsync(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - clock.nanoseconds())));
            }
        } catch (RuntimeException e) {
            log.warn("[Consumer clientId={}] error while closing: {}", clientId, e.toString());
        } finally {
            closed = true;
            if (heartbeats != null) {
                heartbeats.close();
            }
            transport.close();
        }
    }
}
