package io.brook.metadata;

import io.brook.common.LoopbackPorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.BrokerHeartbeatRequest;
import io.brook.api.internal.controller.BrokerHeartbeatResponse;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.RegisterBrokerRequest;
import io.brook.api.internal.controller.RegisterBrokerResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ConfigDefinitions;
import io.brook.metadata.internal.ratis.QuorumConfig;
import io.brook.metadata.testing.Await;
import io.brook.storage.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three controllers in this JVM, real Ratis and real gRPC on 127.0.0.1: brokers register and
 * heartbeat through a {@link ControllerClient}, topics are created, leaders are killed, and no
 * acknowledged metadata change is lost.
 */
class ControllerNodeTest {
    private static final List<Logger> QUIET_JUL = List.of(Logger.getLogger("org.apache.ratis.thirdparty.io.grpc"),
            Logger.getLogger("io.grpc"));

    static {
        QUIET_JUL.forEach(l -> l.setLevel(Level.SEVERE));
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Map<Integer, ControllerNode> nodes = new HashMap<>();
    private final Map<Integer, Integer> rpcPorts = new HashMap<>();
    private final List<ControllerClient> clients = new ArrayList<>();
    private String voters;
    private final String clusterId = StorageFormatter.randomClusterId(new Random(7));

    @AfterEach
    void closeEverything() {
        clients.forEach(ControllerClient::close);
        List<Thread> closers = new ArrayList<>();
        for (ControllerNode node : nodes.values()) {
            Thread t = new Thread(node::close);
            t.start();
            closers.add(t);
        }
        for (Thread t : closers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }


    private void startCluster(int n) throws IOException {
        StringBuilder v = new StringBuilder();
        for (int id = 1; id <= n; id++) {
            v.append(v.length() == 0 ? "" : ",").append(id).append("@127.0.0.1:").append(LoopbackPorts.free());
            rpcPorts.put(id, LoopbackPorts.free());
        }
        voters = v.toString();
        for (int id = 1; id <= n; id++) {
            start(id);
        }
    }

    private ControllerNode start(int id) throws IOException {
        return start(id, null);
    }

    /** Starts controller {@code id}; with a listen address it joins the running quorum. */
    private ControllerNode start(int id, String listenAddress) throws IOException {
        Path metadataDir = dir.resolve("controller-" + id);
        StorageFormatter.format(metadataDir, clusterId, id, true);
        Map<String, String> raw = new HashMap<>(Map.of(QuorumConfig.VOTERS.name(), voters,
                QuorumConfig.ELECTION_TIMEOUT_MS.name(), "500", "broker.session.timeout.ms", "60000"));
        if (listenAddress != null) {
            raw.put(QuorumConfig.LISTEN_ADDRESS.name(), listenAddress);
        }
        var config = ControllerNode.DEFINITIONS.parse(raw);
        ControllerNode node = new ControllerNode(new ControllerNode.Settings(id, metadataDir, "127.0.0.1",
                rpcPorts.get(id), config, LogConfig.DEFINITIONS, ConfigDefinitions.of()), List.of());
        node.start();
        nodes.put(id, node);
        return node;
    }

    private ControllerClient client() {
        List<String> addresses = rpcPorts.values().stream().map(p -> "127.0.0.1:" + p).toList();
        ControllerClient client = ControllerClient.connect(addresses, TIMEOUT);
        clients.add(client);
        return client;
    }

    private int leader() {
        int[] leader = {-1};
        Await.until("a controller leads", TIMEOUT, () -> {
            for (ControllerNode node : nodes.values()) {
                if (node.quorumStatus().isLeader()) {
                    leader[0] = node.nodeId();
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static <T> T get(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private long register(ControllerClient client, int brokerId) {
        RegisterBrokerResponse response = get(client.registerBroker(RegisterBrokerRequest.newBuilder()
                .setClusterId(clusterId).setBrokerId(brokerId).setIncarnationId(Uuids.toProto(UUID.randomUUID()))
                .build()));
        assertEquals(ErrorCode.NONE, response.getError().getCode(), response.toString());
        return response.getBrokerEpoch();
    }

    private BrokerHeartbeatResponse heartbeat(ControllerClient client, int brokerId, long epoch, long offset) {
        return get(client.brokerHeartbeat(BrokerHeartbeatRequest.newBuilder().setBrokerId(brokerId)
                .setBrokerEpoch(epoch).setCurrentMetadataOffset(offset).build()));
    }

    @Test
    void brokersRegisterAndTopicsAreCreatedThroughWhicheverControllerIsActive() throws IOException {
        startCluster(3);
        ControllerClient client = client();
        Map<Integer, Long> epochs = new HashMap<>();
        for (int broker = 1; broker <= 3; broker++) {
            epochs.put(broker, register(client, broker));
        }
        long index = nodes.get(leader()).image().provenance().lastAppliedIndex();
        for (int broker = 1; broker <= 3; broker++) {
            BrokerHeartbeatResponse response = heartbeat(client, broker, epochs.get(broker), index);
            assertFalse(response.getIsFenced(), response.toString());
        }
        CreateTopicsResponse created = get(client.createTopics(CreateTopicsRequest.newBuilder().addTopics(
                CreatableTopic.newBuilder().setName("orders").setNumPartitions(6).setReplicationFactor(3)).build()));
        assertEquals(ErrorCode.NONE, created.getTopics(0).getErrorCode(), created.toString());
        Await.until("every controller has the topic", TIMEOUT, () -> nodes.values().stream()
                .allMatch(n -> n.image().topics().topic("orders") != null));
        TopicImage topic = nodes.get(1).image().topics().topic("orders");
        assertEquals(6, topic.partitionCount());
        // A broker follows the committed metadata through the controllers' watch stream.
        List<String> addresses = rpcPorts.values().stream().map(p -> "127.0.0.1:" + p).toList();
        try (MetadataFollower follower = new MetadataFollower(addresses, dir.resolve("broker"), List.of(),
                io.brook.common.Clock.system())) {
            follower.start();
            Await.until("the broker's image equals the controllers'", TIMEOUT,
                    () -> follower.image().equals(nodes.get(1).image()));
            assertEquals(6, follower.image().topics().topic("orders").partitionCount());
        }
        DescribeQuorumResponse quorum = get(client.describeQuorum());
        assertEquals(ErrorCode.NONE, quorum.getError().getCode());
        assertEquals(3, quorum.getVotersCount());
        assertEquals(quorum.getLeaderId(), quorum.getNodeId(), "the leader answers with its view");
    }

    /** Whether a watch on this controller is refused because it lost contact with the quorum. */
    private static boolean refusesWatches(int rpcPort) {
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder
                .forAddress("127.0.0.1", rpcPort).usePlaintext().build();
        try {
            var updates = io.brook.api.internal.controller.ControllerServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .watchMetadata(io.brook.api.internal.controller.WatchMetadataRequest.getDefaultInstance());
            updates.hasNext();
            return false;
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                    && String.valueOf(e.getStatus().getDescription()).contains("quorum leader");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aFollowerCutOffFromTheQuorumStopsServingMetadataWatches() throws IOException {
        cutOffAndCheckWatchesStop(false);
    }

    @Test
    void aLeaderCutOffFromItsFollowersStopsServingMetadataWatches() throws IOException {
        cutOffAndCheckWatchesStop(true);
    }

    /** Leaves one controller (the leader or a follower) alone; it must stop serving stale metadata. */
    private void cutOffAndCheckWatchesStop(boolean leaderSurvives) throws IOException {
        startCluster(3);
        ControllerClient client = client();
        register(client, 1);
        int leader = leader();
        int survivor = leaderSurvives ? leader : leader % 3 + 1;
        assertFalse(refusesWatches(rpcPorts.get(survivor)), "in contact: it serves");
        for (int id = 1; id <= 3; id++) {
            if (id != survivor) {
                nodes.remove(id).close();
            }
        }
        Await.until("the lone controller refuses watches", TIMEOUT, () -> refusesWatches(rpcPorts.get(survivor)),
                () -> String.valueOf(nodes.get(survivor).quorumStatus()));
    }

    @Test
    void membershipChangesFromThreeToFourToThreeVotersKeepServing() throws IOException {
        startCluster(3);
        ControllerClient client = client();
        register(client, 1);
        int raftPort = LoopbackPorts.free();
        rpcPorts.put(4, LoopbackPorts.free());
        start(4, "127.0.0.1:" + raftPort);
        ControllerClient withFour = client();
        var added = get(withFour.addRaftVoter(io.brook.api.internal.controller.AddRaftVoterRequest.newBuilder()
                .setVoterId(4).setHost("127.0.0.1").setPort(raftPort).build()));
        assertEquals(ErrorCode.NONE, added.getError().getCode(), added.toString());
        Await.until("four voters", TIMEOUT, () -> get(withFour.describeQuorum()).getVotersCount() == 4);
        register(withFour, 2);
        Await.until("the new controller has the metadata", TIMEOUT,
                () -> nodes.get(4).image().cluster().broker(2) != null);
        var removed = get(withFour.removeRaftVoter(io.brook.api.internal.controller.RemoveRaftVoterRequest.newBuilder()
                .setVoterId(1).build()));
        assertEquals(ErrorCode.NONE, removed.getError().getCode(), removed.toString());
        Await.until("three voters", TIMEOUT, () -> {
            DescribeQuorumResponse q = get(withFour.describeQuorum());
            return q.getVotersCount() == 3 && q.getVotersList().stream().noneMatch(v -> v.getNodeId() == 1);
        });
        nodes.remove(1).close();
        register(withFour, 3);
        Await.until("the remaining voters agree", TIMEOUT, () -> nodes.values().stream()
                .allMatch(n -> n.image().cluster().broker(3) != null));
    }

    @Test
    void noAcknowledgedTopicIsLostAcrossRepeatedLeaderKills() throws IOException {
        startCluster(3);
        ControllerClient client = client();
        register(client, 1);
        long epoch = register(client, 1 + 1);
        heartbeat(client, 2, epoch, nodes.get(leader()).image().provenance().lastAppliedIndex());
        List<String> acknowledged = new ArrayList<>();
        int next = 0;
        for (int kill = 0; kill < 3; kill++) {
            for (int i = 0; i < 5; i++, next++) {
                CreateTopicsResponse response = get(client.createTopics(CreateTopicsRequest.newBuilder().addTopics(
                        CreatableTopic.newBuilder().setName("t" + next).setNumPartitions(2).setReplicationFactor(1)).build()));
                if (response.getError().getCode() == ErrorCode.NONE
                        && response.getTopics(0).getErrorCode() == ErrorCode.NONE) {
                    acknowledged.add("t" + next);
                }
            }
            int leader = leader();
            nodes.remove(leader).close();
            leader();
            start(leader); // it comes back as a follower and catches up
        }
        assertTrue(acknowledged.size() >= 10, "most writes were acknowledged: " + acknowledged);
        Await.until("every controller has every acknowledged topic", TIMEOUT, () -> nodes.values().stream()
                .allMatch(n -> acknowledged.stream().allMatch(t -> n.image().topics().topic(t) != null)));
        MetadataImage first = nodes.get(1).image();
        Await.until("the controllers' images are equal", TIMEOUT, () -> nodes.values().stream()
                .allMatch(n -> n.image().equals(nodes.get(1).image())));
        assertNotNull(first);
    }
}
