package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Record;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.v1.ErrorCode;
import io.brook.common.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A partition log under test, with the knobs tests turn: a manual clock, small segments, and
 * helpers to build batches and read records back. Reused by the log's unit and property tests.
 */
final class LogFixture implements AutoCloseable {
    final Path directory;
    final FileIo io;
    final ManualClock clock;
    private final Map<String, String> config = new HashMap<>();
    PartitionLog log;

    LogFixture(Path parent, FileIo io, ManualClock clock) {
        this.directory = parent.resolve("orders-0");
        this.io = io;
        this.clock = clock;
        // Small preallocated indexes: tests roll many segments, and the simulated file system
        // keeps every mapped byte in memory. Tests of index capacity set it explicitly.
        config.put("segment.index.bytes", "16384");
    }

    /** A log on an in-memory simulated file system (fast; crashes and faults available). */
    static LogFixture simulated(long seed) {
        io.brook.storage.testing.SimulatedFileIo io = new io.brook.storage.testing.SimulatedFileIo(seed);
        return new LogFixture(io.root(), io, new ManualClock());
    }

    LogFixture(Path parent) {
        this(parent, FileIo.real(), new ManualClock());
    }

    LogFixture with(String key, Object value) {
        config.put(key, String.valueOf(value));
        if (log != null) {
            log.updateConfig(config());
        }
        return this;
    }

    LogConfig config() {
        return LogConfig.of(config);
    }

    LogFixture open() throws IOException {
        log = PartitionLog.open(directory, config(), io, clock);
        return this;
    }

    /** Drops the log without closing it: the files stay as a crash would leave them. */
    LogFixture abandonAndReopen() throws IOException {
        log = null;
        return open();
    }

    LogFixture closeAndReopen() throws IOException {
        log.close();
        return open();
    }

    /** An uncompressed batch of string values (null keys), timestamps from the clock. */
    ByteBuffer batch(String... values) {
        return batch(clock.milliseconds(), values);
    }

    ByteBuffer batch(long timestamp, String... values) {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
        for (String value : values) {
            builder.append(timestamp, null, bytes(value));
        }
        return builder.build();
    }

    /** A batch of (key, value) pairs; a null value is a tombstone. */
    ByteBuffer keyed(long timestamp, String... keysAndValues) {
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            builder.append(timestamp, bytes(keysAndValues[i]), bytes(keysAndValues[i + 1]));
        }
        return builder.build();
    }

    /** Appends as leader in epoch 0 and expects success. */
    AppendResult.Appended append(String... values) {
        return appended(log.appendAsLeader(batch(values), 0));
    }

    static AppendResult.Appended appended(AppendResult result) {
        return assertInstanceOf(AppendResult.Appended.class, result, () -> "append failed: " + result);
    }

    /** Every record value from {@code from} to the log end, in offset order. */
    List<String> values(long from) {
        List<String> values = new ArrayList<>();
        for (Record record : records(from)) {
            values.add(record.hasValue() ? string(record.valueBytes()) : null);
        }
        return values;
    }

    List<String> values() {
        return values(log.logStartOffset());
    }

    /** Every record from {@code from} to the log end, skipping records below {@code from}. */
    List<Record> records(long from) {
        List<Record> records = new ArrayList<>();
        long next = from;
        while (next < log.logEndOffset()) {
            ReadResult result = log.read(next, 64 * 1024, Long.MAX_VALUE, true);
            assertEquals(ErrorCode.NONE, result.error(), result.message());
            boolean progressed = false;
            for (RecordBatch batch : result.batches()) {
                batch.ensureValid();
                for (Record record : batch) {
                    if (record.offset() >= next) {
                        records.add(record);
                    }
                }
                next = Math.max(next, batch.nextOffset());
                progressed = true;
            }
            if (!progressed) {
                break;
            }
        }
        return records;
    }

    static byte[] bytes(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A test body that gets an open log. */
    interface LogTest {
        void run(LogFixture fixture) throws IOException;
    }

    /**
     * Runs {@code test} on a log opened with {@code config} (key, value pairs) in a fresh
     * temporary directory on the real file system, closed and deleted afterwards: for property
     * tests, which cannot use JUnit's per-test directory once per example.
     */
    static void withRealLog(LogTest test, Object... config) {
        Path tmp = null;
        try {
            tmp = java.nio.file.Files.createTempDirectory("brook-log-");
            LogFixture fixture = new LogFixture(tmp);
            for (int i = 0; i < config.length; i += 2) {
                fixture.with((String) config[i], config[i + 1]);
            }
            fixture.open();
            try {
                test.run(fixture);
            } finally {
                fixture.close();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            deleteRecursively(tmp);
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !java.nio.file.Files.exists(root)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete " + root, e);
        }
    }

    @Override
    public void close() throws IOException {
        if (log != null && !log.isOffline()) {
            log.close();
        }
    }
}
