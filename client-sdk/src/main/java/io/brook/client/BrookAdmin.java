package io.brook.client;

import io.brook.api.v1.AlterConfigEntry;
import io.brook.api.v1.AlterConfigsResourceRequest;
import io.brook.api.v1.CreatePartitionsRequest;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.DeleteTopicsRequest;
import io.brook.api.v1.DescribeClusterRequest;
import io.brook.api.v1.DescribeClusterResponse;
import io.brook.api.v1.DescribeConfigsRequest;
import io.brook.api.v1.DescribeConfigsResponse;
import io.brook.api.v1.DescribeConfigsResult;
import io.brook.api.v1.DescribeTopicsRequest;
import io.brook.api.v1.DescribeTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.IncrementalAlterConfigsRequest;
import io.brook.api.v1.ListTopicsRequest;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewPartitions;
import io.brook.api.v1.TopicMetadata;
import io.brook.client.internal.AdminCaller;
import io.brook.client.internal.AdminCaller.AdminCall;
import io.brook.client.internal.AdminCaller.ItemOutcomes;
import io.brook.client.internal.AdminCaller.Kind;
import io.brook.client.internal.AdminResponses;
import io.brook.client.internal.Backoff;
import io.brook.client.internal.Errors;
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
import java.util.Set;

/**
 * Manages topics and configs and describes the cluster: Kafka's {@code Admin}, made blocking.
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
 * first bootstrap server until it fails. A method that changes something returns once that broker
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
            default -> Errors.exception(code, "Could not " + action + " " + subject + ": " + sentence(message));
        };
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
