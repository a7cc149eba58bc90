package io.brook.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionMetadata;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A {@link LocalCluster} for the broker tests, with the test timings (heartbeats every 200 ms, a
 * 3 s session) under the caller's overrides, one loopback channel per running broker, the public
 * API's stubs, topic helpers and JUnit waits. Always closed by the test.
 */
final class TestCluster implements AutoCloseable {
    private static final Map<String, String> TEST_TIMINGS = Map.of(
            "broker.heartbeat.interval.ms", "200",
            "broker.session.timeout.ms", "3000");

    private final LocalCluster cluster;
    private final Channels channels;

    private TestCluster(LocalCluster cluster, Channels channels) {
        this.cluster = cluster;
        this.channels = channels;
    }

    /** Starts {@code size} nodes and waits until every broker is unfenced. */
    static TestCluster start(Path dir, int size, Map<String, String> overrides) throws Exception {
        Map<String, String> config = new HashMap<>(TEST_TIMINGS);
        config.putAll(overrides);
        Channels channels = new Channels(size);
        return new TestCluster(LocalCluster.start(dir, size, config, channels), channels);
    }

    /** A plaintext channel to each running broker, opened as it starts and shut down once it stopped. */
    private static final class Channels implements LocalCluster.NodeListener {
        private final AtomicReferenceArray<ManagedChannel> channels;

        Channels(int size) {
            channels = new AtomicReferenceArray<>(size + 1);
        }

        @Override
        public void started(int id, BrookNode node) {
            channels.set(id, NettyChannelBuilder.forAddress("127.0.0.1", node.brokerPort()).usePlaintext().build());
        }

        @Override
        public void stopped(int id) {
            ManagedChannel channel = channels.getAndSet(id, null);
            if (channel != null) {
                channel.shutdownNow();
            }
        }
    }

    BrookNode node(int id) {
        return cluster.node(id);
    }

    boolean isRunning(int id) {
        return cluster.isRunning(id);
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

    io.brook.api.v1.GroupServiceGrpc.GroupServiceBlockingStub groups(int id) {
        return io.brook.api.v1.GroupServiceGrpc.newBlockingStub(channel(id)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    ManagedChannel channel(int id) {
        ManagedChannel channel = channels.channels.get(id);
        if (channel == null || !cluster.isRunning(id)) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return channel;
    }

    /** Any running node. */
    int anyRunning() {
        return cluster.anyRunning();
    }

    /** Crash: no controlled shutdown, calls cut. */
    void halt(int id) {
        cluster.halt(id);
    }

    /** Controlled shutdown. */
    void stop(int id) {
        cluster.stop(id);
    }

    /** Starts a stopped or halted node again on its directories and ports; waits until it is unfenced. */
    void restart(int id) {
        cluster.restart(id);
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
        LocalCluster.await(what, java.time.Duration.ofSeconds(60), condition, detail);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
