package io.brook.metadata.internal.ratis;

import io.brook.common.ConfigValues;
import io.brook.metadata.MetaProperties;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.StorageFormatException;
import io.brook.metadata.StorageFormatter;
import io.brook.metadata.internal.LeadershipListener;
import io.brook.metadata.internal.MetadataLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller of the metadata quorum: a Ratis server with the {@link MetadataStateMachine},
 * started on a formatted metadata directory.
 *
 * <ul>
 *   <li>The Raft group id is the UUID of the directory's cluster id
 *       ({@link StorageFormatter#clusterUuid}); the Raft peer id is the node id as decimal text.</li>
 *   <li>A node listed in {@code controller.quorum.voters} starts with the whole voter group. A node
 *       not listed is a <em>joining</em> controller: it starts with an empty group (Ratis's way for a
 *       new peer: it neither votes nor campaigns) on its {@code controller.quorum.listen.address},
 *       and becomes a voter once the leader runs {@link #addVoter}; the leader then brings it up to
 *       date (by snapshot installation when the log was purged). The configuration is kept in the
 *       Ratis log, so a restart of such a node needs nothing more.</li>
 *   <li>Storage uses the RECOVER startup option: the first start formats the Raft storage, later
 *       starts reuse it.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class RaftQuorumNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RaftQuorumNode.class);

    /**
     * Appender retry policy: the default ({@code 1ms,10, 1s,20, 5s,1000}) retries a follower that
     * was down for more than about 20 s only every 5 s; measured catch-up after 10k writes took
     * 9.6-13.5 s with it and 1.0-2.6 s with this one (shared/notes/ratis.md, pitfall 8).
     */
    static final String APPENDER_RETRY_POLICY = "1ms,10, 100ms,1000";
    private static final long SNAPSHOT_REQUEST_TIMEOUT_MS = 60_000;

    /**
     * What a node needs to start.
     *
     * @param nodeId                  this controller's node id
     * @param voters                  {@code controller.quorum.voters}
     * @param self                    this node's Raft address (its voters entry, or the listen address of a
     *                                joining node)
     * @param metadataDir             the formatted metadata directory; Ratis keeps its storage under it
     * @param electionTimeoutMs       {@code controller.quorum.election.timeout.ms}
     * @param snapshotIntervalRecords {@code metadata.snapshot.interval.records}
     * @param logSegmentBytes         {@code metadata.log.segment.bytes}
     */
    public record Settings(int nodeId, List<QuorumVoter> voters, QuorumVoter self, Path metadataDir,
            int electionTimeoutMs, long snapshotIntervalRecords, long snapshotIntervalBytes, int logSegmentBytes) {
        public Settings {
            voters = List.copyOf(voters);
            Objects.requireNonNull(self, "self");
            Objects.requireNonNull(metadataDir, "metadataDir");
            if (self.id() != nodeId) {
                throw new IllegalArgumentException("self address is for node " + self.id() + ", not " + nodeId);
            }
        }

        /** With the default byte interval ({@code metadata.log.max.record.bytes.between.snapshots}). */
        public Settings(int nodeId, List<QuorumVoter> voters, QuorumVoter self, Path metadataDir,
                int electionTimeoutMs, long snapshotIntervalRecords, int logSegmentBytes) {
            this(nodeId, voters, self, metadataDir, electionTimeoutMs, snapshotIntervalRecords,
                    QuorumConfig.SNAPSHOT_INTERVAL_BYTES.defaultValue(), logSegmentBytes);
        }

        /** Reads {@link QuorumConfig} keys from parsed configuration. */
        public static Settings from(int nodeId, Path metadataDir, ConfigValues config) {
            List<QuorumVoter> voters = QuorumConfig.parseVoters(config.get(QuorumConfig.VOTERS));
            String listen = config.get(QuorumConfig.LISTEN_ADDRESS);
            QuorumVoter self;
            if (listen != null) {
                self = QuorumConfig.parseAddress(QuorumConfig.LISTEN_ADDRESS.name(), nodeId, listen);
            } else {
                self = voters.stream().filter(v -> v.id() == nodeId).findFirst().orElseThrow(() ->
                        new io.brook.common.ConfigException(QuorumConfig.LISTEN_ADDRESS.name(), "Node " + nodeId
                                + " is not in " + QuorumConfig.VOTERS.name() + "; a controller joining a running "
                                + "quorum must set " + QuorumConfig.LISTEN_ADDRESS.name() + "."));
            }
            return new Settings(nodeId, voters, self, metadataDir, config.get(QuorumConfig.ELECTION_TIMEOUT_MS),
                    config.get(QuorumConfig.SNAPSHOT_INTERVAL_RECORDS), config.get(QuorumConfig.SNAPSHOT_INTERVAL_BYTES),
                    config.get(QuorumConfig.LOG_SEGMENT_BYTES));
        }

        /** Whether this node is one of the configured voters (otherwise it joins a running quorum). */
        public boolean isInitialVoter() {
            return voters.stream().anyMatch(v -> v.id() == nodeId);
        }
    }

    private final Settings settings;
    private final LeadershipListener listener;
    private final List<MetadataPublisher> publishers;
    private final ClientId adminClientId = ClientId.randomId();
    private final AtomicLong adminCallIds = new AtomicLong();
    private final ExecutorService snapshotRequests;

    private volatile RaftServer server;
    private volatile RaftGroupId groupId;
    private volatile MetadataStateMachine stateMachine;
    private volatile RaftMetadataLog metadataLog;
    private volatile boolean closed;

    /**
     * @param listener   told when this node becomes and stops being the active controller
     * @param publishers receive every committed image, in log order, from the first one on
     */
    public RaftQuorumNode(Settings settings, LeadershipListener listener, List<MetadataPublisher> publishers) {
        this.settings = Objects.requireNonNull(settings);
        this.listener = Objects.requireNonNull(listener);
        this.publishers = List.copyOf(publishers);
        this.snapshotRequests = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "brook-quorum-snapshot-" + settings.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the Raft server.
     *
     * @throws StorageFormatException when the metadata directory is not formatted for this node
     * @throws IOException            when Ratis cannot start (storage, port)
     */
    public synchronized void start() throws IOException {
        if (server != null || closed) {
            throw new IllegalStateException("already started or closed");
        }
        MetaProperties meta = StorageFormatter.checkFormatted(List.of(settings.metadataDir()), settings.nodeId());
        groupId = RaftGroupId.valueOf(StorageFormatter.clusterUuid(meta.clusterId()));
        RaftGroup group = settings.isInitialVoter()
                ? RaftGroup.valueOf(groupId, settings.voters().stream().map(RaftQuorumNode::peer).toList())
                : RaftGroup.valueOf(groupId);
        MetadataStateMachine sm = new MetadataStateMachine(settings.nodeId(), settings.snapshotIntervalRecords(),
                settings.snapshotIntervalBytes(),
                new LeadershipDispatcher(settings.nodeId(), listener));
        publishers.forEach(sm::addPublisher);
        sm.setSnapshotTrigger(index -> {
            try {
                snapshotRequests.execute(this::requestSnapshot);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                sm.snapshotRequestDone(); // closing
            }
        });
        stateMachine = sm;
        RaftServer s = RaftServer.newBuilder()
                .setServerId(peerId(settings.nodeId()))
                .setGroup(group)
                .setStateMachine(sm)
                .setProperties(properties())
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        server = s;
        metadataLog = new RaftMetadataLog(s, groupId);
        s.start();
        log.info("Controller {} started on {} in cluster {} (group {}){}", settings.nodeId(),
                settings.self().address(), meta.clusterId(), groupId.getUuid(),
                settings.isInitialVoter() ? "" : ", waiting to be added as a voter");
    }

    private RaftProperties properties() {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(settings.metadataDir().toFile()));
        GrpcConfigKeys.Server.setHost(p, settings.self().host());
        GrpcConfigKeys.Server.setPort(p, settings.self().port());
        TimeDuration min = TimeDuration.valueOf(settings.electionTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
        TimeDuration max = min.multiply(2);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, max);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, max);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(settings.logSegmentBytes()));
        // Purge up to the snapshot even if a follower is behind: it then gets the snapshot.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        // Snapshots already come at most once per interval; purge whatever they allow.
        RaftServerConfigKeys.Log.setPurgeGap(p, 1);
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, APPENDER_RETRY_POLICY);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        return p;
    }

    /** Asks Ratis for a snapshot, so that it also purges the log behind it. */
    private void requestSnapshot() {
        RaftServer s = server;
        if (s == null || closed) {
            stateMachine.snapshotRequestDone();
            return;
        }
        try {
            s.snapshotManagementAsync(SnapshotManagementRequest.newCreate(adminClientId, s.getId(), groupId,
                    adminCallIds.incrementAndGet(), SNAPSHOT_REQUEST_TIMEOUT_MS, 1))
                    .whenComplete((reply, error) -> {
                        stateMachine.snapshotRequestDone();
                        if (error != null || !reply.isSuccess()) {
                            log.warn("Controller {}: snapshot request failed: {}", settings.nodeId(),
                                    error != null ? error.toString() : reply.getException());
                        }
                    });
        } catch (RuntimeException e) {
            stateMachine.snapshotRequestDone();
            log.warn("Controller {}: snapshot request failed", settings.nodeId(), e);
        }
    }

    public int nodeId() {
        return settings.nodeId();
    }

    /** Appends to the quorum through this node (which must lead the given term). */
    public MetadataLog metadataLog() {
        return requireStarted(metadataLog);
    }

    /** The latest image applied on this node. */
    public MetadataImage image() {
        return requireStarted(stateMachine).image();
    }

    /** Snapshots loaded by this node (at startup or after installation from the leader). */
    public int snapshotsLoaded() {
        return requireStarted(stateMachine).snapshotsLoaded();
    }

    /** Snapshots installed on this node by the leader. */
    public int snapshotsInstalled() {
        return requireStarted(stateMachine).snapshotsInstalled();
    }

    private RaftServer.Division division() {
        try {
            return requireStarted(server).getDivision(groupId);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Milliseconds since this node was last in contact with a working quorum. On the leader: since
     * a majority of the voters (itself included) last answered it, from the followers' last-RPC
     * times (a leader cut off from its followers keeps its role in Ratis, but commits nothing). On a
     * follower: since the leader's last append, or the time in its role when it knows no leader.
     * Large means this node's metadata may be stale.
     */
    public long millisSinceQuorumContact() {
        RaftServer.Division division = division();
        RoleInfoProto role = division.getInfo().getRoleInfoProto();
        if (role.hasLeaderInfo()) {
            int voters = division.getRaftConf().getCurrentPeers().size();
            int followersNeeded = voters / 2; // with the leader itself, a majority
            if (followersNeeded == 0) {
                return 0;
            }
            List<Long> elapsed = new ArrayList<>();
            for (ServerRpcProto follower : role.getLeaderInfo().getFollowerInfoList()) {
                elapsed.add(follower.getLastRpcElapsedTimeMs());
            }
            if (elapsed.size() < followersNeeded) {
                return role.getRoleElapsedTimeMs();
            }
            elapsed.sort(null);
            return elapsed.get(followersNeeded - 1);
        }
        if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()) {
            return role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
        }
        return role.getRoleElapsedTimeMs();
    }

    /** This node's view of the quorum; replication figures of the other voters only on the leader. */
    public QuorumStatus status() {
        RaftServer.Division division = division();
        DivisionInfo info = division.getInfo();
        RaftLog raftLog = division.getRaftLog();
        long lastIndex = raftLog.getNextIndex() - 1;
        Map<Integer, Long> matchIndex = new HashMap<>();
        if (info.isLeader()) {
            matchIndex.put(settings.nodeId(), raftLog.getFlushIndex());
            RoleInfoProto role = info.getRoleInfoProto();
            long[] matches = info.getFollowerMatchIndices();
            if (role.hasLeaderInfo() && matches != null && matches.length == role.getLeaderInfo().getFollowerInfoCount()) {
                List<ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
                for (int i = 0; i < followers.size(); i++) {
                    matchIndex.put(nodeId(RaftPeerId.valueOf(followers.get(i).getId().getId())), matches[i]);
                }
            }
        }
        Map<Integer, Long> commitIndex = new HashMap<>();
        if (info.isLeader()) {
            for (CommitInfoProto commit : division.getCommitInfos()) {
                commitIndex.put(nodeId(RaftPeerId.valueOf(commit.getServer().getId())), commit.getCommitIndex());
            }
        }
        List<QuorumStatus.VoterStatus> voters = new ArrayList<>();
        division.getRaftConf().getCurrentPeers().stream()
                .sorted(Comparator.comparingInt(p -> nodeId(p.getId())))
                .forEach(p -> {
                    int id = nodeId(p.getId());
                    long match = matchIndex.getOrDefault(id, -1L);
                    voters.add(new QuorumStatus.VoterStatus(id, p.getAddress(), match,
                            commitIndex.getOrDefault(id, -1L), match < 0 ? -1 : Math.max(0, lastIndex - match)));
                });
        return new QuorumStatus(settings.nodeId(), info.getCurrentRole().name(), nodeId(info.getLeaderId()),
                info.getCurrentTerm(), info.getLastAppliedIndex(), raftLog.getLastCommittedIndex(),
                stateMachine.latestSnapshotIndex(), raftLog.getStartIndex(), List.copyOf(voters));
    }

    /**
     * Adds a voter (a controller started as a joining node on {@code host:port}). Must run on the
     * leader; fails with {@link MetadataLog.NotLeaderException} otherwise. Completes once the new
     * configuration is committed; the leader first brings the new node up to date.
     */
    public CompletableFuture<Void> addVoter(int id, String host, int port) {
        return changeVoters(current -> {
            current.removeIf(p -> nodeId(p.getId()) == id);
            current.add(peer(new QuorumVoter(id, host, port)));
        }, "add voter " + id + "@" + host + ":" + port);
    }

    /** Removes a voter. Must run on the leader; completes once the new configuration is committed. */
    public CompletableFuture<Void> removeVoter(int id) {
        return changeVoters(current -> current.removeIf(p -> nodeId(p.getId()) == id), "remove voter " + id);
    }

    private CompletableFuture<Void> changeVoters(java.util.function.Consumer<List<RaftPeer>> change, String what) {
        try {
            RaftServer s = requireStarted(server);
            RaftServer.Division division = s.getDivision(groupId);
            if (!division.getInfo().isLeader()) {
                return CompletableFuture.failedFuture(new MetadataLog.NotLeaderException("Cannot " + what
                        + ": controller " + settings.nodeId() + " does not lead", nodeId(division.getInfo().getLeaderId())));
            }
            List<RaftPeer> peers = new ArrayList<>(division.getRaftConf().getCurrentPeers());
            change.accept(peers);
            if (peers.isEmpty()) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("Cannot " + what
                        + ": the quorum would have no voter"));
            }
            SetConfigurationRequest request = new SetConfigurationRequest(adminClientId, s.getId(), groupId,
                    adminCallIds.incrementAndGet(), SetConfigurationRequest.Arguments.newBuilder()
                            .setServersInNewConf(peers).setMode(SetConfigurationRequest.Mode.SET_UNCONDITIONALLY)
                            .build());
            log.info("Controller {}: {} (new voters {})", settings.nodeId(), what,
                    peers.stream().map(p -> p.getId() + "@" + p.getAddress()).toList());
            return s.setConfigurationAsync(request).thenApply((RaftClientReply reply) -> {
                if (!reply.isSuccess()) {
                    throw new CompletionException(reply.getException());
                }
                return null;
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Stops the Raft server (the leadership listener gets a final resign if this node led). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        snapshotRequests.shutdownNow();
        RaftServer s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                log.warn("Controller {}: error while closing the Raft server", settings.nodeId(), e);
            }
        }
        log.info("Controller {} stopped", settings.nodeId());
    }

    private <T> T requireStarted(T value) {
        if (value == null) {
            throw new IllegalStateException("controller " + settings.nodeId() + " is not started");
        }
        return value;
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    static RaftPeer peer(QuorumVoter voter) {
        return RaftPeer.newBuilder().setId(peerId(voter.id())).setAddress(voter.address()).build();
    }

    /** The node id of a peer id, or -1 for null or a peer id that is not a node id. */
    static int nodeId(RaftPeerId peerId) {
        if (peerId == null) {
            return -1;
        }
        try {
            return Integer.parseInt(peerId.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
