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
import io.brook.broker.LocalCluster;
import io.brook.storage.TopicPartition;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;

/**
 * A {@link LocalCluster} (N combined nodes in this JVM) for the end-to-end benchmarks, with the
 * default heartbeat and session timeouts (unlike the broker tests' short ones), so that a loaded
 * machine does not fence brokers that a real deployment would keep, and one real loopback channel
 * (Netty, plaintext) per running broker. A node can be stopped (controlled shutdown) and started
 * again on the same directories and ports.
 *
 * <p>Thread-safe. Closing halts every node; the caller deletes {@code dir}.
 */
final class BenchCluster implements AutoCloseable {
    private final LocalCluster cluster;
    private final AtomicReferenceArray<ManagedChannel> channels;

    private BenchCluster(Path dir, int size, Map<String, String> overrides) throws Exception {
        channels = new AtomicReferenceArray<>(size + 1);
        cluster = LocalCluster.start(dir, size, overrides, new LocalCluster.NodeListener() {
            @Override
            public void started(int id, BrookNode node) {
                channels.set(id, NettyChannelBuilder.forAddress("127.0.0.1", node.brokerPort()).usePlaintext()
                        .build());
            }

            @Override
            public void stopped(int id) {
                ManagedChannel channel = channels.getAndSet(id, null);
                if (channel != null) {
                    channel.shutdownNow();
                }
            }
        });
    }

    /** Formats and starts {@code size} nodes with {@code overrides} and waits until every broker is unfenced. */
    static BenchCluster start(Path dir, int size, Map<String, String> overrides) throws Exception {
        return new BenchCluster(dir, size, overrides);
    }

    /** Every running broker's address, comma-separated (bootstrap.servers). */
    String bootstrap() {
        java.util.StringJoiner joiner = new java.util.StringJoiner(",");
        for (int id = 1; id <= cluster.size(); id++) {
            if (cluster.isRunning(id)) {
                joiner.add(cluster.brokerAddress(id));
            }
        }
        return joiner.toString();
    }

    BrookNode node(int id) {
        return cluster.node(id);
    }

    boolean isRunning(int id) {
        return cluster.isRunning(id);
    }

    ManagedChannel channel(int id) {
        ManagedChannel channel = channels.get(id);
        if (channel == null || !cluster.isRunning(id)) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return channel;
    }

    /** Controlled shutdown of node {@code id}: its broker leaves, then its controller stops. */
    void stop(int id) {
        cluster.stop(id);
    }

    /** Starts node {@code id} again on its directories and ports, without waiting until it is unfenced. */
    void startNode(int id) {
        cluster.startNode(id);
    }

    void awaitUnfenced(int id) {
        cluster.awaitUnfenced(id);
    }

    BrokerServiceGrpc.BrokerServiceBlockingStub broker(int id) {
        return BrokerServiceGrpc.newBlockingStub(channel(id)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /**
     * Creates a topic through the public AdminService and waits until every partition has a leader
     * (which knows it leads) and a full ISR.
     */
    void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        CreateTopicsResponse response = AdminServiceGrpc.newBlockingStub(channel(cluster.anyRunning()))
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
        MetadataResponse response = broker(cluster.anyRunning()).getMetadata(MetadataRequest.newBuilder()
                .addTopics(topic).build());
        if (response.getTopicsCount() == 0 || response.getTopics(0).getErrorCode() != ErrorCode.NONE) {
            return List.of();
        }
        return response.getTopics(0).getPartitionsList();
    }

    /** {@link LocalCluster#await}: polls until {@code condition} holds, else throws after {@code seconds}. */
    static void await(String what, long seconds, BooleanSupplier condition) {
        LocalCluster.await(what, Duration.ofSeconds(seconds), condition);
    }

    /** Halts every running node (in parallel) and closes the channels. */
    @Override
    public void close() {
        cluster.close();
    }
}
