package io.brook.metadata.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MetadataFeedTest {

    private static List<Long> indexes(MetadataFeed.Read read) {
        return assertInstanceOf(MetadataFeed.Batches.class, read).batches().stream()
                .map(MetadataFeed.Batch::index).toList();
    }

    private static MetadataImage replay(MetadataImage base, List<MetadataFeed.Batch> batches) {
        MetadataImage image = base;
        for (MetadataFeed.Batch batch : batches) {
            MetadataDelta delta = new MetadataDelta(image);
            delta.replayAll(batch.records());
            image = delta.apply(new MetadataProvenance(batch.index(), batch.term()));
        }
        return image;
    }

    @Test
    void aWatcherInsideTheWindowGetsOnlyTheNewerBatchesAcrossIndexGaps() {
        MetadataFeed feed = new MetadataFeed(100, 1 << 20);
        FeedDriver driver = new FeedDriver(feed);
        MetadataImage at3 = driver.commit(3, 1, FeedDriver.config("a", "1"));
        driver.commit(4, 1, FeedDriver.config("b", "2"));
        driver.commit(7, 2, FeedDriver.config("c", "3")); // 5 and 6: entries that never reach the state machine
        driver.commit(8, 2, FeedDriver.config("a", "4"));

        assertEquals(List.of(4L, 7L, 8L), indexes(feed.read(3, 100)));
        assertEquals(List.of(7L, 8L), indexes(feed.read(4, 100)));
        assertEquals(List.of(7L, 8L), indexes(feed.read(5, 100)), "a position inside a gap is the state before the next batch");
        assertEquals(List.of(4L), indexes(feed.read(3, 1)), "at most limit batches");
        assertEquals(List.of(), indexes(feed.read(8, 100)), "up to date");
        assertEquals(List.of(), indexes(feed.read(12, 100)), "ahead of this controller: wait");
        assertEquals(feed.image(), replay(at3, feed.read(3, 100) instanceof MetadataFeed.Batches b ? b.batches() : List.of()));
        assertEquals(7, assertInstanceOf(MetadataFeed.Batches.class, feed.read(4, 100)).batches().get(0).index());
        assertEquals(4, assertInstanceOf(MetadataFeed.Batches.class, feed.read(4, 100)).batches().get(0).previousIndex());
    }

    @Test
    void aWatcherFromZeroOrBehindTheWindowNeedsASnapshotOfTheCurrentImage() {
        MetadataFeed feed = new MetadataFeed(3, 1 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(10, 1, 10);

        assertEquals(7, feed.windowStart(), "three batches kept: 8, 9, 10");
        assertEquals(List.of(8L, 9L, 10L), indexes(feed.read(7, 100)));
        MetadataFeed.SnapshotNeeded snapshot = assertInstanceOf(MetadataFeed.SnapshotNeeded.class, feed.read(6, 100));
        assertSame(feed.image(), snapshot.image());
        assertEquals(10, snapshot.image().provenance().lastAppliedIndex());
        assertInstanceOf(MetadataFeed.SnapshotNeeded.class, feed.read(0, 100));
        assertEquals(snapshot.image(), replay(MetadataImage.EMPTY, List.of(new MetadataFeed.Batch(0, 10, 1,
                feed.snapshotRecords(snapshot.image()), 0))), "the snapshot records rebuild the image");
        assertSame(feed.snapshotRecords(snapshot.image()), feed.snapshotRecords(snapshot.image()),
                "watchers share one copy of a snapshot's records");
    }

    @Test
    void aNewFeedAtIndexZeroHasNothingToSendYet() {
        MetadataFeed feed = new MetadataFeed(3, 1 << 20);
        assertEquals(List.of(), indexes(feed.read(0, 10)));
    }

    @Test
    void aSnapshotLoadClearsTheWindow() {
        MetadataFeed feed = new MetadataFeed(100, 1 << 20);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(5, 1, 10);
        MetadataImage other = new FeedDriver().commitConfigs(3, 1, 20);
        driver.loadSnapshot(other, 40, 3);

        assertEquals(0, feed.windowBatches());
        assertEquals(0, feed.windowBytes());
        assertEquals(40, feed.windowStart());
        assertInstanceOf(MetadataFeed.SnapshotNeeded.class, feed.read(5, 100), "a position before the snapshot");
        assertEquals(List.of(), indexes(feed.read(40, 100)));
        driver.commit(42, 3, FeedDriver.config("z", "1"));
        assertEquals(List.of(42L), indexes(feed.read(40, 100)));
    }

    @Test
    void theByteBoundEvictsTheOldestBatches() {
        MetadataFeed feed = new MetadataFeed(10_000, 4_000);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(100, 1, 100); // each batch: about 130 bytes of records + overhead

        assertTrue(feed.windowBytes() <= 4_000, "bytes " + feed.windowBytes());
        assertTrue(feed.windowBatches() >= 20 && feed.windowBatches() < 100, "batches " + feed.windowBatches());
        long start = feed.windowStart();
        assertEquals(100 - feed.windowBatches(), start);
        assertInstanceOf(MetadataFeed.SnapshotNeeded.class, feed.read(start - 1, 10));
        assertEquals(start + 1, indexes(feed.read(start, 1)).get(0));
    }

    @Test
    void theCountBoundEvictsTheOldestBatchesAndTheWindowGrowsPastItsInitialCapacity() {
        MetadataFeed feed = new MetadataFeed(3000, 1L << 30);
        FeedDriver driver = new FeedDriver(feed);
        driver.commitConfigs(5000, 1, 1);
        assertEquals(3000, feed.windowBatches());
        assertEquals(2000, feed.windowStart());
        assertEquals(List.of(2001L, 2002L), indexes(feed.read(2000, 2)));
        assertEquals(List.of(5000L), indexes(feed.read(4999, 10)));
    }

    @Test
    void subscribersHearOfEveryBatchAndSnapshotUntilTheyUnsubscribe() {
        MetadataFeed feed = new MetadataFeed(10, 1 << 20);
        FeedDriver driver = new FeedDriver(feed);
        AtomicInteger calls = new AtomicInteger();
        MetadataFeed.Subscription subscription = feed.subscribe(calls::incrementAndGet);
        driver.commitConfigs(3, 1, 1);
        driver.loadSnapshot(driver.image(), 10, 1);
        subscription.close();
        driver.commitConfigs(2, 1, 1);
        assertEquals(4, calls.get());
    }
}
