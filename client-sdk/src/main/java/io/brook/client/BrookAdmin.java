package io.brook.client;

import io.brook.api.v1.AlterConfigEntry;
import io.brook.api.v1.AlterConfigsResourceRequest;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.CreatePartitionsRequest;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.DeleteGroupResult;
import io.brook.api.v1.DeleteGroupsRequest;
import io.brook.api.v1.DeleteGroupsResponse;
import io.brook.api.v1.DeleteTopicsRequest;
import io.brook.api.v1.DescribeClusterRequest;
import io.brook.api.v1.DescribeClusterResponse;
import io.brook.api.v1.DescribeConfigsRequest;
import io.brook.api.v1.DescribeConfigsResponse;
import io.brook.api.v1.DescribeConfigsResult;
import io.brook.api.v1.DescribeGroupsRequest;
import io.brook.api.v1.DescribeGroupsResponse;
import io.brook.api.v1.DescribeTopicsRequest;
import io.brook.api.v1.DescribeTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.GroupPartition;
import io.brook.api.v1.IncrementalAlterConfigsRequest;
import io.brook.api.v1.ListGroupsRequest;
import io.brook.api.v1.ListGroupsResponse;
import io.brook.api.v1.ListTopicsRequest;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewPartitions;
import io.brook.api.v1.OffsetCommitPartitionResponse;
import io.brook.api.v1.OffsetCommitRequest;
import io.brook.api.v1.OffsetCommitResponse;
import io.brook.api.v1.OffsetCommitTopicResponse;
import io.brook.api.v1.OffsetFetchRequest;
import io.brook.api.v1.OffsetFetchResponse;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.internal.AdminCaller;
import io.brook.client.internal.AdminCaller.AdminCall;
import io.brook.client.internal.AdminCaller.ItemOutcomes;
import io.brook.client.internal.AdminCaller.Kind;
import io.brook.client.internal.AdminResponses;
import io.brook.client.internal.Backoff;
import io.brook.client.internal.ClusterView;
import io.brook.client.internal.Connection;
import io.brook.client.internal.CoordinatorLookup;
import io.brook.client.internal.Errors;
import io.brook.client.internal.Futures;
import io.brook.client.internal.Metadata;
import io.brook.client.internal.OffsetLookup;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import io.brook.common.Clock;
import io.brook.common.ConfigException;
import io.brook.common.ConfigValues;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Manages topics, configs and consumer groups and describes the cluster: Kafka's {@code Admin},
 * made blocking.
 * Every method returns when the change is made (committed by the controller quorum) or throws
 * the {@link BrookException} subclass for what went wrong — {@link TopicExistsException},
 * {@link UnknownTopicOrPartitionException}, {@link InvalidConfigurationException},
 * {@link InvalidReplicationFactorException}, ... — with a message that names the topic or
 * resource. Each call is bounded by {@code default.api.timeout.ms}: within it, retriable
 * failures (no connection, no active controller, a timed-out request) are retried with backoff;
 * after it, a {@link TimeoutException} says what was left undone, {@link BrookException#indeterminate()}
 * when a change may have been applied anyway, or a {@link NetworkException} names the addresses
 * when no broker answered at all.
 *
 * <p>Requests go to one broker at a time (any broker: it forwards changes to the controller), the
 * first bootstrap server until it fails. Group calls are the exception: they go to the group's
 * coordinator (found with FindCoordinator and remembered; when it moves or is still loading, it is
 * found again and the call retried within the timeout), and {@link #listGroups()} asks every broker. A method that changes something returns once that broker
 * shows the change too, so that a description through this admin right after sees it. Another
 * broker may show it a moment later: brokers apply the committed metadata independently.
 *
 * <p>A call with several topics reports every topic's outcome: the first failure (in the order
 * given) is thrown with the other failures suppressed in it; the topics without a failure were
 * changed.
 *
 * <p>Thread-safe: calls from several threads run independently. {@link #close()} releases the
 * connections; calls after it fail with {@link IllegalStateException}.
 */
public final class BrookAdmin implements AutoCloseable {
    private static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;

    private final Transport transport;
    private final Metadata metadata;
    private final AdminCaller caller;
    private final OffsetLookup offsets;
    private final CoordinatorLookup coordinators;
    private final Clock clock;
    private final long apiTimeoutMs;

    /**
     * @param config client keys ({@link AdminConfig}); {@code bootstrap.servers} is required
     * @throws ConfigException naming an unknown key or an invalid value
     */
    public BrookAdmin(Map<String, ?> config) {
        this(AdminConfig.parse(config), null, Clock.system());
    }

    /** As {@link #BrookAdmin(Map)}, from properties (for example a {@code --command-config} file). */
    public BrookAdmin(Properties config) {
        this(ClientConfig.text(config));
    }

    /** For tests: the connections come from {@code transport}, which {@link #close()} closes. */
    BrookAdmin(Map<String, ?> config, Transport transport, Clock clock) {
        this(AdminConfig.parse(config), transport, clock);
    }

    private BrookAdmin(ConfigValues config, Transport transport, Clock clock) {
        List<String> bootstrap = config.get(ClientConfig.BOOTSTRAP_SERVERS);
        bootstrap.forEach(Metadata::hostPort); // a malformed address fails before anything is opened
        this.transport = transport != null ? transport : new GrpcTransport(MAX_INBOUND_BYTES);
        this.apiTimeoutMs = config.get(ClientConfig.DEFAULT_API_TIMEOUT_MS);
        long requestTimeoutMs = config.get(ClientConfig.REQUEST_TIMEOUT_MS);
        long backoffMs = config.get(ClientConfig.RETRY_BACKOFF_MS);
        long backoffMaxMs = config.get(ClientConfig.RETRY_BACKOFF_MAX_MS);
        Random random = new Random();
        Backoff retryBackoff = new Backoff(backoffMs, backoffMaxMs, random);
        String clientId = config.get(ClientConfig.CLIENT_ID);
        this.metadata = new Metadata(this.transport, bootstrap, clock, requestTimeoutMs, retryBackoff);
        this.caller = new AdminCaller(this.transport, bootstrap, metadata, clock, requestTimeoutMs, apiTimeoutMs,
                retryBackoff, new Backoff(Math.min(10, backoffMs), backoffMaxMs, random),
                "[Admin" + (clientId.isEmpty() ? "" : " clientId=" + clientId) + "]");
        this.offsets = new OffsetLookup(metadata, clock, requestTimeoutMs, retryBackoff);
        this.coordinators = new CoordinatorLookup(metadata, this.transport, clock, requestTimeoutMs, retryBackoff);
        this.clock = clock;
    }

    // ----------------------------------------------------------------------------------- topics

    /**
     * Creates topics. A topic of the same name may exist already ({@link TopicExistsException});
     * when an earlier attempt of this call got no answer and a retry finds the topic, the
     * exception says that the first attempt may have created it (as Kafka, it is still reported).
     *
     * @return the created topics in the order given, with their ids and resolved counts
     * @throws IllegalArgumentException if a name appears twice
     */
    public List<CreatedTopic> createTopics(List<NewTopic> topics) {
        Map<String, NewTopic> byName = new LinkedHashMap<>();
        for (NewTopic topic : topics) {
            if (byName.put(topic.name(), topic) != null) {
                throw new IllegalArgumentException("Topic '" + topic.name() + "' appears twice in one createTopics call.");
            }
        }
        List<String> names = List.copyOf(byName.keySet());
        AdminCall call = caller.begin("create topics " + names, Kind.WRITE);
        ItemOutcomes<CreatedTopic> created = call.perItem(names, pending -> {
            CreateTopicsRequest.Builder request = CreateTopicsRequest.newBuilder();
            for (String name : pending) {
                NewTopic topic = byName.get(name);
                request.addTopics(io.brook.api.v1.NewTopic.newBuilder().setName(name)
                        .setNumPartitions(topic.partitions()).setReplicationFactor(topic.replicationFactor())
                        .putAllConfigs(topic.configs()));
            }
            return (connection, timeoutMs) -> connection.createTopics(request.build(), timeoutMs)
                    .thenApply(AdminResponses::created);
        }, (name, code, message, maybeApplied) -> itemError("create", "topic '" + name + "'", code, message,
                maybeApplied));
        awaitTopics(call, created.done().keySet(), metadata -> metadata.getErrorCode() == ErrorCode.NONE);
        return List.copyOf(created.orThrow().values());
    }

    /** Deletes topics with their data. */
    public void deleteTopics(Collection<String> topics) {
        List<String> names = distinct(topics);
        AdminCall call = caller.begin("delete topics " + names, Kind.WRITE);
        ItemOutcomes<Boolean> deleted = call.perItem(names, pending -> {
            DeleteTopicsRequest request = DeleteTopicsRequest.newBuilder().addAllNames(pending).build();
            return (connection, timeoutMs) -> connection.deleteTopics(request, timeoutMs)
                    .thenApply(AdminResponses::deleted);
        }, (name, code, message, maybeApplied) -> itemError("delete", "topic '" + name + "'", code, message,
                maybeApplied));
        awaitTopics(call, deleted.done().keySet(),
                metadata -> metadata.getErrorCode() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        deleted.orThrow();
    }

    /**
     * Every topic, sorted by name.
     *
     * @param includeInternal whether the cluster's own topics (such as {@code __consumer_offsets}) are listed
     */
    public List<TopicListing> listTopics(boolean includeInternal) {
        ListTopicsRequest request = ListTopicsRequest.newBuilder().setIncludeInternal(includeInternal).build();
        return caller.begin("list topics", Kind.READ)
                .send((connection, timeoutMs) -> connection.listTopics(request, timeoutMs)).response()
                .getTopicsList().stream().map(AdminResponses::listing).toList();
    }

    /**
     * The named topics in the order given, or every topic sorted by name when {@code topics} is
     * empty.
     *
     * @throws UnknownTopicOrPartitionException if a named topic does not exist
     */
    public Map<String, TopicDescription> describeTopics(Collection<String> topics) {
        DescribeTopicsRequest request = DescribeTopicsRequest.newBuilder().addAllNames(distinct(topics)).build();
        DescribeTopicsResponse response = caller.begin("describe topics " + request.getNamesList(), Kind.READ)
                .send((connection, timeoutMs) -> connection.describeTopics(request, timeoutMs)).response();
        Map<String, TopicDescription> descriptions = new LinkedHashMap<>();
        for (io.brook.api.v1.TopicDescription topic : response.getTopicsList()) {
            TopicMetadata metadata = topic.getMetadata();
            if (metadata.getErrorCode() != ErrorCode.NONE) {
                throw itemError("describe", "topic '" + metadata.getName() + "'", metadata.getErrorCode(),
                        metadata.getErrorMessage(), false);
            }
            descriptions.put(metadata.getName(), AdminResponses.description(topic));
        }
        return Collections.unmodifiableMap(descriptions);
    }

    /**
     * Grows topics to a new total number of partitions each (existing partitions keep their data
     * and their keys' placement changes, as in Kafka).
     *
     * @throws InvalidPartitionsException if a count is not larger than the topic's current one
     */
    public void createPartitions(Map<String, Integer> totalCounts) {
        List<String> names = List.copyOf(totalCounts.keySet());
        AdminCall call = caller.begin("create partitions for " + names, Kind.WRITE);
        ItemOutcomes<Boolean> grown = call.perItem(names, pending -> {
            CreatePartitionsRequest.Builder request = CreatePartitionsRequest.newBuilder();
            pending.forEach(name -> request.addTopics(NewPartitions.newBuilder().setTopic(name)
                    .setCount(totalCounts.get(name))));
            return (connection, timeoutMs) -> connection.createPartitions(request.build(), timeoutMs)
                    .thenApply(AdminResponses::partitionsCreated);
        }, (name, code, message, maybeApplied) -> itemError("create partitions for", "topic '" + name + "'", code,
                message, maybeApplied));
        awaitTopics(call, grown.done().keySet(),
                metadata -> metadata.getPartitionsCount() >= totalCounts.get(metadata.getName()));
        grown.orThrow();
    }

    // ---------------------------------------------------------------------------------- configs

    /**
     * Every config key of a topic (the values set on it, then every other topic key with its
     * default) or the dynamic configs of a broker, sorted by name, with documentation.
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     */
    public List<ConfigEntry> describeConfigs(ConfigResource resource) {
        DescribeConfigsResult result = describeConfigs(caller.begin("describe the configs of " + resource, Kind.READ),
                resource);
        if (result.getErrorCode() != ErrorCode.NONE) {
            throw itemError("describe the configs of", resource.toString(), result.getErrorCode(),
                    result.getErrorMessage(), false);
        }
        return result.getEntriesList().stream().map(AdminResponses::configEntry).toList();
    }

    private static DescribeConfigsResult describeConfigs(AdminCall call, ConfigResource resource) {
        DescribeConfigsRequest request = DescribeConfigsRequest.newBuilder().addResources(AdminResponses.ref(resource))
                .setIncludeDocumentation(true).build();
        DescribeConfigsResponse response = call.send((connection, timeoutMs) ->
                connection.describeConfigs(request, timeoutMs)).response();
        return response.getResultsCount() == 0 ? DescribeConfigsResult.newBuilder()
                .setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR).setErrorMessage("the broker's answer was empty").build()
                : response.getResults(0);
    }

    /**
     * Sets or deletes config keys of one resource, all or nothing: the controller checks the
     * resulting configs as a whole.
     *
     * @throws InvalidConfigurationException if a key is unknown or a value invalid (nothing changes)
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     */
    public void incrementalAlterConfigs(ConfigResource resource, List<AlterConfigOp> ops) {
        IncrementalAlterConfigsRequest.Builder request = IncrementalAlterConfigsRequest.newBuilder();
        AlterConfigsResourceRequest.Builder target = AlterConfigsResourceRequest.newBuilder()
                .setResource(AdminResponses.ref(resource));
        for (AlterConfigOp op : ops) {
            target.addEntries(AlterConfigEntry.newBuilder().setName(op.name()).setValue(op.value())
                    .setOp(op.type() == AlterConfigOp.OpType.SET ? AlterConfigEntry.Op.SET : AlterConfigEntry.Op.DELETE));
        }
        IncrementalAlterConfigsRequest built = request.addResources(target).build();
        AdminCall call = caller.begin("alter the configs of " + resource, Kind.WRITE);
        call.perItem(List.of(resource.toString()), pending -> (connection, timeoutMs) ->
                connection.incrementalAlterConfigs(built, timeoutMs).thenApply(r -> AdminResponses.altered(r, resource)),
                (key, code, message, maybeApplied) -> itemError("alter the configs of", key, code, message, maybeApplied))
                .orThrow();
        ConfigEntry.Source own = AdminResponses.ownSource(resource);
        DescribeConfigsRequest probe = DescribeConfigsRequest.newBuilder().addResources(AdminResponses.ref(resource))
                .build();
        call.awaitVisible((connection, timeoutMs) -> connection.describeConfigs(probe, timeoutMs), response -> {
            Map<String, ConfigEntry> entries = new HashMap<>();
            response.getResultsList().stream().flatMap(r -> r.getEntriesList().stream())
                    .map(AdminResponses::configEntry).forEach(e -> entries.put(e.name(), e));
            for (AlterConfigOp op : ops) {
                ConfigEntry entry = entries.get(op.name());
                boolean ownValue = entry != null && entry.source() == own;
                if (op.type() == AlterConfigOp.OpType.SET
                        ? !ownValue || !entry.value().equals(java.util.Optional.of(op.value())) : ownValue) {
                    return false;
                }
            }
            return true;
        });
    }

    // ---------------------------------------------------------------------------------- cluster

    /**
     * The controller quorum, the brokers and the partition health counts. When the quorum does not
     * answer within the timeout, the brokers and counts are still returned, with
     * {@link ClusterDescription#quorumError()} saying why the rest is unknown.
     */
    public ClusterDescription describeCluster() {
        AdminCall call = caller.begin("describe the cluster", Kind.READ);
        DescribeClusterRequest request = DescribeClusterRequest.getDefaultInstance();
        while (true) {
            DescribeClusterResponse response = call.send((connection, timeoutMs) ->
                    connection.describeCluster(request, timeoutMs)).response();
            if (response.getErrorCode() == ErrorCode.NONE || !Errors.retriable(response.getErrorCode())
                    || !call.retryLater()) {
                return AdminResponses.cluster(response);
            }
        }
    }

    /**
     * Offsets of partitions, each looked up on its leader: earliest, latest, or the first at or
     * after a timestamp. Leader changes and brokers that have not applied a new topic yet are
     * retried within the timeout.
     *
     * @throws UnknownTopicOrPartitionException if a topic or a partition does not exist
     */
    public Map<TopicPartition, ListOffsetsResultInfo> listOffsets(Map<TopicPartition, OffsetSpec> specs) {
        Map<TopicPartition, Long> timestamps = new HashMap<>();
        specs.forEach((tp, spec) -> timestamps.put(tp, spec.wireTimestamp()));
        return Map.copyOf(offsets.listOffsets(timestamps, apiTimeoutMs));
    }

    // ----------------------------------------------------------------------------------- groups

    /**
     * Every consumer group, sorted by id. A broker lists the groups it coordinates, so every broker
     * of a fresh metadata answer is asked (as Kafka's admin client does) and the answers merged; a
     * group two brokers list (its coordinator just moved) appears once. Brokers that fail
     * retriably are asked again within the timeout.
     *
     * @throws TimeoutException naming the brokers that gave no answer within the timeout
     * @throws BrookException a broker's non-retriable error, naming the broker
     */
    public List<GroupListing> listGroups() {
        AdminCall call = caller.begin("list groups", Kind.READ);
        Map<Integer, BrokerEndpoint> brokers = new TreeMap<>(freshBrokers(call));
        ListGroupsRequest request = ListGroupsRequest.getDefaultInstance();
        Map<String, GroupListing> groups = new TreeMap<>();
        Map<Integer, String> pending = new TreeMap<>(); // broker id -> its last error
        brokers.keySet().forEach(id -> pending.put(id, "no answer"));
        while (true) {
            long attemptMs = call.attemptMs();
            long roundDeadline = clock.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(attemptMs);
            Map<Integer, CompletableFuture<ListGroupsResponse>> answers = new TreeMap<>();
            for (int id : pending.keySet()) {
                BrokerEndpoint broker = brokers.get(id);
                answers.put(id, transport.connection(broker.getHost(), broker.getPort()).listGroups(request, attemptMs));
            }
            for (Map.Entry<Integer, CompletableFuture<ListGroupsResponse>> answer : answers.entrySet()) {
                int id = answer.getKey();
                String broker = brokerName(id, brokers.get(id));
                ListGroupsResponse response;
                try {
                    long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(roundDeadline - clock.nanoseconds()));
                    response = Futures.get(answer.getValue(), waitMs, "list groups on " + broker);
                } catch (BrookException e) {
                    if (!e.retriable()) {
                        throw Errors.exception(e.errorCode(), "Could not list the groups of " + broker + ": "
                                + sentence(e.getMessage()));
                    }
                    pending.put(id, e.getMessage());
                    continue;
                }
                ErrorCode code = response.getErrorCode();
                if (code == ErrorCode.NONE) {
                    pending.remove(id);
                    response.getGroupsList().forEach(group -> groups.putIfAbsent(group.getGroupId(),
                            AdminResponses.groupListing(group)));
                } else if (Errors.retriable(code)) {
                    pending.put(id, code + ": " + response.getErrorMessage());
                } else {
                    throw Errors.exception(code, "Could not list the groups of " + broker + ": "
                            + sentence(response.getErrorMessage()));
                }
            }
            if (pending.isEmpty()) {
                return List.copyOf(groups.values());
            }
            if (!call.retryLater()) {
                List<String> missing = pending.keySet().stream().map(id -> brokerName(id, brokers.get(id))).toList();
                throw new TimeoutException("Could not list groups: no answer from " + String.join(", ", missing)
                        + " within " + apiTimeoutMs + " ms (last error: " + pending.values().stream().distinct().toList()
                        + ").", false);
            }
        }
    }

    /**
     * Groups as their coordinators describe them, in the order given, with each partition's lag.
     * A group that does not exist is described with state {@link GroupState#DEAD} (and no members
     * or partitions), as Kafka does.
     *
     * <p>Lag (see {@link PartitionLag}): for every partition of the answers, the log end offset is
     * the high watermark ({@link OffsetSpec#latest()} at the partition's leader) and the lag is
     * {@code logEnd - committed}, at least 0; for a partition without a committed offset, it is
     * {@code logEnd - logStart}, the whole retained log being unread. A partition whose topic no
     * longer exists has neither.
     *
     * @throws TimeoutException if a coordinator or a leader did not answer within the timeout
     */
    public Map<String, GroupDescription> describeGroups(Collection<String> groupIds) {
        List<String> groups = distinct(groupIds);
        AdminCall call = caller.begin("describe groups " + groups, Kind.READ);
        Map<String, io.brook.api.v1.GroupDescription> described = new LinkedHashMap<>();
        Map<String, String> addresses = new java.util.concurrent.ConcurrentHashMap<>(); // written where the call runs
        for (String group : groups) {
            DescribeGroupsRequest request = DescribeGroupsRequest.newBuilder().addGroupIds(group).build();
            io.brook.api.v1.GroupDescription answer = atCoordinator(call, group, "describe group '" + group + "'",
                    connection -> {
                        addresses.put(group, connection.address());
                        return connection.describeGroups(request, call.attemptMs()).thenApply(r -> describedGroup(r, group));
                    }, io.brook.api.v1.GroupDescription::getErrorCode);
            ErrorCode code = answer.getErrorCode();
            if (code != ErrorCode.NONE && code != ErrorCode.GROUP_ID_NOT_FOUND) {
                throw groupError("describe", group, code, answer.getErrorMessage(), false);
            }
            described.put(group, answer);
        }

        Set<TopicPartition> partitions = new TreeSet<>();
        Set<TopicPartition> uncommitted = new TreeSet<>();
        for (io.brook.api.v1.GroupDescription group : described.values()) {
            if (exists(group)) {
                for (GroupPartition p : group.getPartitionsList()) {
                    TopicPartition tp = new TopicPartition(p.getTopic(), p.getPartition());
                    partitions.add(tp);
                    if (p.getCommittedOffset() < 0) {
                        uncommitted.add(tp);
                    }
                }
            }
        }
        Set<TopicPartition> existing = existing(call, partitions);
        Map<TopicPartition, Long> logEnd = offsetsAt(existing, OffsetSpec.latest(), call);
        Set<TopicPartition> unread = new TreeSet<>(uncommitted);
        unread.retainAll(existing);
        Map<TopicPartition, Long> logStart = offsetsAt(unread, OffsetSpec.earliest(), call);

        Map<String, GroupDescription> descriptions = new LinkedHashMap<>();
        described.forEach((group, answer) -> descriptions.put(group, description(group, answer, addresses.get(group),
                logStart, logEnd)));
        return Collections.unmodifiableMap(descriptions);
    }

    /**
     * Deletes groups without members, with their committed offsets, each at its coordinator. As
     * {@link #deleteTopics}: every group's outcome is reported, the first failure (in the order
     * given) thrown with the others suppressed in it; the groups without a failure were deleted.
     *
     * @throws GroupNotEmptyException if a group has members (with the coordinator's reason)
     * @throws GroupIdNotFoundException if a group does not exist
     */
    public void deleteGroups(Collection<String> groupIds) {
        List<String> groups = distinct(groupIds);
        AdminCall call = caller.begin("delete groups " + groups, Kind.WRITE);
        BrookException first = null;
        for (String group : groups) {
            try {
                deleteGroup(call, group);
            } catch (BrookException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void deleteGroup(AdminCall call, String group) {
        DeleteGroupsRequest request = DeleteGroupsRequest.newBuilder().addGroupIds(group).build();
        // Attempts that got no answer and failed in a way that may have applied them (a timeout, a cut call).
        AtomicInteger unsettled = new AtomicInteger();
        DeleteGroupResult result = atCoordinator(call, group, "delete group '" + group + "'", connection -> {
            unsettled.incrementAndGet();
            return connection.deleteGroups(request, call.attemptMs()).whenComplete((response, error) -> {
                if (response != null || !Futures.asBrook(error).indeterminate()) {
                    unsettled.decrementAndGet();
                }
            }).thenApply(response -> deletedGroup(response, group));
        }, DeleteGroupResult::getErrorCode);
        if (result.getErrorCode() != ErrorCode.NONE) {
            throw groupError("delete", group, result.getErrorCode(), result.getErrorMessage(), unsettled.get() > 0);
        }
    }

    /**
     * The committed offsets of a group, by topic then partition (OffsetFetch at its coordinator);
     * empty for a group without offsets or that does not exist.
     */
    public Map<TopicPartition, OffsetAndMetadata> listGroupOffsets(String group) {
        String what = "list the offsets of group '" + group + "'";
        AdminCall call = caller.begin(what, Kind.READ);
        OffsetFetchRequest request = OffsetFetchRequest.newBuilder().setGroupId(group).build();
        OffsetFetchResponse response = atCoordinator(call, group, what,
                connection -> connection.offsetFetch(request, call.attemptMs()), OffsetFetchResponse::getErrorCode);
        if (response.getErrorCode() == ErrorCode.GROUP_ID_NOT_FOUND) {
            return Map.of();
        }
        if (response.getErrorCode() != ErrorCode.NONE) {
            throw groupError("list the offsets of", group, response.getErrorCode(), response.getErrorMessage(), false);
        }
        return AdminResponses.committed(response);
    }

    /**
     * Sets committed offsets of a group that has no members (for example to reset where its
     * consumers start): an OffsetCommit by no member (empty member id, epoch -1), which the
     * coordinator accepts only while the group is empty; a group that does not exist is created.
     * Partitions not named keep their offsets. Retried within the timeout while the coordinator
     * moves (a retry writes the same offsets).
     *
     * @throws GroupNotEmptyException if the group has members: its consumers must be stopped first
     * @throws BrookException a partition's error (the first, others suppressed in it)
     */
    public void alterGroupOffsets(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        String what = "alter the offsets of group '" + group + "'";
        AdminCall call = caller.begin(what, Kind.WRITE);
        OffsetCommitRequest request = AdminResponses.commitWithoutMember(group, offsets);
        OffsetCommitResponse response = atCoordinator(call, group, what,
                connection -> connection.offsetCommit(request, call.attemptMs()), OffsetCommitResponse::getErrorCode);
        if (response.getErrorCode() != ErrorCode.NONE) {
            throw alterError(group, null, response.getErrorCode(), response.getErrorMessage());
        }
        BrookException first = null;
        for (OffsetCommitTopicResponse topic : response.getTopicsList()) {
            for (OffsetCommitPartitionResponse p : topic.getPartitionsList()) {
                if (p.getErrorCode() != ErrorCode.NONE) {
                    BrookException e = alterError(group, new TopicPartition(topic.getTopic(), p.getPartition()),
                            p.getErrorCode(), p.getErrorMessage());
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Closes the connections. */
    @Override
    public void close() {
        transport.close();
    }

    // ---------------------------------------------------------------------------------- helpers

    /** Waits until the broker that answered {@code call} shows each topic as {@code visible} says. */
    private static void awaitTopics(AdminCall call, Collection<String> topics,
            java.util.function.Predicate<TopicMetadata> visible) {
        if (topics.isEmpty()) {
            return;
        }
        MetadataRequest request = MetadataRequest.newBuilder().addAllTopics(topics).build();
        call.awaitVisible((connection, timeoutMs) -> connection.metadata(request, timeoutMs), (MetadataResponse r) -> {
            Set<String> seen = new LinkedHashSet<>();
            for (TopicMetadata topic : r.getTopicsList()) {
                if (!visible.test(topic)) {
                    return false;
                }
                seen.add(topic.getName());
            }
            return seen.containsAll(topics);
        });
    }

    /**
     * The exception for one item's error: the common outcomes in words that name the item, the
     * rest with the broker's reason.
     *
     * @param action what was being done ("create"), followed by {@code subject} ("topic 'orders'")
     */
    /**
     * A refusal of {@code action}. After an earlier attempt that got no answer, a refusal of the
     * retry says nothing about whether the first attempt was applied (a topic created just before
     * a broker was fenced: the retry is refused for too few brokers), so it is reported as an
     * indeterminate timeout; refusals for what the request itself says (a bad name, config or
     * request) would have refused the first attempt too and stay definite.
     */
    private static BrookException refusal(String action, String subject, ErrorCode code, String message,
            boolean maybeApplied) {
        if (maybeApplied && !REFUSED_WHATEVER_THE_STATE.contains(code)) {
            return new TimeoutException("Could not " + action + " " + subject + ": an earlier attempt of this call got "
                    + "no answer and may have " + (action.equals("delete") ? "deleted it"
                            : action.equals("create") ? "created it" : "been applied")
                    + "; the retry was refused: " + sentence(message), true);
        }
        return Errors.exception(code, "Could not " + action + " " + subject + ": " + sentence(message));
    }

    /** Codes that refuse a request for what it says, whatever the cluster's state. */
    private static final java.util.Set<ErrorCode> REFUSED_WHATEVER_THE_STATE = java.util.EnumSet.of(
            ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_REQUEST);

    static BrookException itemError(String action, String subject, ErrorCode code, String message,
            boolean maybeApplied) {
        String capitalized = Character.toUpperCase(subject.charAt(0)) + subject.substring(1);
        String earlier = maybeApplied ? " An earlier attempt of this call got no answer and may have "
                + (action.equals("delete") ? "deleted" : "created") + " it." : "";
        return switch (code) {
            case UNKNOWN_TOPIC_OR_PARTITION -> new UnknownTopicOrPartitionException(capitalized + " does not exist."
                    + (action.equals("delete") ? earlier : ""));
            case TOPIC_ALREADY_EXISTS -> new TopicExistsException(capitalized + " already exists."
                    + (action.equals("create") ? earlier : ""));
            case REQUEST_TIMED_OUT -> new TimeoutException("Could not " + action + " " + subject + ": " + message
                    + (maybeApplied ? "; it may or may not have been applied." : "."), maybeApplied);
            default -> refusal(action, subject, code, message, maybeApplied);
        };
    }

    /** The brokers of a metadata answer asked for now (not a cached one: a new broker must be asked too). */
    private Map<Integer, BrokerEndpoint> freshBrokers(AdminCall call) {
        long asked = clock.nanoseconds();
        return metadata.await(List.of(), view -> view.fetchedAtNanos() >= asked && !view.brokers().isEmpty(),
                Math.max(1, call.remainingMs()), "the list of brokers").brokers();
    }

    private static String brokerName(int id, BrokerEndpoint endpoint) {
        return "broker " + id + " (" + endpoint.getHost() + ":" + endpoint.getPort() + ")";
    }

    /**
     * Calls {@code op} at {@code group}'s coordinator within {@code call}'s deadline: the
     * {@link CoordinatorLookup} finds the coordinator again while the answer says it moved or is
     * loading; other retriable group-level codes are retried here after a backoff. Returns the
     * first answer with a final code (or the last one at the deadline); its code is the caller's.
     */
    private <R> R atCoordinator(AdminCall call, String group, String what,
            Function<Connection, CompletableFuture<R>> op, Function<R, ErrorCode> errorOf) {
        while (true) {
            R answer = coordinators.call(group, op, errorOf, Math.max(1, call.remainingMs()), what);
            ErrorCode code = errorOf.apply(answer);
            if (code == ErrorCode.NONE || !Errors.retriable(code) || !call.retryLater()) {
                return answer;
            }
        }
    }

    private static io.brook.api.v1.GroupDescription describedGroup(DescribeGroupsResponse response, String group) {
        return response.getGroupsList().stream().filter(g -> g.getGroupId().equals(group)).findFirst()
                .orElse(io.brook.api.v1.GroupDescription.newBuilder().setGroupId(group)
                        .setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR)
                        .setErrorMessage("the coordinator's answer did not mention the group").build());
    }

    private static DeleteGroupResult deletedGroup(DeleteGroupsResponse response, String group) {
        return response.getResultsList().stream().filter(r -> r.getGroupId().equals(group)).findFirst()
                .orElse(DeleteGroupResult.newBuilder().setGroupId(group).setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR)
                        .setErrorMessage("the coordinator's answer did not mention the group").build());
    }

    /**
     * Whether the coordinator described an existing group. The contract says state "Dead" for a
     * group that does not exist; GROUP_ID_NOT_FOUND is taken to mean the same.
     */
    private static boolean exists(io.brook.api.v1.GroupDescription group) {
        return group.getErrorCode() == ErrorCode.NONE && GroupState.parse(group.getState()) != GroupState.DEAD;
    }

    /**
     * The partitions of {@code partitions} that a fresh metadata answer does not say are gone
     * (topic deleted, or no such partition): their offsets can be looked up.
     */
    private Set<TopicPartition> existing(AdminCall call, Set<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Set.of();
        }
        Set<String> topics = new TreeSet<>();
        partitions.forEach(tp -> topics.add(tp.topic()));
        long asked = clock.nanoseconds();
        ClusterView view = metadata.await(topics, v -> v.fetchedAtNanos() >= asked, Math.max(1, call.remainingMs()),
                "the metadata of " + topics);
        Set<TopicPartition> existing = new TreeSet<>();
        for (TopicPartition tp : partitions) {
            ClusterView.TopicView topic = view.topic(tp.topic());
            boolean gone = topic != null && (topic.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                    || topic.error() == ErrorCode.NONE && view.partition(tp.topic(), tp.partition()) == null);
            if (!gone) {
                existing.add(tp);
            }
        }
        return existing;
    }

    private Map<TopicPartition, Long> offsetsAt(Set<TopicPartition> partitions, OffsetSpec spec, AdminCall call) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, Long> timestamps = new TreeMap<>();
        partitions.forEach(tp -> timestamps.put(tp, spec.wireTimestamp()));
        Map<TopicPartition, Long> found = new TreeMap<>();
        offsets.listOffsets(timestamps, Math.max(1, call.remainingMs())).forEach((tp, info) -> found.put(tp, info.offset()));
        return found;
    }

    private static GroupDescription description(String group, io.brook.api.v1.GroupDescription answer, String address,
            Map<TopicPartition, Long> logStart, Map<TopicPartition, Long> logEnd) {
        if (!exists(answer)) {
            return new GroupDescription(group, GroupState.DEAD, answer.getGroupEpoch(), answer.getAssignmentEpoch(),
                    answer.getCoordinatorId(), address, "", List.of(), List.of());
        }
        List<PartitionLag> partitions = new ArrayList<>();
        for (GroupPartition p : answer.getPartitionsList()) {
            TopicPartition tp = new TopicPartition(p.getTopic(), p.getPartition());
            OptionalLong committed = p.getCommittedOffset() >= 0 ? OptionalLong.of(p.getCommittedOffset())
                    : OptionalLong.empty();
            Long end = logEnd.get(tp);
            OptionalLong lag = end == null ? OptionalLong.empty() : lag(committed, logStart.getOrDefault(tp, 0L), end);
            partitions.add(new PartitionLag(tp, committed, end == null ? OptionalLong.empty() : OptionalLong.of(end), lag,
                    p.getMemberId().isEmpty() ? Optional.empty() : Optional.of(p.getMemberId())));
        }
        return new GroupDescription(group, GroupState.parse(answer.getState()), answer.getGroupEpoch(),
                answer.getAssignmentEpoch(), answer.getCoordinatorId(), address, answer.getAssignor(),
                answer.getMembersList().stream().map(AdminResponses::member).toList(), partitions);
    }

    /**
     * How far a group is behind on a partition: from its committed offset, or from the log start
     * when it committed none (every retained record is unread), to the log end; at least 0.
     */
    static OptionalLong lag(OptionalLong committed, long logStartOffset, long logEndOffset) {
        long from = committed.isPresent() ? committed.getAsLong() : logStartOffset;
        return OptionalLong.of(Math.max(0, logEndOffset - from));
    }

    /** The exception for a group's error, as {@link #itemError} does for topics. */
    private static BrookException groupError(String action, String group, ErrorCode code, String message,
            boolean maybeApplied) {
        String subject = "group '" + group + "'";
        return switch (code) {
            case GROUP_ID_NOT_FOUND -> new GroupIdNotFoundException("Group '" + group + "' does not exist."
                    + (maybeApplied && action.equals("delete")
                            ? " An earlier attempt of this call got no answer and may have deleted it." : ""));
            case REQUEST_TIMED_OUT -> new TimeoutException("Could not " + action + " " + subject + ": " + message
                    + (maybeApplied ? "; it may or may not have been applied." : "."), maybeApplied);
            default -> refusal(action, subject, code, message, maybeApplied);
        };
    }

    /** The exception for an offset commit's error, of the whole group ({@code partition} null) or of one partition. */
    private static BrookException alterError(String group, TopicPartition partition, ErrorCode code, String message) {
        if (code == ErrorCode.NON_EMPTY_GROUP) {
            return new GroupNotEmptyException("Could not alter the offsets of group '" + group + "': "
                    + sentence(message) + " Offsets can be changed only while the group has no members: stop its "
                    + "consumers and try again.");
        }
        if (partition == null) {
            return groupError("alter the offsets of", group, code, message, code == ErrorCode.REQUEST_TIMED_OUT);
        }
        return Errors.exception(code, "Could not alter the offset of " + partition + " in group '" + group + "': "
                + sentence(message));
    }

    private static String sentence(String message) {
        if (message == null || message.isEmpty()) {
            return "no reason given.";
        }
        return message.endsWith(".") ? message : message + ".";
    }

    private static List<String> distinct(Collection<String> names) {
        return new ArrayList<>(new LinkedHashSet<>(names));
    }
}
