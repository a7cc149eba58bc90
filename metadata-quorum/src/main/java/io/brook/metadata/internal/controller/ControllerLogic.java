package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.AclCreationResult;
import io.brook.api.internal.controller.AclFilter;
import io.brook.api.internal.controller.AclFilterResult;
import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.internal.controller.AllocateProducerIdsResponse;
import io.brook.api.internal.controller.AlterConfigOp;
import io.brook.api.internal.controller.AlterConfigsResource;
import io.brook.api.internal.controller.AlterConfigsResourceResult;
import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.AlterPartitionResponse;
import io.brook.api.internal.controller.AlterableConfig;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreatableTopicResult;
import io.brook.api.internal.controller.CreateAclsRequest;
import io.brook.api.internal.controller.CreateAclsResponse;
import io.brook.api.internal.controller.CreatePartitionsRequest;
import io.brook.api.internal.controller.CreatePartitionsResponse;
import io.brook.api.internal.controller.CreatePartitionsTopic;
import io.brook.api.internal.controller.CreatePartitionsTopicResult;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.ControllerError;
import io.brook.api.internal.controller.DeletableTopicResult;
import io.brook.api.internal.controller.DeleteAclsRequest;
import io.brook.api.internal.controller.DeleteAclsResponse;
import io.brook.api.internal.controller.DeleteTopicsRequest;
import io.brook.api.internal.controller.DeleteTopicsResponse;
import io.brook.api.internal.controller.ElectLeadersRequest;
import io.brook.api.internal.controller.ElectLeadersResponse;
import io.brook.api.internal.controller.ElectionType;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.controller.PartitionElectionResult;
import io.brook.api.internal.controller.PartitionIsrChange;
import io.brook.api.internal.controller.PartitionIsrResult;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.internal.controller.ReplicaAssignment;
import io.brook.api.internal.controller.TopicPartitions;
import io.brook.api.internal.metadata.AclBinding;
import io.brook.api.internal.metadata.AclOperation;
import io.brook.api.internal.metadata.AclPatternType;
import io.brook.api.internal.metadata.AclPermissionType;
import io.brook.api.internal.metadata.AclResourceType;
import io.brook.api.internal.metadata.BrokerIdList;
import io.brook.api.internal.metadata.BrokerRegistrationChangeRecord;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.FeatureLevelRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.NoOpRecord;
import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.ProducerIdsRecord;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import io.brook.api.internal.metadata.RemoveAccessControlEntryRecord;
import io.brook.api.internal.metadata.RemoveTopicRecord;
import io.brook.api.internal.metadata.TopicRecord;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigException;
import io.brook.metadata.AclEntry;
import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import io.brook.metadata.internal.MetadataLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's logic: turns requests into metadata records, validated against the latest
 * committed image plus this controller's own in-flight records (the <em>speculative</em> image),
 * submits them to the {@link MetadataLog}, and answers only after they are committed.
 *
 * <p>Deterministic and single-threaded: every method runs on one thread (the event loop;
 * {@code loop} is where append completions hop back to), time comes from the injected
 * {@link Clock}, and ids from the injected {@link Random}. Tests drive it directly with an
 * in-memory log and a manual clock; production wraps it in {@code QuorumController}.
 *
 * <p>Soft state (broker sessions) lives only here and only while active: a new active
 * controller gives every broker a fresh session.
 */
public final class ControllerLogic {
    private static final Logger log = LoggerFactory.getLogger(ControllerLogic.class);
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    static final int PRODUCER_ID_BLOCK_SIZE = 1000;
    static final String METADATA_VERSION = "metadata.version";
    static final int CURRENT_METADATA_VERSION = 1;

    private final int nodeId;
    private final String clusterId;
    private final ControllerConfig config;
    private final ConfigDefinitions topicConfigs;
    private final ConfigDefinitions brokerConfigs;
    private final MetadataLog metadataLog;
    private final Clock clock;
    private final Random random;
    private final Executor loop;
    private final BrokerHeartbeatManager heartbeats;

    private MetadataImage committed = MetadataImage.EMPTY;
    /** The committed image plus this controller's in-flight batches, in order. */
    private MetadataImage speculative = MetadataImage.EMPTY;
    private boolean active;
    private long term = -1;
    private int leaderHint = -1;
    private int inFlight;
    /** An append failed: the speculative image may hold records that will never commit. */
    private boolean speculativeDoubtful;
    private long lastWriteMs;

    public ControllerLogic(int nodeId, String clusterId, ControllerConfig config, ConfigDefinitions topicConfigs,
            ConfigDefinitions brokerConfigs, MetadataLog metadataLog, Clock clock, Random random, Executor loop) {
        this.nodeId = nodeId;
        this.clusterId = clusterId;
        this.config = config;
        this.topicConfigs = topicConfigs.plus(ControllerConfig.TOPIC_DEFINITIONS);
        this.brokerConfigs = brokerConfigs;
        this.metadataLog = metadataLog;
        this.clock = clock;
        this.random = random;
        this.loop = loop;
        this.heartbeats = new BrokerHeartbeatManager(config.brokerSessionTimeoutMs());
    }

    // ---------------------------------------------------------------------------------------
    // Log and leadership events
    // ---------------------------------------------------------------------------------------

    /** A batch was committed and applied: {@code image} is the latest committed metadata. */
    public void handleCommit(MetadataDelta delta, MetadataImage image) {
        committed = image;
        if (!active) {
            speculative = image;
        } else if (inFlight == 0) {
            speculative = image; // equal in content; keep the newest provenance
        }
    }

    /** This node now leads {@code newTerm} and {@link #handleCommit} has seen everything before it. */
    public void becomeLeader(long newTerm) {
        active = true;
        term = newTerm;
        leaderHint = nodeId;
        inFlight = 0;
        speculativeDoubtful = false;
        speculative = committed;
        long now = clock.monotonicMilliseconds();
        lastWriteMs = now;
        heartbeats.clear();
        long target = committed.provenance().lastAppliedIndex();
        for (BrokerRegistration broker : committed.cluster().brokers().values()) {
            heartbeats.start(broker.id(), now, broker.fenced() ? target : 0);
        }
        log.info("Node {} is the active controller for term {} at metadata index {}", nodeId, newTerm, target);
        if (committed.features().level(METADATA_VERSION) == 0) {
            append(List.of(MetadataRecord.newBuilder().setFeatureLevel(FeatureLevelRecord.newBuilder()
                    .setName(METADATA_VERSION).setFeatureLevel(CURRENT_METADATA_VERSION)).build()));
        }
    }

