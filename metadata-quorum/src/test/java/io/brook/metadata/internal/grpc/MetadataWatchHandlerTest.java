package io.brook.metadata.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.WatchMetadataRequest;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.internal.FeedDriver;
import io.brook.metadata.internal.MetadataFeed;
import io.brook.metadata.internal.MetadataUpdateApplier;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The WatchMetadata stream over gRPC's in-process transport, with a feed driven by hand. */
@Timeout(30)
class MetadataWatchHandlerTest {
    private final ExecutorService sender = Executors.newSingleThreadExecutor();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private WatchOnlyControllerService service;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        sender.shutdownNow();
        assertTrue(sender.awaitTermination(5, TimeUnit.SECONDS));
    }

    private ManagedChannel serve(MetadataWatchHandler handler) throws IOException {
        String name = InProcessServerBuilder.generateName();
        service = new WatchOnlyControllerService(handler);
        Server server = InProcessServerBuilder.forName(name).addService(service).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        closeables.add(() -> {
            channel.shutdownNow();
            server.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
            server.awaitTermination(5, TimeUnit.SECONDS);
        });
        return channel;
    }

    /** A watcher whose updates the test thread takes one at a time; optionally reads on demand only. */
    private static final class Watcher implements ClientResponseObserver<WatchMetadataRequest, MetadataUpdate> {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final Integer initialRequest;
        volatile ClientCallStreamObserver<WatchMetadataRequest> call;

        Watcher(Integer initialRequest) {
            this.initialRequest = initialRequest;
        }

        static Watcher start(ManagedChannel channel, long afterIndex, Integer initialRequest) {
            Watcher watcher = new Watcher(initialRequest);
            ControllerServiceGrpc.newStub(channel).watchMetadata(
                    WatchMetadataRequest.newBuilder().setAfterIndex(afterIndex).build(), watcher);
            return watcher;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchMetadataRequest> requestStream) {
            call = requestStream;
            if (initialRequest != null) {
                requestStream.disableAutoRequestWithInitial(initialRequest);
            }
        }

        @Override
        public void onNext(MetadataUpdate value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            received.add(t);
        }

        @Override
        public void onCompleted() {
            received.add("completed");
        }

        MetadataUpdate next() throws InterruptedException {
            Object o = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "an update within 10 s");
            if (!(o instanceof MetadataUpdate update)) {
                throw new AssertionError("stream ended: " + o);
            }
            return update;
        }

        /** Takes and applies updates until the applier's image is at {@code index}; returns what was taken. */
        List<MetadataUpdate> applyUntil(MetadataUpdateApplier applier, long index) throws InterruptedException {
            List<MetadataUpdate> taken = new ArrayList<>();
            while (applier.image().provenance().lastAppliedIndex() != index) {
                MetadataUpdate update = next();
                taken.add(update);
                applier.apply(update);
            }
            return taken;
        }
    }

    /** Commits {@code batches} batches of {@code perBatch} distinct config keys each. */
    private static void commitDistinctKeys(FeedDriver driver, int batches, int perBatch) {
        for (int b = 0; b < batches; b++) {
            long index = driver.image().provenance().lastAppliedIndex() + 1;
            List<MetadataRecord> records = new ArrayList<>();
            for (int i = 0; i < perBatch; i++) {
                records.addAll(FeedDriver.config("k-" + index + "-" + i, "v" + i));
            }
            driver.commit(index, 1, records);
        }
    }

    @Test
    void aNewWatcherFromZeroGetsTheImageAsAChunkedSnapshotThenBatchesAsTheyCommit() throws Exception {
        MetadataFeed feed = new MetadataFeed(10_000, 64 << 20);
        FeedDriver driver = new FeedDriver(feed);
        commitDistinctKeys(driver, 50, 100); // 5,000 records at index 50
        ManagedChannel channel = serve(new MetadataWatchHandler(feed, sender));

        Watcher watcher = Watcher.start(channel, 0, null);
        MetadataUpdateApplier applier = new MetadataUpdateApplier(MetadataImage.EMPTY);
        List<MetadataUpdate> snapshot = watcher.applyUntil(applier, 50);

        assertEquals(List.of(2000, 2000, 1000), snapshot.stream().map(u -> u.getSnapshot().getRecordsCount()).toList());
        assertEquals(List.of(false, false, true), snapshot.stream().map(u -> u.getSnapshot().getLast()).toList());
        assertTrue(snapshot.stream().allMatch(u -> u.getSnapshot().getIndex() == 50 && u.getSnapshot().getTerm() == 1));
        assertEquals(feed.image(), applier.image());

        driver.commit(51, 2, FeedDriver.config("after", "1"));
        driver.commit(54, 2, FeedDriver.config("after", "2"));
        List<MetadataUpdate> batches = watcher.applyUntil(applier, 54);
        assertEquals(List.of(51L, 54L), batches.stream().map(u -> u.getBatch().getIndex()).toList());
        assertEquals(feed.image(), applier.image());
        assertEquals(feed.image().provenance(), applier.image().provenance());
    }

    @Test
    void snapshotChunksAreAlsoBoundedByBytes() throws Exception {
        MetadataFeed feed = new MetadataFeed(10_000, 64 << 20);
        FeedDriver driver = new FeedDriver(feed);
        commitDistinctKeys(driver, 10, 10); // 100 small records
        ManagedChannel channel = serve(new MetadataWatchHandler(feed, sender, 2_000, 300));

        Watcher watcher = Watcher.start(channel, 0, null);
        MetadataUpdateApplier applier = new MetadataUpdateApplier(MetadataImage.EMPTY);
        List<MetadataUpdate> snapshot = watcher.applyUntil(applier, 10);
        assertTrue(snapshot.size() > 3, "chunks: " + snapshot.size());
        assertTrue(snapshot.stream().allMatch(u -> u.getSnapshot().getSerializedSize() < 400));
        assertEquals(feed.image(), applier.image());
    }

    @Test
    void aWatcherResumingInsideTheWindowGetsOnlyTheNewerBatches() throws Exception {
        MetadataFeed feed = new MetadataFeed(10_000, 64 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(15, 1, 5);
        MetadataImage at15 = driver.image();
        driver.commitConfigs(5, 1, 5);
        ManagedChannel channel = serve(new MetadataWatchHandler(feed, sender));

        Watcher watcher = Watcher.start(channel, 15, null);
        MetadataUpdateApplier applier = new MetadataUpdateApplier(at15);
        List<MetadataUpdate> taken = watcher.applyUntil(applier, 20);
        assertEquals(List.of(16L, 17L, 18L, 19L, 20L), taken.stream().map(u -> u.getBatch().getIndex()).toList());
        assertEquals(feed.image(), applier.image());
    }

    @Test
    void aWatcherThatDoesNotReadIsNotBufferedForAndGetsAFreshSnapshotWhenItFallsOutOfTheWindow() throws Exception {
        MetadataFeed feed = new MetadataFeed(10, 64 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(5, 1, 5);
        ManagedChannel channel = serve(new MetadataWatchHandler(feed, sender));

        Watcher watcher = Watcher.start(channel, 0, 1); // asks for one message, then reads nothing
        MetadataUpdateApplier applier = new MetadataUpdateApplier(MetadataImage.EMPTY);
        watcher.applyUntil(applier, 5);
        driver.commitConfigs(100, 1, 1_000); // 100 batches: the window keeps the last 10
        sender.submit(() -> { }).get(5, TimeUnit.SECONDS); // drains triggered by the commits have run

        assertEquals(1, service.sent.get(), "nothing sent to a watcher that asked for nothing more");
        assertNull(watcher.received.poll(), "nothing buffered on the way either");

        watcher.call.request(1_000);
        List<MetadataUpdate> taken = watcher.applyUntil(applier, 105);
        assertEquals(1, taken.size());
        assertTrue(taken.get(0).hasSnapshot() && taken.get(0).getSnapshot().getLast(),
                "a watcher behind the window gets a snapshot, not the batches");
        assertEquals(feed.image(), applier.image());
        driver.commit(106, 1, FeedDriver.config("later", "x"));
        assertEquals(106, watcher.next().getBatch().getIndex(), "then batches again");
    }

    @Test
    void aCancelledWatchUnsubscribesAndGetsNothingMore() throws Exception {
        MetadataFeed feed = new MetadataFeed(100, 64 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(3, 1, 5);
        ManagedChannel channel = serve(new MetadataWatchHandler(feed, sender));

        Watcher watcher = Watcher.start(channel, 3, null);
        driver.commitConfigs(1, 1, 5);
        assertEquals(4, watcher.next().getBatch().getIndex());
        assertEquals(1, feed.subscribers());
        watcher.call.cancel("test done", null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (feed.subscribers() != 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertEquals(0, feed.subscribers(), "the cancel reached the server");
        long sentBefore = service.sent.get();
        driver.commitConfigs(5, 1, 5);
        sender.submit(() -> { }).get(5, TimeUnit.SECONDS);
        assertEquals(sentBefore, service.sent.get());
        assertFalse(watcher.received.stream().anyMatch(o -> o instanceof MetadataUpdate u && u.getBatch().getIndex() > 4));
    }

    @Test
    void aControllerOutOfContactWithTheQuorumEndsItsWatchesAndRefusesNewOnes() throws Exception {
        MetadataFeed feed = new MetadataFeed(100, 64 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(3, 1, 5);
        MetadataWatchHandler handler = new MetadataWatchHandler(feed, sender);
        ManagedChannel channel = serve(handler);
        Watcher watcher = Watcher.start(channel, 3, null);
        driver.commitConfigs(1, 1, 5);
        assertEquals(4, watcher.next().getBatch().getIndex());

        handler.setServing(false, "controller 2 has not heard from a quorum leader for 9000 ms");
        Object end = watcher.received.poll(10, TimeUnit.SECONDS);
        assertTrue(end instanceof io.grpc.StatusRuntimeException e
                && e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                && e.getStatus().getDescription().contains("quorum leader"), String.valueOf(end));
        Watcher refused = Watcher.start(channel, 4, null);
        Object refusal = refused.received.poll(10, TimeUnit.SECONDS);
        assertTrue(refusal instanceof io.grpc.StatusRuntimeException e
                && e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE, String.valueOf(refusal));

        handler.setServing(true, null);
        Watcher again = Watcher.start(channel, 4, null);
        driver.commitConfigs(1, 1, 5);
        assertEquals(5, again.next().getBatch().getIndex());
    }
}
