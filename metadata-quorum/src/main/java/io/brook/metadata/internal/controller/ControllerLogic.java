package io.brook.metadata.internal.controller;

import io.brook.api.internal.controller.AllocateProducerIdsRequest;
import io.brook.api.internal.controller.AllocateProducerIdsResponse;
import io.brook.api.internal.controller.AlterPartitionRequest;
import io.brook.api.internal.controller.AlterPartitionResponse;
import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreateAclsRequest;
import io.brook.api.internal.controller.CreateAclsResponse;
import io.brook.api.internal.controller.CreatePartitionsRequest;
import io.brook.api.internal.controller.CreatePartitionsResponse;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.ControllerError;
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
import io.brook.api.internal.controller.TopicPartitions;
import io.brook.api.internal.metadata.BrokerIdList;
import io.brook.api.internal.metadata.BrokerRegistrationChangeRecord;
import io.brook.api.internal.metadata.FeatureLevelRecord;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.NoOpRecord;
import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.api.internal.metadata.ProducerIdsRecord;
import io.brook.api.internal.metadata.RegisterBrokerRecord;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.common.ConfigDefinitions;
import io.brook.metadata.BrokerRegistration;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.metadata.Uuids;
import io.brook.metadata.internal.MetadataLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.IntPredicate;
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
    private final TopicControl topics;

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
        this.topics = new TopicControl(config, this.topicConfigs, random);
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
        maybeFinalizeMetadataVersion();
    }

    /** The first active controller of a cluster finalizes metadata.version (again if that write failed). */
    private void maybeFinalizeMetadataVersion() {
        if (speculative.features().level(METADATA_VERSION) == 0) {
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
        maybeFinalizeMetadataVersion();
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
        // A live process holds the id: refused until its session expires. A broker that finished a
        // controlled shutdown (or is fenced) has let it go, so its next process registers at once.
        if (existing != null && !existing.fenced() && !existing.inControlledShutdown()
                && !existing.incarnationId().equals(incarnation)
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
        return write(() -> topics.createTopics(speculative, request),
                e -> CreateTopicsResponse.newBuilder().setError(e).build());
    }

    public CompletableFuture<DeleteTopicsResponse> deleteTopics(DeleteTopicsRequest request) {
        return write(() -> topics.deleteTopics(speculative, request),
                e -> DeleteTopicsResponse.newBuilder().setError(e).build());
    }

    public CompletableFuture<CreatePartitionsResponse> createPartitions(CreatePartitionsRequest request) {
        return write(() -> topics.createPartitions(speculative, request),
                e -> CreatePartitionsResponse.newBuilder().setError(e).build());
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
        boolean repeated = false;
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
            } else if (change.getPartitionEpoch() < current.partitionEpoch()
                    && new HashSet<>(change.getNewIsrList()).equals(new HashSet<>(current.isr()))) {
                // A repeat of a change already made (its first answer was lost, or the client gave up
                // on a slow commit): answered as made, once what it made is committed (the no-op
                // below commits after it). Refusing it would tell the leader its expansion failed
                // while the committed ISR has it, and the leader would count acks=all without it.
                repeated = true;
                response.addPartitions(result.setErrorCode(ErrorCode.NONE));
                continue;
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
        if (repeated && records.isEmpty()) {
            records.add(MetadataRecord.newBuilder().setNoOp(NoOpRecord.newBuilder()
                    .setAppendTimeMs(clock.milliseconds())).build());
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
        return write(() -> ConfigControl.incrementalAlterConfigs(speculative, request, topicConfigs, brokerConfigs),
                e -> IncrementalAlterConfigsResponse.newBuilder().setError(e).build());
    }

    public CompletableFuture<CreateAclsResponse> createAcls(CreateAclsRequest request) {
        return write(() -> AclControl.createAcls(speculative, request, random),
                e -> CreateAclsResponse.newBuilder().setError(e).build());
    }

    public CompletableFuture<DeleteAclsResponse> deleteAcls(DeleteAclsRequest request) {
        return write(() -> AclControl.deleteAcls(speculative, request),
                e -> DeleteAclsResponse.newBuilder().setError(e).build());
    }

    // ---------------------------------------------------------------------------------------
    // Shared pieces
    // ---------------------------------------------------------------------------------------

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
        return ControllerErrors.ok();
    }

    private static ControllerError error(ErrorCode code, String message) {
        return ControllerErrors.error(code, message);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** The outcome of one append: the committed index, or why it failed. */
    private record WriteResult(long index, ControllerError error) {}

    /**
     * Runs {@code request} against the speculative image if this controller may write, and
     * submits its records; answers with its response after they commit.
     */
    private <T> CompletableFuture<T> write(java.util.function.Supplier<ControllerResult<T>> request,
            Function<ControllerError, T> onError) {
        if (!canWrite()) {
            return done(onError.apply(notController()));
        }
        ControllerResult<T> result = request.get();
        return write(result.records(), result.response(), onError);
    }

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
                // Not NOT_CONTROLLER: that tells clients to send the request to the new controller,
                // which may apply it a second time, or refuse it for what the first time did.
                out.complete(new WriteResult(-1, ControllerError.newBuilder().setCode(ErrorCode.REQUEST_TIMED_OUT)
                        .setMessage("leadership moved before the change was known to be committed; it may or may not "
                                + "have taken effect (the new active controller has it if it did)")
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