    /** This node no longer leads; {@code newLeaderId} leads now (-1 when unknown). */
    public void resign(long oldTerm, int newLeaderId) {
        if (active) {
            log.info("Node {} is no longer the active controller (term {}); new leader {}", nodeId, oldTerm,
                    newLeaderId);
        }
        active = false;
        leaderHint = newLeaderId;
        heartbeats.clear();
        speculative = committed;
    }

    public boolean isActive() {
        return active;
    }

    public long term() {
        return term;
    }

    /** The latest committed image this controller has applied. */
    public MetadataImage committedImage() {
        return committed;
    }

    /** The committed image plus this controller's in-flight records. */
    MetadataImage speculativeImage() {
        return speculative;
    }

    int inFlight() {
        return inFlight;
    }

    /**
     * Periodic work: fence brokers whose session expired, and write a no-op when the log has been
     * idle for {@code metadata.max.idle.interval.ms}. Call it at least every
     * {@link #nextDeadlineMs()}.
     */
    public void tick() {
        if (!canWrite()) {
            return;
        }
        long now = clock.monotonicMilliseconds();
        Set<Integer> expired = new HashSet<>();
        for (int id : heartbeats.expired(now)) {
            BrokerRegistration broker = speculative.cluster().broker(id);
            if (broker != null && !broker.fenced()) {
                expired.add(id);
            }
        }
        if (!expired.isEmpty()) {
            log.info("Fencing brokers {}: no heartbeat for {} ms", expired, config.brokerSessionTimeoutMs());
            List<MetadataRecord> records = new ArrayList<>();
            for (int id : new java.util.TreeSet<>(expired)) {
                BrokerRegistration broker = speculative.cluster().broker(id);
                records.add(brokerChange(broker, true, null));
            }
            records.addAll(removeFromIsrsAndElect(expired, id -> !expired.contains(id)));
            append(records);
        } else if (config.metadataMaxIdleIntervalMs() > 0 && now - lastWriteMs >= config.metadataMaxIdleIntervalMs()) {
            append(List.of(MetadataRecord.newBuilder().setNoOp(NoOpRecord.newBuilder()
                    .setAppendTimeMs(clock.milliseconds())).build()));
        }
    }

    /** When {@link #tick()} next has something to do, in monotonic milliseconds. */
    public long nextDeadlineMs() {
        long next = heartbeats.nextExpiryMs();
        if (config.metadataMaxIdleIntervalMs() > 0) {
            next = Math.min(next, lastWriteMs + config.metadataMaxIdleIntervalMs());
        }
        return next;
    }

    // ---------------------------------------------------------------------------------------
    // Brokers
    // ---------------------------------------------------------------------------------------

    public CompletableFuture<RegisterBrokerResponse> registerBroker(RegisterBrokerRequest request) {
        Function<ControllerError, RegisterBrokerResponse> fail = e -> RegisterBrokerResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        if (!clusterId.equals(request.getClusterId())) {
            return done(fail.apply(error(ErrorCode.INCONSISTENT_CLUSTER_ID, "broker " + request.getBrokerId()
                    + " was formatted for cluster " + request.getClusterId() + " but this is cluster " + clusterId)));
        }
        if (request.getBrokerId() < 0) {
            return done(fail.apply(error(ErrorCode.INVALID_REQUEST, "broker id must be >= 0: " + request.getBrokerId())));
        }
        UUID incarnation = Uuids.fromProto(request.getIncarnationId());
        BrokerRegistration existing = speculative.cluster().broker(request.getBrokerId());
        long now = clock.monotonicMilliseconds();
        if (existing != null && !existing.fenced() && !existing.incarnationId().equals(incarnation)
                && heartbeats.hasSession(existing.id()) && heartbeats.expired(now).stream().noneMatch(id -> id == existing.id())) {
            return done(fail.apply(error(ErrorCode.DUPLICATE_BROKER_REGISTRATION, "broker id " + existing.id()
                    + " is registered by another live process (incarnation " + existing.incarnationId()
                    + "); it is released when that session expires after " + config.brokerSessionTimeoutMs() + " ms")));
        }
        long epoch = Math.max(speculative.cluster().highestBrokerEpoch(), committed.provenance().lastAppliedIndex()) + 1;
        List<MetadataRecord> records = new ArrayList<>();
        records.add(MetadataRecord.newBuilder().setRegisterBroker(RegisterBrokerRecord.newBuilder()
                .setBrokerId(request.getBrokerId())
                .setIncarnationId(request.getIncarnationId())
                .setBrokerEpoch(epoch)
                .addAllEndpoints(request.getEndpointsList())
                .setRack(request.getRack())
                .setFenced(true)).build());
        if (existing != null && !existing.fenced()) {
            // The old process is gone: it leaves every ISR like a fenced broker.
            int id = existing.id();
            records.addAll(removeFromIsrsAndElect(Set.of(id), b -> b != id));
        }
        heartbeats.start(request.getBrokerId(), now, Long.MAX_VALUE);
        int brokerId = request.getBrokerId();
        return append(records).thenApply(result -> {
            if (result.error != null) {
                return fail.apply(result.error);
            }
            heartbeats.setCatchUpTarget(brokerId, result.index);
            log.info("Registered broker {} with epoch {} (incarnation {})", brokerId, epoch, incarnation);
            return RegisterBrokerResponse.newBuilder().setError(ok()).setBrokerEpoch(epoch).build();
        });
    }

