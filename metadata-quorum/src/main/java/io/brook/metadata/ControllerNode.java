package io.brook.metadata;

import io.brook.api.internal.controller.AddRaftVoterRequest;
import io.brook.api.internal.controller.AddRaftVoterResponse;
import io.brook.api.internal.controller.ControllerError;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.RemoveRaftVoterRequest;
import io.brook.api.internal.controller.RemoveRaftVoterResponse;
import io.brook.api.internal.controller.VoterState;
import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigValues;
import io.brook.metadata.internal.MetadataFeed;
import io.brook.metadata.internal.MetadataLog;
import io.brook.metadata.internal.QuorumAdmin;
import io.brook.metadata.internal.controller.ControllerLogic;
import io.brook.metadata.internal.controller.QuorumController;
import io.brook.metadata.internal.grpc.ControllerRpcServer;
import io.brook.metadata.internal.ratis.QuorumConfig;
import io.brook.metadata.internal.ratis.QuorumStatus;
import io.brook.metadata.internal.ratis.RaftQuorumNode;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller: a voter of the Ratis metadata quorum, the controller logic that runs while it
 * is the active controller, and the controller service on its RPC listener. What a node with
 * {@code process.roles=controller} runs.
 *
 * <pre>
 *   ControllerClient ──gRPC──▶ ControllerRpcServer ──▶ QuorumController (event loop)
 *                                                           │ records
 *                                                           ▼
 *                                  RaftQuorumNode (Ratis) ── replicate, commit ──▶ every controller
 *                                                           │ committed batches
 *                                                           ▼
 *                              MetadataStateMachine ──(delta, image)──▶ publishers
 *                                                           │
 *                         MetadataFeed ──WatchMetadata──▶ MetadataFollower (brokers)
 * </pre>
 */
