package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers never block on the writer and never see a partial or foreign batch: while one thread
 * appends, rolls, truncates and deletes old records as fast as it can, reader threads read at
 * random offsets and check that every batch they get is whole, CRC-valid, in offset order, and
 * holds the records written for those offsets (each value names its own offset).
 */
class PartitionLogConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void readersRacingAppendsTruncationsAndDeletionsSeeOnlyWholeValidBatches() throws Exception {
        LogFixture fixture = new LogFixture(tmp).with("segment.bytes", 2000).with("index.interval.bytes", 100).open();
        PartitionLog log = fixture.log;
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong batchesRead = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int seed = r;
                readers.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    while (writing.get()) {
                        long start = log.logStartOffset();
                        long end = log.logEndOffset();
                        // Mostly near the end, where the writer truncates and rewrites.
                        long span = Math.min(end - start, random.nextBoolean() ? 20 : end - start);
                        long offset = end - (span > 0 ? 1 + random.nextInt((int) span) : 0);
                        ReadResult result = log.read(offset, 1 + random.nextInt(16_000), Long.MAX_VALUE, true);
                        if (result.error() == ErrorCode.OFFSET_OUT_OF_RANGE) {
                            continue; // the writer moved the log start or truncated meanwhile
                        }
                        assertEquals(ErrorCode.NONE, result.error(), result.message());
                        checkBatches(result.records());
                        batchesRead.incrementAndGet();
                    }
                    return null;
                }));
            }
            Random random = new Random(99);
            for (int i = 0; i < 3000; i++) {
                int action = random.nextInt(100);
                if (action < 70) {
                    long first = log.logEndOffset();
                    int count = 1 + random.nextInt(5);
                    String[] values = new String[count];
                    for (int v = 0; v < count; v++) {
                        values[v] = "offset-" + (first + v) + "-" + "x".repeat(random.nextInt(300));
                    }
                    fixture.append(values);
                } else if (action < 97) {
                    long start = log.logStartOffset();
                    long end = log.logEndOffset();
                    long span = Math.min(end - start, 15);
                    log.truncateTo(end - (span > 0 ? random.nextInt((int) span) : 0));
                } else {
                    long end = log.logEndOffset();
                    log.deleteRecordsBefore(Math.max(log.logStartOffset(), end - 50));
                    log.deleteOldSegments();
                }
            }
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
            fixture.close();
        }
        assertTrue(batchesRead.get() > 0, "the readers ran");
    }

    /**
     * The deterministic version of the race above: a file system that returns short reads lets
     * the test run a truncation and a re-append exactly in the middle of a reader's read of a
     * batch. The reader must notice (the structure version moved) and read again, returning the
     * new batch whole, never the first half of the old one glued to the second half of the new.
     */
    @Test
    void aReadThatRacesATruncationRetriesInsteadOfReturningTornBytes() throws Exception {
        ShortReadFileIo io = new ShortReadFileIo(new io.brook.storage.testing.SimulatedFileIo(5), 40);
        LogFixture fixture = new LogFixture(io.root(), io, new io.brook.common.ManualClock()).open();
        PartitionLog log = fixture.log;
        fixture.append("offset-0-a", "offset-1-a");
        fixture.append("offset-2-" + "o".repeat(150));
        long readsBefore = io.reads;
        // Calls 1-4 find the batch (two headers), 5-6 read its header again, 7-8 the first 80 bytes.
        io.afterRead(readsBefore + 8, () -> {
            log.truncateTo(2);
            fixture.append("offset-2-" + "n".repeat(150)); // same size, different bytes, same position
        });
        ReadResult result = log.read(2, 10_000, Long.MAX_VALUE, true);
        assertTrue(io.fired, "the truncation ran in the middle of the read");
        checkBatches(result.records());
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : result.batches()) {
            for (Record record : batch) {
                values.add(LogFixture.string(record.valueBytes()));
            }
        }
        assertEquals(List.of("offset-2-" + "n".repeat(150)), values);
        fixture.close();
    }

    /** Returns at most {@code chunk} bytes per read, and runs a hook after a chosen read call. */
    private static final class ShortReadFileIo implements FileIo {
        private final io.brook.storage.testing.SimulatedFileIo delegate;
        private final int chunk;
        long reads;
        boolean fired;
        private long fireAfter = -1;
        private Runnable hook;

        ShortReadFileIo(io.brook.storage.testing.SimulatedFileIo delegate, int chunk) {
            this.delegate = delegate;
            this.chunk = chunk;
        }

        Path root() {
            return delegate.root();
        }

        void afterRead(long call, Runnable action) {
            fireAfter = call;
            hook = action;
        }

        @Override
        public StorageFile open(Path path, boolean create) throws java.io.IOException {
            StorageFile file = delegate.open(path, create);
            return new StorageFile() {
                @Override
                public int read(ByteBuffer dst, long position) throws java.io.IOException {
                    ByteBuffer window = dst.duplicate();
                    window.limit(Math.min(dst.limit(), dst.position() + chunk));
                    int read = file.read(window, position);
                    if (read > 0) {
                        dst.position(dst.position() + read);
                    }
                    reads++;
                    if (reads == fireAfter && !fired) {
                        fired = true;
                        hook.run();
                    }
                    return read;
                }

                @Override
                public int write(ByteBuffer src, long position) throws java.io.IOException {
                    return file.write(src, position);
                }

                @Override
                public long size() throws java.io.IOException {
                    return file.size();
                }

                @Override
                public void truncate(long size) throws java.io.IOException {
                    file.truncate(size);
                }

                @Override
                public void force() throws java.io.IOException {
                    file.force();
                }

                @Override
                public long transferTo(long position, long count, java.nio.channels.WritableByteChannel target)
                        throws java.io.IOException {
                    return file.transferTo(position, count, target);
                }

                @Override
                public void close() throws java.io.IOException {
                    file.close();
                }
            };
        }

        @Override
        public MappedRegion map(Path path, int length) throws java.io.IOException {
            return delegate.map(path, length);
        }

        @Override
        public boolean exists(Path path) {
            return delegate.exists(path);
        }

        @Override
        public long size(Path path) throws java.io.IOException {
            return delegate.size(path);
        }

        @Override
        public void createDirectories(Path dir) throws java.io.IOException {
            delegate.createDirectories(dir);
        }

        @Override
        public List<Path> list(Path dir) throws java.io.IOException {
            return delegate.list(dir);
        }

        @Override
        public boolean isDirectory(Path path) {
            return delegate.isDirectory(path);
        }

        @Override
        public void deleteIfExists(Path path) throws java.io.IOException {
            delegate.deleteIfExists(path);
        }

        @Override
        public void atomicMove(Path source, Path target) throws java.io.IOException {
            delegate.atomicMove(source, target);
        }

        @Override
        public void syncDirectory(Path dir) throws java.io.IOException {
            delegate.syncDirectory(dir);
        }
    }

    private static void checkBatches(ByteBuffer records) {
        long previous = -1;
        int bytes = 0;
        for (RecordBatch batch : RecordBatch.batches(records)) {
            batch.ensureValid();
            assertTrue(batch.baseOffset() > previous, "offset order");
            previous = batch.lastOffset();
            bytes += batch.sizeInBytes();
            for (Record record : batch) {
                String value = LogFixture.string(record.valueBytes());
                assertTrue(value.startsWith("offset-" + record.offset() + "-"),
                        "record at offset " + record.offset() + " holds " + value);
            }
        }
        assertEquals(records.remaining(), bytes, "only whole batches");
    }
}