    public CompletableFuture<BrokerHeartbeatResponse> brokerHeartbeat(BrokerHeartbeatRequest request) {
        Function<ControllerError, BrokerHeartbeatResponse> fail =
                e -> BrokerHeartbeatResponse.newBuilder().setError(e).setIsFenced(true).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        ControllerError epochError = checkBrokerEpoch(request.getBrokerId(), request.getBrokerEpoch());
        if (epochError != null) {
            return done(fail.apply(epochError));
        }
        int id = request.getBrokerId();
        boolean caughtUp = heartbeats.touch(id, clock.monotonicMilliseconds(), request.getCurrentMetadataOffset());
        BrokerRegistration broker = speculative.cluster().broker(id);
        List<MetadataRecord> records = new ArrayList<>();
        if (request.getWantShutDown()) {
            if (!broker.inControlledShutdown() && !broker.fenced()) {
                log.info("Broker {} starts a controlled shutdown: moving its leaderships away", id);
                records.add(brokerChange(broker, null, true));
                records.addAll(removeFromIsrsAndElect(Set.of(id), b -> b != id));
            }
        } else if (broker.fenced() && caughtUp && !broker.inControlledShutdown()) {
            // (A broker fenced during its controlled shutdown stays fenced: it registers again.)
            log.info("Unfencing broker {}: its metadata reached index {}", id, request.getCurrentMetadataOffset());
            records.add(brokerChange(broker, false, null));
            records.addAll(electOfflineWith(id));
        }
        return append(records).thenApply(result -> {
            if (result.error != null) {
                return fail.apply(result.error);
            }
            BrokerRegistration now = speculative.cluster().broker(id);
            boolean fenced = now == null || now.fenced();
            boolean shutDown = request.getWantShutDown() && (fenced || leadsNothing(committed, id))
                    && (now == null || now.fenced() || now.inControlledShutdown());
            return BrokerHeartbeatResponse.newBuilder().setError(ok()).setIsCaughtUp(heartbeats.isCaughtUp(id))
                    .setIsFenced(fenced).setShouldShutDown(shutDown).build();
        });
    }

