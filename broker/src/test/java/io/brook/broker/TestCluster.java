package io.brook.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionMetadata;
import io.brook.metadata.StorageFormatter;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * N combined nodes (controller + broker) in this JVM on 127.0.0.1 with temporary directories:
 * real Ratis, real gRPC, real files. Nodes can be stopped (controlled shutdown), halted (as a
 * crash) and restarted on the same directories and Raft ports. Always closed by the test.
 */
final class TestCluster implements AutoCloseable {
    private final Path dir;
    private final int size;
    private final Map<String, String> overrides;
    private final int[] raftPorts;
    private final int[] controllerPorts;
    private final String clusterId = StorageFormatter.randomClusterId(new Random(7));
    private final BrookNode[] nodes;
    private final ManagedChannel[] channels;

    private TestCluster(Path dir, int size, Map<String, String> overrides) throws IOException {
        this.dir = dir;
        this.size = size;
        this.overrides = overrides;
        this.raftPorts = new int[size + 1];
        this.controllerPorts = new int[size + 1];
        this.nodes = new BrookNode[size + 1];
        this.channels = new ManagedChannel[size + 1];
        for (int i = 1; i <= size; i++) {
            raftPorts[i] = freePort();
            controllerPorts[i] = freePort();
        }
    }

    /** Starts {@code size} nodes and waits until every broker is unfenced. */
    static TestCluster start(Path dir, int size, Map<String, String> overrides) throws Exception {
        TestCluster cluster = new TestCluster(dir, size, overrides);
        try {
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (int i = 1; i <= size; i++) {
                NodeConfig config = cluster.config(i);
                StorageFormatter.format(config.metadataDir(), cluster.clusterId, i, false);
                int id = i;
                starting.add(CompletableFuture.runAsync(() -> cluster.startNode(id)));
            }
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            for (int i = 1; i <= size; i++) {
                cluster.awaitUnfenced(i);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    NodeConfig config(int id) {
        Map<String, String> raw = new HashMap<>();
        raw.put("node.id", Integer.toString(id));
        raw.put("process.roles", "broker,controller");
        raw.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + controllerPorts[id]);
        StringBuilder voters = new StringBuilder();
        StringBuilder controllers = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            voters.append(i > 1 ? "," : "").append(i).append("@127.0.0.1:").append(raftPorts[i]);
            controllers.append(i > 1 ? "," : "").append("127.0.0.1:").append(controllerPorts[i]);
        }
        raw.put("controller.quorum.voters", voters.toString());
        raw.put("controller.quorum.bootstrap.servers", controllers.toString());
        raw.put("log.dirs", dir.resolve("node-" + id).toString());
        raw.put("broker.heartbeat.interval.ms", "200");
        raw.put("broker.session.timeout.ms", "3000");
        raw.put("default.replication.factor", Integer.toString(Math.min(size, 3)));
        raw.putAll(overrides);
        return NodeConfig.parse(raw);
    }

    private void startNode(int id) {
        try {
            BrookNode node = BrookNode.start(config(id));
            synchronized (this) {
                nodes[id] = node;
                channels[id] = NettyChannelBuilder.forAddress("127.0.0.1", node.brokerPort()).usePlaintext().build();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    synchronized BrookNode node(int id) {
        return nodes[id];
    }

    synchronized boolean isRunning(int id) {
        return nodes[id] != null;
    }

    BrokerServiceGrpc.BrokerServiceBlockingStub broker(int id) {
        return BrokerServiceGrpc.newBlockingStub(channel(id)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    BrokerServiceGrpc.BrokerServiceStub brokerAsync(int id) {
        return BrokerServiceGrpc.newStub(channel(id));
    }

    AdminServiceGrpc.AdminServiceBlockingStub admin(int id) {
        return AdminServiceGrpc.newBlockingStub(channel(id)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    synchronized ManagedChannel channel(int id) {
        if (channels[id] == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return channels[id];
    }

    /** Any running node. */
    synchronized int anyRunning() {
        for (int i = 1; i <= size; i++) {
            if (nodes[i] != null) {
                return i;
            }
        }
        throw new IllegalStateException("no node runs");
    }

    /** Crash: no controlled shutdown, calls cut. */
    void halt(int id) {
        Detached node = detach(id);
        node.channel().shutdownNow();
        node.node().halt();
    }

    /** Controlled shutdown. */
    void stop(int id) {
        Detached node = detach(id);
        node.node().close();
        node.channel().shutdownNow();
    }

    private record Detached(BrookNode node, ManagedChannel channel) {}

    /** Takes a node out of the running set (so clients stop picking it) before it is stopped. */
    private synchronized Detached detach(int id) {
        Detached detached = new Detached(nodes[id], channels[id]);
        nodes[id] = null;
        channels[id] = null;
        return detached;
    }

    void restart(int id) {
        startNode(id);
        awaitUnfenced(id);
    }

    void awaitUnfenced(int id) {
        await("broker " + id + " unfenced", () -> !node(id).brokerLifecycle().isFenced());
    }

    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        CreateTopicsResponse response = admin(anyRunning()).createTopics(CreateTopicsRequest.newBuilder()
                .addTopics(NewTopic.newBuilder().setName(name).setNumPartitions(partitions)
                        .setReplicationFactor(replicationFactor).putAllConfigs(configs)).build());
        assertEquals(ErrorCode.NONE, response.getTopics(0).getErrorCode(), response.toString());
        await("every partition of " + name + " has a leader with a full ISR", () -> {
            for (int p = 0; p < partitions; p++) {
                PartitionMetadata m = partitionMetadata(name, p);
                if (m == null || m.getLeaderId() < 0 || m.getIsrCount() != replicationFactor
                        || !node(m.getLeaderId()).replicaManager().leaderState(
                                new io.brook.storage.TopicPartition(name, p)).isPresent()) {
                    return false;
                }
            }
            return true;
        });
    }

    /** A partition's metadata as a running broker sees it, or null. */
    PartitionMetadata partitionMetadata(String topic, int partition) {
        MetadataResponse response = broker(anyRunning()).getMetadata(MetadataRequest.newBuilder().addTopics(topic).build());
        if (response.getTopicsCount() == 0 || response.getTopics(0).getPartitionsCount() <= partition) {
            return null;
        }
        return response.getTopics(0).getPartitions(partition);
    }

    /** The leader of a partition once a running broker leads it. */
    int awaitLeader(String topic, int partition) {
        int[] leader = {-1};
        await("a running leader of " + topic + "-" + partition, () -> {
            PartitionMetadata m = partitionMetadata(topic, partition);
            if (m != null && m.getLeaderId() > 0 && isRunning(m.getLeaderId()) && node(m.getLeaderId())
                    .replicaManager().leaderState(new io.brook.storage.TopicPartition(topic, partition)).isPresent()) {
                leader[0] = m.getLeaderId();
                return true;
            }
            return false;
        });
        return leader[0];
    }

    static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplier condition, Supplier<String> detail) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            boolean ok;
            try {
                ok = condition.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what + " " + detail.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            Detached node = detach(i);
            if (node.channel() != null) {
                node.channel().shutdownNow();
            }
            if (node.node() != null) {
                stopping.add(CompletableFuture.runAsync(node.node()::halt));
            }
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    }
}
