package io.brook.benchmarks;

import io.brook.common.LoopbackPorts;
import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.WatchMetadataRequest;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.common.Clock;
import io.brook.metadata.MetadataFollower;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.StorageFormatter;
import io.brook.metadata.internal.LeadershipListener;
import io.brook.metadata.internal.MetadataFeed;
import io.brook.metadata.internal.grpc.MetadataWatchHandler;
import io.brook.metadata.internal.ratis.QuorumVoter;
import io.brook.metadata.internal.ratis.RaftQuorumNode;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Metadata propagation latency, commit to broker image update: three controllers (real Ratis on
 * 127.0.0.1, in this JVM), each serving WatchMetadata from its {@link MetadataFeed} over real gRPC
 * on loopback, and two broker-side {@link MetadataFollower}s, one watching the active controller
 * and one watching a standby. The active controller appends one-record batches one at a time,
 * {@code pace.ms} apart. For each batch: t0 = the active controller's publisher sees it (committed
 * and applied there), t1 = a follower's publisher sees it; the figure is t1 - t0 (the append's
 * own future completes just after t0). Goal: p99 &lt; 50 ms. A plain main, not JMH: the
 * quantity is a latency distribution over one long run, not a throughput of a hot method.
 *
 * <p>Run: {@code mvn -B -ntp -o package -pl benchmarks -am -DskipTests && java -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.MetadataPropagationBenchmark}
 * (system properties: {@code appends} = 2000, {@code warmup} = 300, {@code pace.ms} = 5).
 */
public final class MetadataPropagationBenchmark {
    private MetadataPropagationBenchmark() {
    }

    /** Records when each log index reached a publisher. */
    private static final class Stamps implements MetadataPublisher {
        final Map<Long, Long> nanosByIndex = new ConcurrentHashMap<>();

        @Override
        public void onMetadataUpdate(io.brook.metadata.MetadataDelta delta, io.brook.metadata.MetadataImage image) {
            nanosByIndex.put(image.provenance().lastAppliedIndex(), System.nanoTime());
        }
    }

    private static final class Leadership implements LeadershipListener {
        volatile long term = -1;

        @Override
        public void becomeLeader(long t) {
            term = t;
        }

        @Override
        public void resign(long t, int newLeaderId) {
            term = -1;
        }
    }

    /** Only WatchMetadata; stands in for the controller's full service. */
    private static final class WatchService extends ControllerServiceGrpc.ControllerServiceImplBase {
        private final MetadataWatchHandler handler;

        WatchService(MetadataWatchHandler handler) {
            this.handler = handler;
        }

        @Override
        public void watchMetadata(WatchMetadataRequest request, StreamObserver<MetadataUpdate> responseObserver) {
            handler.watch(request, responseObserver);
        }
    }

    public static void main(String[] args) throws Exception {
        int appends = Integer.getInteger("appends", 2000);
        int warmup = Integer.getInteger("warmup", 300);
        long paceNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong("pace.ms", 5));
        Path dir = BenchmarkData.scratchDirectory("brook-metadata-propagation-");
        String clusterId = StorageFormatter.randomClusterId(new Random());
        List<QuorumVoter> voters = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            voters.add(new QuorumVoter(id, "127.0.0.1", LoopbackPorts.free()));
        }
        ExecutorService sender = Executors.newFixedThreadPool(2);
        List<RaftQuorumNode> nodes = new ArrayList<>();
        List<Leadership> leaderships = new ArrayList<>();
        List<Stamps> controllerStamps = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        List<MetadataFollower> followers = new ArrayList<>();
        try {
            for (QuorumVoter voter : voters) {
                Path nodeDir = dir.resolve("controller-" + voter.id());
                StorageFormatter.format(nodeDir, clusterId, voter.id(), true);
                MetadataFeed feed = new MetadataFeed(10_000, 64 << 20);
                Stamps stamps = new Stamps();
                Leadership leadership = new Leadership();
                RaftQuorumNode node = new RaftQuorumNode(new RaftQuorumNode.Settings(voter.id(), voters, voter, nodeDir,
                        1000, 20_000, 1 << 20), leadership, List.of(stamps, feed));
                node.start();
                nodes.add(node);
                leaderships.add(leadership);
                controllerStamps.add(stamps);
                Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .addService(new WatchService(new MetadataWatchHandler(feed, sender))).build().start();
                servers.add(server);
                addresses.add("127.0.0.1:" + server.getPort());
            }
            int leader = awaitLeader(leaderships);
            int standby = (leader + 1) % 3;
            long term = leaderships.get(leader).term;
            Stamps atLeaderFollower = new Stamps();
            Stamps atStandbyFollower = new Stamps();
            followers.add(new MetadataFollower(List.of(addresses.get(leader)), dir.resolve("broker-a"),
                    List.of(atLeaderFollower), Clock.system()));
            followers.add(new MetadataFollower(List.of(addresses.get(standby)), dir.resolve("broker-b"),
                    List.of(atStandbyFollower), Clock.system()));
            for (MetadataFollower follower : followers) {
                follower.start();
            }

            long[] indexes = new long[warmup + appends];
            long next = System.nanoTime();
            for (int i = 0; i < indexes.length; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += paceNanos;
                indexes[i] = nodes.get(leader).metadataLog().append(term, config("bench-" + (i % 1000), "v" + i))
                        .get(10, TimeUnit.SECONDS);
            }
            long last = indexes[indexes.length - 1];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((!atLeaderFollower.nanosByIndex.containsKey(last) || !atStandbyFollower.nanosByIndex.containsKey(last))
                    && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            long[] measured = Arrays.copyOfRange(indexes, warmup, indexes.length);
            Map<Long, Long> t0 = controllerStamps.get(leader).nanosByIndex;
            System.out.printf(Locale.ROOT, "metadata propagation, commit (active controller applied) -> broker image; "
                    + "%d one-record appends, %d ms apart, after %d warm-up appends%n", appends, paceNanos / 1_000_000, warmup);
            report("follower of the active controller", measured, t0, atLeaderFollower.nanosByIndex);
            report("follower of a standby controller", measured, t0, atStandbyFollower.nanosByIndex);
        } finally {
            followers.forEach(MetadataFollower::close);
            for (Server server : servers) {
                server.shutdownNow();
            }
            nodes.parallelStream().forEach(RaftQuorumNode::close);
            sender.shutdownNow();
        }
    }

    private static void report(String what, long[] indexes, Map<Long, Long> t0, Map<Long, Long> t1) {
        long[] micros = new long[indexes.length];
        int missing = 0;
        int n = 0;
        for (long index : indexes) {
            Long start = t0.get(index);
            Long end = t1.get(index);
            if (start == null || end == null) {
                missing++;
                continue;
            }
            micros[n++] = (end - start) / 1_000;
        }
        long[] sorted = Arrays.copyOf(micros, n);
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "  %-36s n=%d missing=%d  p50=%.2f ms  p99=%.2f ms  max=%.2f ms%n", what, n, missing,
                percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.99) / 1000.0,
                (n == 0 ? 0 : sorted[n - 1]) / 1000.0);
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static int awaitLeader(List<Leadership> leaderships) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < leaderships.size(); i++) {
                if (leaderships.get(i).term >= 0) {
                    return i;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new IllegalStateException("no leader within 60 s");
    }

    private static List<MetadataRecord> config(String key, String value) {
        return List.of(MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER).setResourceName("")
                .setName(key).setValue(value)).build());
    }

}