public final class ControllerNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerNode.class);

    /** Every key a controller reads. */
    public static final ConfigDefinitions DEFINITIONS = QuorumConfig.DEFINITIONS.plus(ControllerConfig.DEFINITIONS);

    /**
     * @param metadataDir   formatted with {@code brook storage format}
     * @param rpcHost       the controller service's bind address
     * @param rpcPort       its port; 0 picks a free one
     * @param config        parsed with {@link #DEFINITIONS}
     * @param topicConfigs  the topic-level config keys topics may set (from the broker's modules)
     * @param brokerConfigs the broker-level keys that may be set dynamically
     */
    public record Settings(int nodeId, Path metadataDir, String rpcHost, int rpcPort, ConfigValues config,
            ConfigDefinitions topicConfigs, ConfigDefinitions brokerConfigs) {
        public Settings {
            Objects.requireNonNull(metadataDir, "metadataDir");
            Objects.requireNonNull(rpcHost, "rpcHost");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(topicConfigs, "topicConfigs");
            Objects.requireNonNull(brokerConfigs, "brokerConfigs");
        }
    }

    private final Settings settings;
    private final List<MetadataPublisher> extraPublishers;
    /** Recent committed batches kept for brokers' metadata watches (count and bytes bounds). */
    private static final int FEED_MAX_BATCHES = 10_000;
    private static final long FEED_MAX_BYTES = 64L << 20;

    private QuorumController controller;
    private MetadataFeed feed;
    private java.util.concurrent.ScheduledExecutorService contactCheck;
    /** Monotonic ms when a live leader was last known (0: not yet checked); the check thread only. */
    private long lastLeaderContactMs;
    private RaftQuorumNode quorum;
    private ControllerRpcServer rpc;

    public ControllerNode(Settings settings, List<MetadataPublisher> extraPublishers) {
        this.settings = settings;
        this.extraPublishers = List.copyOf(extraPublishers);
    }

    /**
     * Starts the quorum member and the RPC listener.
     *
     * @throws StorageFormatException when the metadata directory is not formatted for this node
     */
    public synchronized void start() throws IOException {
        MetaProperties meta = StorageFormatter.checkFormatted(List.of(settings.metadataDir()), settings.nodeId());
        ControllerConfig controllerConfig = ControllerConfig.from(settings.config());
        Random random = new Random(new SecureRandom().nextLong());
        controller = new QuorumController(settings.nodeId(), loop -> new ControllerLogic(settings.nodeId(),
                meta.clusterId(), controllerConfig, settings.topicConfigs(), settings.brokerConfigs(),
                (term, records) -> quorum.metadataLog().append(term, records), Clock.system(), random, loop));
        feed = new MetadataFeed(FEED_MAX_BATCHES, FEED_MAX_BYTES);
        List<MetadataPublisher> publishers = new ArrayList<>();
        publishers.add(controller);
        publishers.add(feed);
        publishers.addAll(extraPublishers);
        quorum = new RaftQuorumNode(RaftQuorumNode.Settings.from(settings.nodeId(), settings.metadataDir(),
                settings.config()), controller, publishers);
        try {
            rpc = ControllerRpcServer.start(settings.rpcHost(), settings.rpcPort(), controller, new Admin(), feed);
            quorum.start();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        long staleAfterMs = staleAfterMs(settings.config().get(QuorumConfig.ELECTION_TIMEOUT_MS));
        contactCheck = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-quorum-contact-" + settings.nodeId());
            t.setDaemon(true);
            return t;
        });
        contactCheck.scheduleWithFixedDelay(() -> checkQuorumContact(staleAfterMs), CONTACT_CHECK_MS, CONTACT_CHECK_MS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        log.info("Controller {} serves the controller service on {}:{}", settings.nodeId(), settings.rpcHost(),
                rpc.port());
    }

    /** How often the controller checks that it still hears from a leader. */
    private static final long CONTACT_CHECK_MS = 500;

    /**
     * After this long without a leader's word the controller's metadata may be stale: more than
     * an election takes (up to two timeouts, often a second round), so a normal election never
     * interrupts the brokers' watches.
     */
    static long staleAfterMs(int electionTimeoutMs) {
        return Math.max(2_000, 6L * electionTimeoutMs);
    }

    /**
     * Stops serving metadata watches while this controller has not been in contact with a working
     * quorum for {@code staleAfterMs}: a follower that heard from its leader recently, or a leader
     * a majority answered recently, counts as contact (a follower whose pre-votes fail keeps its
     * role but forgets the leader; a leader cut off from its followers keeps its role).
     */
    private void checkQuorumContact(long staleAfterMs) {
        try {
            long now = Clock.system().monotonicMilliseconds();
            boolean leaderKnown = quorum.status().leaderId() != -1 && quorum.millisSinceQuorumContact() < staleAfterMs;
            if (leaderKnown || lastLeaderContactMs == 0) {
                lastLeaderContactMs = now;
            }
            long silentMs = now - lastLeaderContactMs;
            rpc.setWatchServing(silentMs < staleAfterMs, "controller " + settings.nodeId() + " has not heard from a "
                    + "quorum leader for " + silentMs + " ms; its metadata may be stale, ask another controller");
        } catch (RuntimeException e) {
            log.debug("Controller {}: quorum contact check failed", settings.nodeId(), e);
        }
    }

    public int nodeId() {
        return settings.nodeId();
    }

    /** The controller service's port (the real one when 0 was configured). */
    public int rpcPort() {
        return rpc.port();
    }

    /** The latest committed metadata this controller has applied. */
    public MetadataImage image() {
        return quorum.image();
    }

    /** This controller's view of the quorum. */
    public QuorumStatus quorumStatus() {
        return quorum.status();
    }

    /**
     * The quorum status as the DescribeQuorum answer. Only the leader knows the voters' lag, so a
     * follower answers NOT_CONTROLLER with the leader hint and clients ask the leader.
     */
    DescribeQuorumResponse describeQuorum() {
        QuorumStatus status = quorum.status();
        DescribeQuorumResponse.Builder response = DescribeQuorumResponse.newBuilder()
                // Ratis may not yet name the leader in the moment a node becomes it.
                .setLeaderId(status.isLeader() ? status.nodeId() : status.leaderId()).setTerm(status.currentTerm()).setCommitIndex(status.commitIndex())
                .setNodeId(status.nodeId()).setLastAppliedIndex(status.lastAppliedIndex())
                .setLastSnapshotIndex(status.lastSnapshotIndex());
        if (!status.isLeader()) {
            return response.setError(ControllerError.newBuilder().setCode(ErrorCode.NOT_CONTROLLER)
                    .setMessage("controller " + status.nodeId() + " is not the leader").setLeaderHint(status.leaderId()))
                    .build();
        }
        for (QuorumStatus.VoterStatus voter : status.voters()) {
            response.addVoters(VoterState.newBuilder().setNodeId(voter.id()).setAddress(voter.address())
                    .setLogEndIndex(voter.matchIndex()).setLag(voter.lag()).setLastContactMs(-1));
        }
        return response.setError(ControllerError.newBuilder().setCode(ErrorCode.NONE).setLeaderHint(-1)).build();
    }

    /** Membership changes and status for the controller service. */
    private final class Admin implements QuorumAdmin {
        @Override
        public DescribeQuorumResponse describeQuorum() {
            return ControllerNode.this.describeQuorum();
        }

        @Override
        public CompletableFuture<AddRaftVoterResponse> addVoter(AddRaftVoterRequest request) {
            return membership(quorum.addVoter(request.getVoterId(), request.getHost(), request.getPort()))
                    .thenApply(error -> AddRaftVoterResponse.newBuilder().setError(error).build());
        }

        @Override
        public CompletableFuture<RemoveRaftVoterResponse> removeVoter(RemoveRaftVoterRequest request) {
            return membership(quorum.removeVoter(request.getVoterId()))
                    .thenApply(error -> RemoveRaftVoterResponse.newBuilder().setError(error).build());
        }

        private CompletableFuture<ControllerError> membership(CompletableFuture<Void> change) {
            return change.handle((ok, failure) -> {
                if (failure == null) {
                    return ControllerError.newBuilder().setCode(ErrorCode.NONE).setLeaderHint(-1).build();
                }
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof MetadataLog.NotLeaderException notLeader) {
                    return ControllerError.newBuilder().setCode(ErrorCode.NOT_CONTROLLER)
                            .setMessage(cause.getMessage()).setLeaderHint(notLeader.leaderHint()).build();
                }
                log.warn("Controller {}: membership change failed", settings.nodeId(), cause);
                return ControllerError.newBuilder().setCode(ErrorCode.UNKNOWN_SERVER_ERROR)
                        .setMessage("the membership change failed: " + cause).setLeaderHint(-1).build();
            });
        }
    }

    @Override
    public synchronized void close() {
        if (contactCheck != null) {
            contactCheck.shutdownNow();
        }
        if (rpc != null) {
            rpc.close();
        }
        if (quorum != null) {
            quorum.close();
        }
        if (controller != null) {
            controller.close();
        }
    }
}