    private static boolean leadsNothing(MetadataImage image, int brokerId) {
        for (TopicImage topic : image.topics().topicsById().values()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.leader() == brokerId) {
                    return false;
                }
            }
        }
        return true;
    }

    public CompletableFuture<AllocateProducerIdsResponse> allocateProducerIds(AllocateProducerIdsRequest request) {
        Function<ControllerError, AllocateProducerIdsResponse> fail =
                e -> AllocateProducerIdsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        ControllerError epochError = checkBrokerEpoch(request.getBrokerId(), request.getBrokerEpoch());
        if (epochError != null) {
            return done(fail.apply(epochError));
        }
        long start = speculative.producerIds().nextProducerId();
        MetadataRecord record = MetadataRecord.newBuilder().setProducerIds(ProducerIdsRecord.newBuilder()
                .setBrokerId(request.getBrokerId()).setBrokerEpoch(request.getBrokerEpoch())
                .setNextProducerId(start + PRODUCER_ID_BLOCK_SIZE)).build();
        return write(List.of(record), AllocateProducerIdsResponse.newBuilder().setError(ok())
                .setProducerIdStart(start).setProducerIdLen(PRODUCER_ID_BLOCK_SIZE).build(), fail);
    }

    // ---------------------------------------------------------------------------------------
    // Topics and partitions
    // ---------------------------------------------------------------------------------------

    public CompletableFuture<CreateTopicsResponse> createTopics(CreateTopicsRequest request) {
        Function<ControllerError, CreateTopicsResponse> fail = e -> CreateTopicsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        Map<String, Integer> nameCounts = new HashMap<>();
        request.getTopicsList().forEach(t -> nameCounts.merge(t.getName(), 1, Integer::sum));
        List<UsableBroker> usable = UsableBroker.usableBrokers(speculative.cluster());
        Map<Integer, Integer> leaderCounts = new HashMap<>(ReplicaPlacer.preferredLeaderCounts(speculative.topics()));
        List<MetadataRecord> records = new ArrayList<>();
        CreateTopicsResponse.Builder response = CreateTopicsResponse.newBuilder().setError(ok());
        for (CreatableTopic topic : request.getTopicsList()) {
            CreatableTopicResult.Builder result = CreatableTopicResult.newBuilder().setName(topic.getName());
            if (nameCounts.get(topic.getName()) > 1) {
                response.addTopics(result.setErrorCode(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage("topic " + topic.getName() + " appears more than once in the request"));
                continue;
            }
            List<MetadataRecord> topicRecords = new ArrayList<>();
            String problem = createTopic(topic, usable, leaderCounts, topicRecords, result);
            if (problem == null) {
                records.addAll(topicRecords);
            }
            response.addTopics(result);
        }
        if (request.getValidateOnly()) {
            return done(response.build());
        }
        return write(records, response.build(), fail);
    }

    /** Validates one topic and appends its records; returns null on success, else sets the error. */
    private String createTopic(CreatableTopic topic, List<UsableBroker> usable, Map<Integer, Integer> leaderCounts,
            List<MetadataRecord> records,
            CreatableTopicResult.Builder result) {
        String name = topic.getName();
        String problem = null;
        ErrorCode code = ErrorCode.NONE;
        if (!TOPIC_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            code = ErrorCode.INVALID_TOPIC_EXCEPTION;
            problem = "topic name '" + name + "' is invalid: use 1 to 249 characters of [a-zA-Z0-9._-], not '.' or '..'";
        } else if (speculative.topics().topic(name) != null) {
            code = ErrorCode.TOPIC_ALREADY_EXISTS;
            problem = "topic " + name + " already exists";
        }
        List<List<Integer>> assignment = null;
        if (problem == null && topic.getAssignmentsCount() > 0) {
            if (topic.getNumPartitions() != -1 || topic.getReplicationFactor() != -1) {
                code = ErrorCode.INVALID_REQUEST;
                problem = "give either a replica assignment or partitions and replication factor, not both";
            } else {
                assignment = new ArrayList<>();
                problem = checkAssignment(topic.getAssignmentsList(), assignment);
                code = problem == null ? ErrorCode.NONE : ErrorCode.INVALID_REPLICA_ASSIGNMENT;
            }
        }
        int partitions = topic.getNumPartitions() == -1 ? config.numPartitions() : topic.getNumPartitions();
        int rf = topic.getReplicationFactor() == -1 ? config.defaultReplicationFactor() : topic.getReplicationFactor();
        if (problem == null && assignment == null) {
            if (partitions < 1) {
                code = ErrorCode.INVALID_PARTITIONS;
                problem = "number of partitions must be at least 1, got " + partitions;
            } else if (rf < 1) {
                code = ErrorCode.INVALID_REPLICATION_FACTOR;
                problem = "replication factor must be at least 1, got " + rf;
            } else if (rf > usable.size()) {
                code = ErrorCode.INVALID_REPLICATION_FACTOR;
                problem = "replication factor " + rf + " is larger than the " + usable.size() + " available brokers";
            }
        }
        if (problem == null) {
            try {
                topicConfigs.parse(topic.getConfigsMap());
            } catch (ConfigException e) {
                code = ErrorCode.INVALID_CONFIG;
                problem = "invalid config for topic " + name + ": " + e.getMessage();
            }
        }
        if (problem != null) {
            result.setErrorCode(code).setErrorMessage(problem);
            return problem;
        }
        if (assignment == null) {
            assignment = place(usable, partitions, rf, leaderCounts);
        }
        UUID id = Uuids.random(random);
        records.add(MetadataRecord.newBuilder().setTopic(TopicRecord.newBuilder().setName(name)
                .setTopicId(Uuids.toProto(id))).build());
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> replicas = assignment.get(p);
            List<Integer> isr = new ArrayList<>();
            for (int replica : replicas) {
                if (speculative.cluster().isActive(replica)) {
                    isr.add(replica);
                }
            }
            if (isr.isEmpty()) {
                isr = replicas;
            }
            int leader = PartitionChanges.electFromIsr(replicas, isr, speculative.cluster()::isActive);
            records.add(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                    .setTopicId(Uuids.toProto(id)).setPartitionId(p).addAllReplicas(replicas).addAllIsr(isr)
                    .setLeader(leader).setLeaderEpoch(0).setPartitionEpoch(0)).build());
        }
        new TreeMap<>(topic.getConfigsMap()).forEach((key, value) -> records.add(MetadataRecord.newBuilder()
                .setConfig(ConfigRecord.newBuilder().setResourceType(ConfigResourceType.CONFIG_RESOURCE_TOPIC)
                        .setResourceName(name).setName(key).setValue(value)).build()));
        result.setTopicId(Uuids.toProto(id)).setErrorCode(ErrorCode.NONE).setNumPartitions(assignment.size())
                .setReplicationFactor(assignment.get(0).size());
        return null;
    }

    private String checkAssignment(List<ReplicaAssignment> given, List<List<Integer>> out) {
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        for (ReplicaAssignment a : given) {
            if (byPartition.put(a.getPartition(), a.getBrokerIdsList()) != null) {
                return "partition " + a.getPartition() + " is assigned twice";
            }
        }
        int expected = 0;
        int size = -1;
        for (Map.Entry<Integer, List<Integer>> e : byPartition.entrySet()) {
            if (e.getKey() != expected++) {
                return "partitions must be numbered 0.." + (byPartition.size() - 1);
            }
            List<Integer> replicas = e.getValue();
            if (replicas.isEmpty()) {
                return "partition " + e.getKey() + " has no replicas";
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                return "partition " + e.getKey() + " lists a broker twice: " + replicas;
            }
            if (size != -1 && replicas.size() != size) {
                return "every partition must have the same number of replicas";
            }
            size = replicas.size();
            for (int broker : replicas) {
                if (speculative.cluster().broker(broker) == null) {
                    return "partition " + e.getKey() + " names broker " + broker + ", which is not registered";
                }
            }
            out.add(replicas);
        }
        return null;
    }

    public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
        Function<ControllerError, DeleteTopicsResponse> fail = e -> DeleteTopicsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        DeleteTopicsResponse.Builder response = DeleteTopicsResponse.newBuilder().setError(ok());
        for (String name : request.getNamesList()) {
            DeletableTopicResult.Builder result = DeletableTopicResult.newBuilder().setName(name);
            TopicImage topic = speculative.topics().topic(name);
            if (topic == null) {
                result.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).setErrorMessage("topic " + name + " does not exist");
            } else {
                result.setTopicId(Uuids.toProto(topic.id())).setErrorCode(ErrorCode.NONE);
                if (seen.add(name)) {
                    records.add(MetadataRecord.newBuilder().setRemoveTopic(RemoveTopicRecord.newBuilder()
                            .setTopicId(Uuids.toProto(topic.id()))).build());
                }
            }
            response.addTopics(result);
        }
        return write(records, response.build(), fail);
    }

    public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request) {
        Function<ControllerError, CreatePartitionsResponse> fail = e -> CreatePartitionsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        List<UsableBroker> usable = UsableBroker.usableBrokers(speculative.cluster());
        Map<Integer, Integer> leaderCounts = new HashMap<>(ReplicaPlacer.preferredLeaderCounts(speculative.topics()));
        List<MetadataRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        CreatePartitionsResponse.Builder response = CreatePartitionsResponse.newBuilder().setError(ok());
        for (CreatePartitionsTopic request1 : request.getTopicsList()) {
            CreatePartitionsTopicResult.Builder result = CreatePartitionsTopicResult.newBuilder().setName(request1.getName());
            TopicImage topic = speculative.topics().topic(request1.getName());
            if (!seen.add(request1.getName())) {
                result.setErrorCode(ErrorCode.INVALID_REQUEST).setErrorMessage("topic " + request1.getName()
                        + " appears more than once in the request");
            } else if (topic == null) {
                result.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                        .setErrorMessage("topic " + request1.getName() + " does not exist");
            } else if (request1.getCount() <= topic.partitionCount()) {
                result.setErrorCode(ErrorCode.INVALID_PARTITIONS).setErrorMessage("topic " + topic.name() + " has "
                        + topic.partitionCount() + " partitions; the count can only grow, and " + request1.getCount()
                        + " is not more");
            } else {
                int rf = topic.partition(0).replicas().size();
                if (rf > usable.size()) {
                    result.setErrorCode(ErrorCode.INVALID_REPLICATION_FACTOR).setErrorMessage("topic " + topic.name()
                            + " has replication factor " + rf + " but only " + usable.size() + " brokers are available");
                } else {
                    List<List<Integer>> assignment = place(usable, request1.getCount() - topic.partitionCount(), rf, leaderCounts);
                    for (int i = 0; i < assignment.size(); i++) {
                        List<Integer> replicas = assignment.get(i);
                        records.add(MetadataRecord.newBuilder().setPartition(PartitionRecord.newBuilder()
                                .setTopicId(Uuids.toProto(topic.id())).setPartitionId(topic.partitionCount() + i)
                                .addAllReplicas(replicas).addAllIsr(replicas).setLeader(replicas.get(0))).build());
                    }
                    result.setErrorCode(ErrorCode.NONE);
                }
            }
            response.addTopics(result);
        }
        if (request.getValidateOnly()) {
            return done(response.build());
        }
        return write(records, response.build(), fail);
    }

    public CompletableFuture<AlterPartitionResponse> alterPartition(AlterPartitionRequest request) {
        Function<ControllerError, AlterPartitionResponse> fail = e -> AlterPartitionResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        ControllerError epochError = checkBrokerEpoch(request.getBrokerId(), request.getBrokerEpoch());
        if (epochError != null) {
            return done(fail.apply(epochError));
        }
        List<MetadataRecord> records = new ArrayList<>();
        AlterPartitionResponse.Builder response = AlterPartitionResponse.newBuilder().setError(ok());
        Set<String> seen = new HashSet<>();
        for (PartitionIsrChange change : request.getPartitionsList()) {
            UUID topicId = Uuids.fromProto(change.getTopicId());
            PartitionIsrResult.Builder result = PartitionIsrResult.newBuilder()
                    .setTopicId(change.getTopicId()).setPartition(change.getPartition());
            TopicImage topic = speculative.topics().topic(topicId);
            PartitionRegistration current = topic == null ? null : topic.partition(change.getPartition());
            if (current != null) {
                describe(result, current);
            }
            ErrorCode code = ErrorCode.NONE;
            String problem = null;
            if (!seen.add(topicId + "-" + change.getPartition())) {
                code = ErrorCode.INVALID_REQUEST;
                problem = "partition listed twice";
            } else if (topic == null) {
                code = ErrorCode.UNKNOWN_TOPIC_ID;
                problem = "unknown topic id " + topicId;
            } else if (current == null) {
                code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
                problem = "topic " + topic.name() + " has no partition " + change.getPartition();
            } else if (current.leader() != request.getBrokerId()) {
                code = ErrorCode.NOT_LEADER_OR_FOLLOWER;
                problem = "broker " + request.getBrokerId() + " is not the leader of " + topic.name() + "-"
                        + change.getPartition() + " (leader " + current.leader() + ")";
            } else if (change.getLeaderEpoch() < current.leaderEpoch()) {
                code = ErrorCode.FENCED_LEADER_EPOCH;
                problem = "leader epoch " + change.getLeaderEpoch() + " is older than " + current.leaderEpoch();
            } else if (change.getLeaderEpoch() > current.leaderEpoch()) {
                code = ErrorCode.UNKNOWN_LEADER_EPOCH;
                problem = "leader epoch " + change.getLeaderEpoch() + " is newer than " + current.leaderEpoch();
            } else if (change.getPartitionEpoch() != current.partitionEpoch()) {
                code = ErrorCode.INVALID_UPDATE_VERSION;
                problem = "partition epoch " + change.getPartitionEpoch() + " is not the current "
                        + current.partitionEpoch() + " of " + topic.name() + "-" + change.getPartition();
            } else {
                problem = checkNewIsr(current, change.getNewIsrList(), request.getBrokerId());
                if (problem != null) {
                    code = problem.startsWith("ineligible") ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.INVALID_REQUEST;
                }
            }
            if (problem != null) {
                response.addPartitions(result.setErrorCode(code).setErrorMessage(problem));
                continue;
            }
            if (!change.getNewIsrList().equals(current.isr())) {
                records.add(MetadataRecord.newBuilder().setPartitionChange(PartitionChangeRecord.newBuilder()
                        .setTopicId(change.getTopicId()).setPartitionId(change.getPartition())
                        .setIsr(BrokerIdList.newBuilder().addAllIds(change.getNewIsrList()))).build());
                log.info("ISR of {}-{} changes from {} to {} (leader {}, partition epoch {})", topic.name(),
                        change.getPartition(), current.isr(), change.getNewIsrList(), current.leader(),
                        current.partitionEpoch() + 1);
                result.clearIsr().addAllIsr(change.getNewIsrList()).setPartitionEpoch(current.partitionEpoch() + 1);
            }
            response.addPartitions(result.setErrorCode(ErrorCode.NONE));
        }
        return write(records, response.build(), fail);
    }

    private String checkNewIsr(PartitionRegistration current, List<Integer> newIsr, int leader) {
        if (!newIsr.contains(leader)) {
            return "the new ISR " + newIsr + " must contain the leader " + leader;
        }
        if (new HashSet<>(newIsr).size() != newIsr.size()) {
            return "the new ISR " + newIsr + " lists a broker twice";
        }
        for (int id : newIsr) {
            if (!current.replicas().contains(id)) {
                return "the new ISR " + newIsr + " names broker " + id + ", which is not a replica " + current.replicas();
            }
            if (!current.isr().contains(id) && !speculative.cluster().isActive(id)) {
                return "ineligible replica " + id + ": it is fenced, shutting down or not registered";
            }
        }
        return null;
    }

    private static void describe(PartitionIsrResult.Builder result, PartitionRegistration partition) {
        result.setLeader(partition.leader()).setLeaderEpoch(partition.leaderEpoch())
                .setPartitionEpoch(partition.partitionEpoch()).clearIsr().addAllIsr(partition.isr());
    }

    public CompletableFuture<ElectLeadersResponse> electLeaders(ElectLeadersRequest request) {
        Function<ControllerError, ElectLeadersResponse> fail = e -> ElectLeadersResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        List<TopicPartitions> targets = new ArrayList<>(request.getTopicPartitionsList());
        if (targets.isEmpty()) {
            speculative.topics().topicsByName().values().stream().sorted(Comparator.comparing(TopicImage::name))
                    .forEach(t -> targets.add(TopicPartitions.newBuilder().setTopic(t.name())
                            .addAllPartitions(new java.util.TreeSet<>(t.partitions().keySet())).build()));
        }
        boolean unclean = request.getElectionType() == ElectionType.ELECTION_UNCLEAN;
        IntPredicate eligible = speculative.cluster()::isActive;
        List<MetadataRecord> records = new ArrayList<>();
        ElectLeadersResponse.Builder response = ElectLeadersResponse.newBuilder().setError(ok());
        for (TopicPartitions target : targets) {
            TopicImage topic = speculative.topics().topic(target.getTopic());
            for (int p : target.getPartitionsList()) {
                PartitionElectionResult.Builder result = PartitionElectionResult.newBuilder()
                        .setTopic(target.getTopic()).setPartition(p);
                PartitionRegistration current = topic == null ? null : topic.partition(p);
                if (current == null) {
                    response.addPartitions(result.setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                            .setErrorMessage("unknown partition " + target.getTopic() + "-" + p).setLeader(-1));
                    continue;
                }
                result.setLeader(current.leader());
                Optional<PartitionChangeRecord> change = Optional.empty();
                if (!unclean) {
                    int preferred = current.preferredLeader();
                    if (current.leader() == preferred) {
                        result.setErrorCode(ErrorCode.ELECTION_NOT_NEEDED).setErrorMessage("the preferred leader "
                                + preferred + " already leads");
                    } else if (!current.isr().contains(preferred) || !eligible.test(preferred)) {
                        result.setErrorCode(ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE).setErrorMessage("preferred leader "
                                + preferred + " is not in the ISR " + current.isr() + " or not available");
                    } else {
                        change = PartitionChanges.change(topic.id(), p, current, current.isr(), eligible, false, true);
                    }
                } else if (current.hasLeader()) {
                    result.setErrorCode(ErrorCode.ELECTION_NOT_NEEDED).setErrorMessage("the partition has leader "
                            + current.leader());
                } else {
                    change = PartitionChanges.change(topic.id(), p, current, current.isr(), eligible, true, false);
                    if (change.isEmpty() || !change.get().hasLeader()) {
                        result.setErrorCode(ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE).setErrorMessage("no replica of "
                                + target.getTopic() + "-" + p + " " + current.replicas() + " is available");
                        change = Optional.empty();
                    }
                }
                if (change.isPresent()) {
                    records.add(MetadataRecord.newBuilder().setPartitionChange(change.get()).build());
                    result.setErrorCode(ErrorCode.NONE).setLeader(change.get().getLeader());
                    log.info("{} election: {}-{} leader {} -> {}", unclean ? "Unclean" : "Preferred", topic.name(), p,
                            current.leader(), change.get().getLeader());
                }
                response.addPartitions(result);
            }
        }
        return write(records, response.build(), fail);
    }

    // ---------------------------------------------------------------------------------------
    // Configs and ACLs
    // ---------------------------------------------------------------------------------------

    public CompletableFuture<IncrementalAlterConfigsResponse> incrementalAlterConfigs(IncrementalAlterConfigsRequest request) {
        Function<ControllerError, IncrementalAlterConfigsResponse> fail =
                e -> IncrementalAlterConfigsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        IncrementalAlterConfigsResponse.Builder response = IncrementalAlterConfigsResponse.newBuilder().setError(ok());
        Set<ConfigResource> seen = new HashSet<>();
        for (AlterConfigsResource resource : request.getResourcesList()) {
            AlterConfigsResourceResult.Builder result = AlterConfigsResourceResult.newBuilder()
                    .setResourceType(resource.getResourceType()).setResourceName(resource.getResourceName());
            ConfigResource target = new ConfigResource(resource.getResourceType(), resource.getResourceName());
            ConfigDefinitions definitions = null;
            String problem = null;
            ErrorCode code = ErrorCode.INVALID_REQUEST;
            switch (resource.getResourceType()) {
                case CONFIG_RESOURCE_TOPIC -> {
                    definitions = topicConfigs;
                    if (speculative.topics().topic(resource.getResourceName()) == null) {
                        code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
                        problem = "topic " + resource.getResourceName() + " does not exist";
                    }
                }
                case CONFIG_RESOURCE_BROKER -> {
                    definitions = brokerConfigs;
                    if (!resource.getResourceName().matches("\\d{1,9}")) {
                        problem = "a broker config resource is named by the broker id, not '" + resource.getResourceName() + "'";
                    }
                }
                case CONFIG_RESOURCE_CLUSTER -> {
                    definitions = brokerConfigs;
                    if (!resource.getResourceName().isEmpty()) {
                        problem = "the cluster config resource has an empty name, not '" + resource.getResourceName() + "'";
                    }
                }
                default -> problem = "unknown config resource type " + resource.getResourceType();
            }
            if (problem == null && !seen.add(target)) {
                problem = "resource " + target + " appears more than once in the request";
            }
            Map<String, String> next = new HashMap<>(speculative.configs().configs(target));
            List<MetadataRecord> resourceRecords = new ArrayList<>();
            if (problem == null) {
                for (AlterableConfig entry : resource.getConfigsList()) {
                    if (definitions.key(entry.getName()) == null) {
                        code = ErrorCode.INVALID_CONFIG;
                        problem = "unknown config '" + entry.getName() + "' for " + describe(target);
                        break;
                    }
                    ConfigRecord.Builder record = ConfigRecord.newBuilder().setResourceType(target.type())
                            .setResourceName(target.name()).setName(entry.getName());
                    if (entry.getOp() == AlterConfigOp.ALTER_CONFIG_SET) {
                        next.put(entry.getName(), entry.getValue());
                        record.setValue(entry.getValue());
                    } else if (entry.getOp() == AlterConfigOp.ALTER_CONFIG_DELETE) {
                        next.remove(entry.getName());
                    } else {
                        problem = "unknown operation " + entry.getOp() + " for config '" + entry.getName() + "'";
                        break;
                    }
                    resourceRecords.add(MetadataRecord.newBuilder().setConfig(record).build());
                }
            }
            if (problem == null) {
                try {
                    definitions.parse(next);
                } catch (ConfigException e) {
                    code = ErrorCode.INVALID_CONFIG;
                    problem = "invalid config for " + describe(target) + ": " + e.getMessage();
                }
            }
            if (problem != null) {
                response.addResources(result.setErrorCode(code).setErrorMessage(problem));
            } else {
                records.addAll(resourceRecords);
                response.addResources(result.setErrorCode(ErrorCode.NONE));
            }
        }
        if (request.getValidateOnly()) {
            return done(response.build());
        }
        return write(records, response.build(), fail);
    }

    private static String describe(ConfigResource resource) {
        return switch (resource.type()) {
            case CONFIG_RESOURCE_TOPIC -> "topic " + resource.name();
            case CONFIG_RESOURCE_BROKER -> "broker " + resource.name();
            case CONFIG_RESOURCE_CLUSTER -> "the cluster";
            default -> resource.toString();
        };
    }

    public CompletableFuture<CreateAclsResponse> createAcls(CreateAclsRequest request) {
        Function<ControllerError, CreateAclsResponse> fail = e -> CreateAclsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        List<AclEntry> added = new ArrayList<>();
        CreateAclsResponse.Builder response = CreateAclsResponse.newBuilder().setError(ok());
        for (AclBinding binding : request.getCreationsList()) {
            String problem = checkAcl(binding);
            if (problem != null) {
                response.addResults(AclCreationResult.newBuilder().setErrorCode(ErrorCode.INVALID_REQUEST)
                        .setErrorMessage(problem));
                continue;
            }
            AclEntry entry = new AclEntry(Uuids.random(random), binding);
            boolean exists = speculative.acls().acls().values().stream().anyMatch(e -> e.binding().equals(binding))
                    || added.stream().anyMatch(e -> e.binding().equals(binding));
            if (!exists) {
                added.add(entry);
                records.add(MetadataRecord.newBuilder().setAccessControlEntry(entry.toRecord()).build());
            }
            response.addResults(AclCreationResult.newBuilder().setErrorCode(ErrorCode.NONE));
        }
        return write(records, response.build(), fail);
    }

    private static String checkAcl(AclBinding b) {
        if (b.getResourceType() == AclResourceType.ACL_RESOURCE_UNKNOWN || b.getResourceType() == AclResourceType.UNRECOGNIZED) {
            return "the ACL needs a resource type";
        }
        if (b.getPatternType() == AclPatternType.ACL_PATTERN_UNKNOWN || b.getPatternType() == AclPatternType.UNRECOGNIZED) {
            return "the ACL needs a pattern type (literal or prefixed)";
        }
        if (b.getOperation() == AclOperation.ACL_OPERATION_UNKNOWN || b.getOperation() == AclOperation.UNRECOGNIZED) {
            return "the ACL needs an operation";
        }
        if (b.getPermissionType() == AclPermissionType.ACL_PERMISSION_UNKNOWN
                || b.getPermissionType() == AclPermissionType.UNRECOGNIZED) {
            return "the ACL needs a permission type (allow or deny)";
        }
        if (b.getResourceName().isEmpty()) {
            return "the ACL needs a resource name";
        }
        if (!b.getPrincipal().contains(":")) {
            return "principal '" + b.getPrincipal() + "' must look like Type:name, for example User:alice";
        }
        if (b.getHost().isEmpty()) {
            return "the ACL needs a host ('*' for every host)";
        }
        return null;
    }

    static boolean matches(AclFilter f, AclBinding e) {
        return (f.getResourceType() == AclResourceType.ACL_RESOURCE_UNKNOWN || f.getResourceType() == e.getResourceType())
                && (!f.hasResourceName() || f.getResourceName().equals(e.getResourceName()))
                && (f.getPatternType() == AclPatternType.ACL_PATTERN_UNKNOWN || f.getPatternType() == e.getPatternType())
                && (!f.hasPrincipal() || f.getPrincipal().equals(e.getPrincipal()))
                && (!f.hasHost() || f.getHost().equals(e.getHost()))
                && (f.getOperation() == AclOperation.ACL_OPERATION_UNKNOWN || f.getOperation() == e.getOperation())
                && (f.getPermissionType() == AclPermissionType.ACL_PERMISSION_UNKNOWN
                        || f.getPermissionType() == e.getPermissionType());
    }

    public CompletableFuture<DeleteAclsResponse> deleteAcls(DeleteAclsRequest request) {
        Function<ControllerError, DeleteAclsResponse> fail = e -> DeleteAclsResponse.newBuilder().setError(e).build();
        if (!canWrite()) {
            return done(fail.apply(notController()));
        }
        List<MetadataRecord> records = new ArrayList<>();
        Set<UUID> removed = new HashSet<>();
        DeleteAclsResponse.Builder response = DeleteAclsResponse.newBuilder().setError(ok());
        List<AclEntry> all = new ArrayList<>(speculative.acls().acls().values());
        all.sort(Comparator.comparing(AclEntry::id));
        for (AclFilter filter : request.getFiltersList()) {
            AclFilterResult.Builder result = AclFilterResult.newBuilder().setErrorCode(ErrorCode.NONE);
            for (AclEntry entry : all) {
                if (matches(filter, entry.binding())) {
                    result.addDeleted(entry.binding());
                    if (removed.add(entry.id())) {
                        records.add(MetadataRecord.newBuilder().setRemoveAccessControlEntry(
                                RemoveAccessControlEntryRecord.newBuilder().setId(Uuids.toProto(entry.id()))).build());
                    }
                }
            }
            response.addResults(result);
        }
        return write(records, response.build(), fail);
    }

    // ---------------------------------------------------------------------------------------
    // Shared pieces
    // ---------------------------------------------------------------------------------------

    /** Replica lists for {@code partitions} new partitions, balancing preferred leaders cluster-wide. */
    private List<List<Integer>> place(List<UsableBroker> brokers, int partitions, int rf, Map<Integer, Integer> leaderCounts) {
        List<List<Integer>> assignment = ReplicaPlacer.placeAddedPartitions(brokers, partitions, rf, leaderCounts, random);
        for (List<Integer> replicas : assignment) {
            leaderCounts.merge(replicas.get(0), 1, Integer::sum);
        }
        return assignment;
    }

    /**
     * Changes that take {@code removed} brokers out of every ISR (never emptying one) and give
     * every affected partition an eligible leader, in a fixed order (topics by name, partitions
     * by id) so the records are deterministic.
     */
    private List<MetadataRecord> removeFromIsrsAndElect(Set<Integer> removed, IntPredicate notRemoved) {
        IntPredicate eligible = id -> notRemoved.test(id) && speculative.cluster().isActive(id);
        List<MetadataRecord> records = new ArrayList<>();
        forEachPartition((topic, p, partition) -> {
            boolean affected = partition.isr().stream().anyMatch(removed::contains)
                    || (partition.hasLeader() && removed.contains(partition.leader()));
            if (affected) {
                boolean unclean = uncleanEnabled(topic.name());
                PartitionChanges.removeFromIsrAndElect(topic.id(), p, partition, removed::contains, eligible, unclean)
                        .ifPresent(change -> {
                            logChange(topic, p, partition, change);
                            records.add(MetadataRecord.newBuilder().setPartitionChange(change).build());
                        });
            }
        });
        return records;
    }

    /** Changes that give leaderless partitions a leader now that {@code brokerId} is back. */
    private List<MetadataRecord> electOfflineWith(int brokerId) {
        IntPredicate eligible = id -> id == brokerId || speculative.cluster().isActive(id);
        List<MetadataRecord> records = new ArrayList<>();
        forEachPartition((topic, p, partition) -> {
            if (!partition.hasLeader() && partition.replicas().contains(brokerId)) {
                PartitionChanges.change(topic.id(), p, partition, partition.isr(), eligible,
                        uncleanEnabled(topic.name()), false).ifPresent(change -> {
                            logChange(topic, p, partition, change);
                            records.add(MetadataRecord.newBuilder().setPartitionChange(change).build());
                        });
            }
        });
        return records;
    }

    private static void logChange(TopicImage topic, int p, PartitionRegistration before, PartitionChangeRecord change) {
        log.info("Partition {}-{}: leader {} -> {}, ISR {} -> {}", topic.name(), p, before.leader(),
                change.hasLeader() ? change.getLeader() : before.leader(), before.isr(),
                change.hasIsr() ? change.getIsr().getIdsList() : before.isr());
    }

    private interface PartitionVisitor {
        void visit(TopicImage topic, int partitionId, PartitionRegistration partition);
    }

    private void forEachPartition(PartitionVisitor visitor) {
        List<TopicImage> topics = new ArrayList<>(speculative.topics().topicsById().values());
        topics.sort(Comparator.comparing(TopicImage::name));
        for (TopicImage topic : topics) {
            for (int p = 0; p < topic.partitionCount(); p++) {
                PartitionRegistration partition = topic.partition(p);
                if (partition != null) {
                    visitor.visit(topic, p, partition);
                }
            }
        }
    }

    private boolean uncleanEnabled(String topic) {
        String value = speculative.configs().configs(ConfigResource.topic(topic))
                .get(ControllerConfig.UNCLEAN_LEADER_ELECTION_ENABLE.name());
        return value != null ? Boolean.parseBoolean(value.trim()) : config.uncleanLeaderElectionEnable();
    }

    private static MetadataRecord brokerChange(BrokerRegistration broker, Boolean fenced, Boolean shuttingDown) {
        BrokerRegistrationChangeRecord.Builder change = BrokerRegistrationChangeRecord.newBuilder()
                .setBrokerId(broker.id()).setBrokerEpoch(broker.epoch());
        if (fenced != null) {
            change.setFenced(fenced);
        }
        if (shuttingDown != null) {
            change.setInControlledShutdown(shuttingDown);
        }
        return MetadataRecord.newBuilder().setBrokerRegistrationChange(change).build();
    }

    private ControllerError checkBrokerEpoch(int brokerId, long epoch) {
        BrokerRegistration broker = speculative.cluster().broker(brokerId);
        if (broker == null) {
            return error(ErrorCode.BROKER_ID_NOT_REGISTERED, "broker " + brokerId + " is not registered");
        }
        if (broker.epoch() != epoch) {
            return error(ErrorCode.STALE_BROKER_EPOCH, "broker " + brokerId + " sent epoch " + epoch
                    + " but its current registration has epoch " + broker.epoch());
        }
        return null;
    }

    private boolean canWrite() {
        if (active && speculativeDoubtful && inFlight == 0) {
            speculative = committed;
            speculativeDoubtful = false;
        }
        return active && !speculativeDoubtful;
    }

    private ControllerError notController() {
        String why = active ? "node " + nodeId + " is recovering from a failed metadata write; retry"
                : "node " + nodeId + " is not the active controller";
        return ControllerError.newBuilder().setCode(ErrorCode.NOT_CONTROLLER).setMessage(why)
                .setLeaderHint(active ? nodeId : leaderHint).build();
    }

    private static ControllerError ok() {
        return ControllerError.newBuilder().setCode(ErrorCode.NONE).setLeaderHint(-1).build();
    }

    private static ControllerError error(ErrorCode code, String message) {
        return ControllerError.newBuilder().setCode(code).setMessage(message).setLeaderHint(-1).build();
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** The outcome of one append: the committed index, or why it failed. */
    private record WriteResult(long index, ControllerError error) {}

    /**
     * Submits {@code records} (if any) on top of the speculative image and completes with
     * {@code response} after they commit, or with {@code onError} of the failure.
     */
    private <T> CompletableFuture<T> write(List<MetadataRecord> records, T response,
            Function<ControllerError, T> onError) {
        return append(records).thenApply(result -> result.error == null ? response : onError.apply(result.error));
    }

    private CompletableFuture<WriteResult> append(List<MetadataRecord> records) {
        if (records.isEmpty()) {
            return done(new WriteResult(committed.provenance().lastAppliedIndex(), null));
        }
        MetadataDelta delta = new MetadataDelta(speculative);
        delta.replayAll(records);
        speculative = delta.apply(speculative.provenance());
        inFlight++;
        lastWriteMs = clock.monotonicMilliseconds();
        long writeTerm = term;
        CompletableFuture<WriteResult> out = new CompletableFuture<>();
        metadataLog.append(writeTerm, records).whenCompleteAsync((index, failure) -> {
            inFlight--;
            if (failure == null) {
                out.complete(new WriteResult(index, null));
                return;
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            speculativeDoubtful = true;
            if (cause instanceof MetadataLog.NotLeaderException notLeader) {
                out.complete(new WriteResult(-1, ControllerError.newBuilder().setCode(ErrorCode.NOT_CONTROLLER)
                        .setMessage("leadership moved before the change committed; it did not take effect")
                        .setLeaderHint(notLeader.leaderHint()).build()));
            } else {
                log.warn("Metadata write in term {} failed; its outcome is unknown", writeTerm, cause);
                out.complete(new WriteResult(-1, ControllerError.newBuilder().setCode(ErrorCode.REQUEST_TIMED_OUT)
                        .setMessage("the metadata write failed and may or may not have taken effect: " + cause)
                        .setLeaderHint(-1).build()));
            }
        }, loop);
        return out;
    }
}
