package io.brook.benchmarks;

import io.brook.api.records.RecordBatch;
import io.brook.common.Clock;
import io.brook.storage.FileIo;
import io.brook.storage.LogConfig;
import io.brook.storage.PartitionLog;
import io.brook.storage.ReadResult;
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
 * Sequential read throughput of the partition log (consumer-style reads of {@code fetchBytes},
 * whole batches, from offset 0 to the end and around again) against a plain {@link FileChannel}
 * read loop over the same segment file, in the same run. The data (256 MiB of 16 KiB batches)
 * is in the page cache after the first pass, so this measures the read path, not the disk.
 * One operation is one read; MB/s = ops/s x fetchBytes (the log returns whole batches, on
 * average within one batch of fetchBytes).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReadBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(2)
public class ReadBenchmark {
    static final long LOG_BYTES = 256L * 1024 * 1024;

    @Param({"1048576"})
    public int fetchBytes;

    private Path directory;
    private PartitionLog log;
    private FileChannel plain;
    private long plainSize;
    private long nextOffset;
    private long plainPosition;
    private ByteBuffer plainBuffer;
    private long bytesRead;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = BenchmarkData.scratchDirectory("brook-read-");
        log = PartitionLog.open(directory.resolve("bench-0"), LogConfig.of(Map.of()), FileIo.real(), Clock.system());
        ByteBuffer batch = BenchmarkData.batch(16, 1024, 7);
        while (log.sizeInBytes() < LOG_BYTES) {
            log.appendAsLeader(batch, 0);
        }
        log.flush();
        // The plain loop reads the log's own segment file: the same bytes with the same page-cache
        // layout. (A copy made with Files.copy read faster than the file the log wrote in 16 KiB
        // writes, whatever read it: the kernel caches a file written in large chunks in larger
        // pages.)
        Path segment = directory.resolve("bench-0").resolve("00000000000000000000.log");
        plain = FileChannel.open(segment, StandardOpenOption.READ);
        plainSize = plain.size();
        plainBuffer = ByteBuffer.allocate(fetchBytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        plain.close();
        BenchmarkData.deleteRecursively(directory);
        System.out.println("# bytes read by the log in the last iteration set: " + bytesRead);
    }

    @Benchmark
    public ByteBuffer partitionLogRead() {
        if (nextOffset >= log.logEndOffset()) {
            nextOffset = 0;
        }
        ReadResult result = log.read(nextOffset, fetchBytes, Long.MAX_VALUE, true);
        ByteBuffer records = result.records();
        bytesRead += records.remaining();
        long last = nextOffset;
        for (RecordBatch batch : result.batches()) {
            last = batch.nextOffset();
        }
        nextOffset = last;
        return records;
    }

    @Benchmark
    public ByteBuffer plainFileChannelRead() throws IOException {
        if (plainPosition >= plainSize) {
            plainPosition = 0;
        }
        plainBuffer.clear();
        // A fresh buffer per read, as the log allocates one per read: the same allocation work.
        ByteBuffer buffer = ByteBuffer.allocate(fetchBytes);
        while (buffer.hasRemaining()) {
            int read = plain.read(buffer, plainPosition + buffer.position());
            if (read < 0) {
                break;
            }
        }
        plainPosition += buffer.position();
        buffer.flip();
        return buffer;
    }
}
