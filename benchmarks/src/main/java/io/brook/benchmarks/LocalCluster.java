package io.brook.benchmarks;

import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionMetadata;
import io.brook.broker.BrookNode;
import io.brook.broker.NodeConfig;
import io.brook.metadata.StorageFormatter;
import io.brook.storage.TopicPartition;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * N combined nodes (controller + broker) in this JVM on 127.0.0.1, configured as
 * {@code broker/src/test/.../TestCluster} does (Raft and controller ports fixed for the cluster's
 * life, the broker port ephemeral, formatted directories under {@code dir}) but with the default
 * heartbeat and session timeouts, so that a loaded machine does not fence brokers that a real
 * deployment would keep. A node can be stopped (controlled shutdown) and started again on the same
 * directories and ports. One real loopback channel (Netty, plaintext) per running broker.
 *
 * <p>Thread-safe. Closing halts every node; the caller deletes {@code dir}.
 */
final class LocalCluster implements AutoCloseable {
    private final Path dir;
    private final int size;
    private final Map<String, String> overrides;
    private final int[] raftPorts;
    private final int[] controllerPorts;
    private final String clusterId = StorageFormatter.randomClusterId(new Random());
    private final BrookNode[] nodes;
    private final ManagedChannel[] channels;

    private LocalCluster(Path dir, int size, Map<String, String> overrides) throws IOException {
        this.dir = dir;
        this.size = size;
        this.overrides = Map.copyOf(overrides);
        this.raftPorts = new int[size + 1];
        this.controllerPorts = new int[size + 1];
        this.nodes = new BrookNode[size + 1];
        this.channels = new ManagedChannel[size + 1];
        for (int i = 1; i <= size; i++) {
            raftPorts[i] = freePort();
            controllerPorts[i] = freePort();
        }
    }

    /** Formats and starts {@code size} nodes with {@code overrides} and waits until every broker is unfenced. */
    static LocalCluster start(Path dir, int size, Map<String, String> overrides) throws Exception {
        LocalCluster cluster = new LocalCluster(dir, size, overrides);
        try {
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (int i = 1; i <= size; i++) {
                StorageFormatter.format(cluster.config(i).metadataDir(), cluster.clusterId, i, false);
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

    int size() {
        return size;
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
        raw.put("default.replication.factor", Integer.toString(Math.min(size, 3)));
        raw.putAll(overrides);
        return NodeConfig.parse(raw);
    }

    /** Starts node {@code id} (its directories formatted) and opens its channel. */
    void startNode(int id) {
        try {
            BrookNode node = BrookNode.start(config(id));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", node.brokerPort()).usePlaintext()
                    .build();
            synchronized (this) {
                nodes[id] = node;
                channels[id] = channel;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized BrookNode node(int id) {
        BrookNode node = nodes[id];
        if (node == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return node;
    }

    synchronized boolean isRunning(int id) {
        return nodes[id] != null;
    }

    synchronized ManagedChannel channel(int id) {
        if (channels[id] == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return channels[id];
    }

    synchronized int anyRunning() {
        for (int i = 1; i <= size; i++) {
            if (nodes[i] != null) {
                return i;
            }
        }
        throw new IllegalStateException("no node runs");
    }

    /** Controlled shutdown of node {@code id}: its broker leaves, then its controller stops. */
    void stop(int id) {
        BrookNode node;
        ManagedChannel channel;
        synchronized (this) {
            node = nodes[id];
            channel = channels[id];
            nodes[id] = null;
            channels[id] = null;
        }
        channel.shutdownNow();
        node.close();
    }

    void awaitUnfenced(int id) {
        await("broker " + id + " unfenced", 120, () -> !node(id).brokerLifecycle().isFenced());
    }

    BrokerServiceGrpc.BrokerServiceBlockingStub broker(int id) {
        return BrokerServiceGrpc.newBlockingStub(channel(id)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /**
     * Creates a topic through the public AdminService and waits until every partition has a leader
     * (which knows it leads) and a full ISR.
     */
    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        CreateTopicsResponse response = AdminServiceGrpc.newBlockingStub(channel(anyRunning()))
                .withDeadlineAfter(30, TimeUnit.SECONDS).createTopics(CreateTopicsRequest.newBuilder()
                        .addTopics(NewTopic.newBuilder().setName(name).setNumPartitions(partitions)
                                .setReplicationFactor(replicationFactor).putAllConfigs(configs)).build());
        if (response.getTopics(0).getErrorCode() != ErrorCode.NONE) {
            throw new IllegalStateException("CreateTopics " + name + ": " + response);
        }
        await("every partition of " + name + " has a leader and a full ISR", 120, () -> {
            List<PartitionMetadata> all = partitions(name);
            if (all.size() != partitions) {
                return false;
            }
            for (PartitionMetadata m : all) {
                if (m.getLeaderId() < 0 || m.getIsrCount() != replicationFactor || !isRunning(m.getLeaderId())
                        || node(m.getLeaderId()).replicaManager().leaderState(
                                new TopicPartition(name, m.getPartition())).isEmpty()) {
                    return false;
                }
            }
            return true;
        });
    }

    /** A topic's partitions as a running broker's metadata has them (empty if unknown). */
    List<PartitionMetadata> partitions(String topic) {
        MetadataResponse response = broker(anyRunning()).getMetadata(MetadataRequest.newBuilder().addTopics(topic)
                .build());
        if (response.getTopicsCount() == 0 || response.getTopics(0).getErrorCode() != ErrorCode.NONE) {
            return List.of();
        }
        return response.getTopics(0).getPartitionsList();
    }

    static void await(String what, long seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
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
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Halts every running node (in parallel) and closes the channels. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            BrookNode node;
            ManagedChannel channel;
            synchronized (this) {
                node = nodes[i];
                channel = channels[i];
                nodes[i] = null;
                channels[i] = null;
            }
            if (channel != null) {
                channel.shutdownNow();
            }
            if (node != null) {
                stopping.add(CompletableFuture.runAsync(node::halt));
            }
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    }
}
