package io.brook.benchmarks;

import io.brook.common.Clock;
import io.brook.storage.AppendResult;
import io.brook.storage.FileIo;
import io.brook.storage.LogConfig;
import io.brook.storage.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append throughput of the partition log against a plain {@link FileChannel} write loop of the
 * same bytes, in the same run: 16 KiB batches of 16 x 1 KiB records, round-robin over 1 or 100
 * partitions (files), with no fsync or an fsync after every batch. One operation is one batch;
 * MB/s = ops/s x batch bytes ({@link #BATCH_BYTES}, printed at setup).
 *
 * <p>The log does what a leader append does: envelope and CRC-32C check, a walk over every
 * record, offset assignment, index maintenance, epoch and producer-state bookkeeping. The
 * plain loop only writes.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AppendBenchmark}
 * (add {@code -Dbrook.bench.dir=/path} via {@code -jvmArgsAppend} to choose the disk).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(2)
public class AppendBenchmark {
    static final int RECORDS = 16;
    static final int RECORD_BYTES = 1024;
    static final int BATCH_BYTES = BenchmarkData.batch(RECORDS, RECORD_BYTES, 0).remaining();

    @Param({"1", "100"})
    public int partitions;

    @Param({"false", "true"})
    public boolean fsync;

    private Path directory;
    private PartitionLog[] logs;
    private FileChannel[] channels;
    private long[] channelPositions;
    private ByteBuffer batch;
    private int next;

    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        directory = BenchmarkData.scratchDirectory("brook-append-");
        batch = BenchmarkData.batch(RECORDS, RECORD_BYTES, 42);
        LogConfig config = LogConfig.of(Map.of("segment.bytes", String.valueOf(256 * 1024 * 1024)));
        logs = new PartitionLog[partitions];
        channels = new FileChannel[partitions];
        channelPositions = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            logs[p] = PartitionLog.open(directory.resolve("bench-" + p), config, FileIo.real(), Clock.system());
            channels[p] = FileChannel.open(directory.resolve("plain-" + p + ".dat"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
        }
        next = 0;
        System.out.println("# batch bytes: " + BATCH_BYTES);
    }

    /**
     * Both sides end an iteration the same way: everything written is fsynced, then deleted.
     * (Ending the log with {@code close()}, which fsyncs, and the plain files without an fsync let
     * the plain loop's data be dropped from the page cache unwritten while the log's was written
     * back: the disk work and block discards spilled into the next iteration of one side only.
     * Deleting both without an fsync instead left the file system so busy with discards that the
     * first write to each new memory-mapped index page stalled for tens of milliseconds.)
     */
    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        for (int p = 0; p < partitions; p++) {
            logs[p].close();
            channels[p].force(false);
            channels[p].close();
        }
        BenchmarkData.deleteRecursively(directory);
    }

    @Benchmark
    public AppendResult partitionLogAppend() {
        PartitionLog log = logs[next];
        next = next + 1 == partitions ? 0 : next + 1;
        AppendResult result = log.appendAsLeader(batch, 0);
        if (fsync) {
            log.flush();
        }
        return result;
    }

    @Benchmark
    public long plainFileChannelWrite() throws IOException {
        int p = next;
        next = next + 1 == partitions ? 0 : next + 1;
        ByteBuffer bytes = batch.duplicate();
        long position = channelPositions[p];
        while (bytes.hasRemaining()) {
            position += channels[p].write(bytes, position);
        }
        channelPositions[p] = position;
        if (fsync) {
            channels[p].force(false);
        }
        return position;
    }
}
