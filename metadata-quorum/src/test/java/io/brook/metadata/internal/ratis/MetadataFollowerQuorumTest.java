package io.brook.metadata.internal.ratis;

import io.brook.metadata.testing.Await;
import static io.brook.metadata.internal.ratis.TestQuorum.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Clock;
import io.brook.metadata.MetadataFollower;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.internal.MetadataFeed;
import io.brook.metadata.internal.grpc.MetadataWatchHandler;
import io.brook.metadata.internal.grpc.WatchOnlyControllerService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Ratis and real gRPC: three controllers, each serving WatchMetadata from its own feed on its
 * own port, and a broker-side follower.
 */
class MetadataFollowerQuorumTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private TestQuorum quorum;
    private MetadataFollower follower;
    private final ExecutorService sender = Executors.newFixedThreadPool(2);
    private final Map<Integer, Server> servers = new TreeMap<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        if (follower != null) {
            follower.close();
        }
        for (Server server : servers.values()) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (quorum != null) {
            quorum.close();
        }
        sender.shutdownNow();
    }

    private MetadataImage leaderImage() {
        return quorum.node(quorum.awaitActiveController(WAIT)).image();
    }

    private void awaitFollowerAtLeader(String what) {
        Await.until(what, WAIT, () -> {
            MetadataImage leader = leaderImage();
            return follower.image().equals(leader)
                    && follower.lastAppliedIndex() == leader.provenance().lastAppliedIndex();
        }, () -> "follower at " + follower.image().provenance() + " via " + follower.connectedTo() + "; " + quorum.describe());
    }

    @Test
    @Timeout(120)
    void aFollowerConvergesWithTheQuorumAndSwitchesControllersWhenItsControllerDies() throws Exception {
        quorum = new TestQuorum(root, 3, 20_000, 1 << 20);
        List<String> addresses = new ArrayList<>();
        Map<String, Integer> nodeByAddress = new TreeMap<>();
        for (int id = 1; id <= 3; id++) {
            MetadataFeed feed = new MetadataFeed(10_000, 64 << 20);
            quorum.extraPublishers.put(id, List.of(feed));
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new WatchOnlyControllerService(new MetadataWatchHandler(feed, sender))).build().start();
            servers.put(id, server);
            String address = "127.0.0.1:" + server.getPort();
            addresses.add(address);
            nodeByAddress.put(address, id);
        }
        quorum.startAll();
        quorum.awaitActiveController(WAIT);
        List<Long> seen = new CopyOnWriteArrayList<>();
        follower = new MetadataFollower(addresses, root.resolve("broker"),
                List.of((delta, image) -> seen.add(image.provenance().lastAppliedIndex())), Clock.system());
        follower.start();

        for (int i = 0; i < 20; i++) {
            quorum.appendAcked(config("k" + i, "v" + i), WAIT);
        }
        awaitFollowerAtLeader("the follower has every committed batch");
        String connected = follower.connectedTo();
        assertNotNull(connected);
        int victim = nodeByAddress.get(connected);

        quorum.kill(victim);
        servers.remove(victim).shutdownNow();
        for (int i = 20; i < 40; i++) {
            quorum.appendAcked(config("k" + i, "v" + i), WAIT);
        }
        awaitFollowerAtLeader("the follower has every batch committed after its controller died");
        assertNotEquals(connected, follower.connectedTo());
        assertEquals(40, TestQuorum.clusterConfigs(follower.image()).size());
        assertTrue(TestQuorum.strictlyIncreasing(seen), seen.toString());
    }
}
