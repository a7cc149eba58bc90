package io.brook.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.Clock;
import io.brook.metadata.internal.FeedDriver;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker-side follower over real gRPC on 127.0.0.1, against feeds driven by hand. */
@Timeout(60)
class MetadataFollowerTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final ExecutorService sender = Executors.newSingleThreadExecutor();
    private final List<Server> servers = new ArrayList<>();
    private final List<MetadataFollower> followers = new ArrayList<>();

    @AfterEach
    void closeAll() throws InterruptedException {
        followers.forEach(MetadataFollower::close);
        for (Server server : servers) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        sender.shutdownNow();
    }

    /** A controller's watch endpoint on an ephemeral 127.0.0.1 port: {@code host:port}. */
    private String serve(MetadataFeed feed) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new WatchOnlyControllerService(new MetadataWatchHandler(feed, sender))).build().start();
        servers.add(server);
        return "127.0.0.1:" + server.getPort();
    }

    /** What a publisher saw: image indexes in order, and how many deltas were whole images. */
    private static final class Recorder implements MetadataPublisher {
        final List<Long> indexes = new CopyOnWriteArrayList<>();
        final List<Boolean> snapshots = new CopyOnWriteArrayList<>();

        @Override
        public void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage) {
            indexes.add(newImage.provenance().lastAppliedIndex());
            snapshots.add(delta.base() == MetadataImage.EMPTY);
        }

        long snapshotCount() {
            return snapshots.stream().filter(b -> b).count();
        }
    }

    private MetadataFollower follower(List<String> addresses, Recorder recorder) throws Exception {
        MetadataFollower follower = new MetadataFollower(addresses, dir.resolve("broker"), List.of(recorder), Clock.system());
        followers.add(follower);
        follower.start();
        return follower;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static void awaitEqual(MetadataFollower follower, MetadataImage expected) {
        await("the follower is at " + expected.provenance(), () -> follower.image().equals(expected)
                && follower.image().provenance().equals(expected.provenance()));
    }

    private static boolean strictlyIncreasing(List<Long> values) {
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) <= values.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theFollowerImageEqualsTheFeedImageAfterASnapshotAndBatchesPublishedInOrder() throws Exception {
        MetadataFeed feed = new MetadataFeed(1_000, 1 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(20, 1, 10);
        Recorder recorder = new Recorder();
        MetadataFollower follower = follower(List.of(serve(feed)), recorder);

        awaitEqual(follower, driver.image());
        driver.commitConfigs(30, 2, 10);
        driver.commit(60, 3, FeedDriver.config("gap", "after a gap"));
        awaitEqual(follower, driver.image());

        assertEquals(60, follower.lastAppliedIndex());
        assertTrue(strictlyIncreasing(recorder.indexes), recorder.indexes.toString());
        assertEquals(20L, recorder.indexes.get(0), "a new follower starts with a snapshot");
        assertEquals(true, recorder.snapshots.get(0));
        assertEquals(1, recorder.snapshotCount(), "then only batches");
    }

    @Test
    void theLastAppliedPositionIsCheckpointedAndAFollowerRestartsFromASnapshot() throws Exception {
        MetadataFeed feed = new MetadataFeed(1_000, 1 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(12, 4, 10);
        String address = serve(feed);
        MetadataFollower first = follower(List.of(address), new Recorder());
        awaitEqual(first, driver.image());
        first.close();
        assertEquals(new MetadataProvenance(12, 4), MetadataFollower.checkpointIn(dir.resolve("broker")));

        driver.commitConfigs(3, 4, 10);
        Recorder recorder = new Recorder();
        MetadataFollower second = follower(List.of(address), recorder);
        assertEquals(new MetadataProvenance(12, 4), second.checkpointAtStart());
        awaitEqual(second, driver.image());
        assertEquals(List.of(15L), recorder.indexes, "the image is not persisted: one snapshot at the current index");
    }

    @Test
    void theFollowerSwitchesToTheNextControllerWhenItsControllerDiesAndResumesWithBatches() throws Exception {
        MetadataFeed feed1 = new MetadataFeed(1_000, 1 << 20);
        MetadataFeed feed2 = new MetadataFeed(1_000, 1 << 20);
        FeedDriver driver = new FeedDriver(feed1, feed2); // two controllers of one quorum
        driver.commitConfigs(10, 1, 10);
        String first = serve(feed1);
        String second = serve(feed2);
        Recorder recorder = new Recorder();
        MetadataFollower follower = follower(List.of(first, second), recorder);
        awaitEqual(follower, driver.image());
        assertEquals(first, follower.connectedTo());

        servers.get(0).shutdownNow();
        // Wait for the switch before committing more: otherwise the dying first stream may still
        // deliver the new batches, and the follower moves on only afterwards.
        await("the follower watches the second controller", () -> second.equals(follower.connectedTo()));
        driver.commitConfigs(25, 2, 10);
        awaitEqual(follower, driver.image());
        assertEquals(1, recorder.snapshotCount(), "resumed inside the second controller's window: batches only");
        assertTrue(strictlyIncreasing(recorder.indexes), recorder.indexes.toString());
    }

    @Test
    void aFollowerAheadOfALaggingControllerWaitsForItInsteadOfGoingBack() throws Exception {
        MetadataFeed ahead = new MetadataFeed(1_000, 1 << 20);
        MetadataFeed behind = new MetadataFeed(1_000, 1 << 20);
        FeedDriver driverAhead = new FeedDriver(ahead);
        FeedDriver driverBehind = new FeedDriver(behind);
        driverAhead.commitConfigs(10, 1, 10);
        driverBehind.commitConfigs(6, 1, 10);
        String first = serve(ahead);
        String second = serve(behind);
        Recorder recorder = new Recorder();
        MetadataFollower follower = follower(List.of(first, second), recorder);
        awaitEqual(follower, driverAhead.image());

        servers.get(0).shutdownNow();
        await("the follower moves to the lagging controller", () -> second.equals(follower.connectedTo()));
        driverBehind.commitConfigs(6, 1, 10);
        awaitEqual(follower, driverBehind.image());
        assertTrue(strictlyIncreasing(recorder.indexes), recorder.indexes.toString());
        assertEquals(List.of(10L, 11L, 12L), recorder.indexes);
        assertNotEquals(0, follower.lastAppliedIndex());
    }
}
