package io.brook.benchmarks;

import io.brook.common.Clock;
import io.brook.storage.FileIo;
import io.brook.storage.LogConfig;
import io.brook.storage.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Recovery of an uncleanly closed log: every batch validated (length, CRC-32C, offsets), both
 * indexes rebuilt, leader epochs and producer state restored. Each invocation removes the
 * clean-shutdown marker, the recovery-point checkpoint and the producer-state snapshots, so the
 * whole log is scanned and then replayed.
 * MB/s = {@code sizeMiB} / seconds per operation. The log is in the page cache (it was just
 * written), so this is the CPU cost of recovery, not the disk's read speed.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RecoveryBenchmark -f 1 -wi 1 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class RecoveryBenchmark {
    @Param({"1024"})
    public int sizeMiB;

    private Path directory;
    private Path partition;
    private PartitionLog log;

    @Setup(Level.Trial)
    public void write() throws IOException {
        directory = BenchmarkData.scratchDirectory("brook-recovery-");
        partition = directory.resolve("bench-0");
        PartitionLog writer = PartitionLog.open(partition, LogConfig.of(Map.of()), FileIo.real(), Clock.system());
        ByteBuffer batch = BenchmarkData.batch(16, 1024, 3);
        long target = (long) sizeMiB * 1024 * 1024;
        while (writer.sizeInBytes() < target) {
            writer.appendAsLeader(batch, 0);
        }
        writer.close();
    }

    /**
     * The state a crash leaves, at its worst: no clean-shutdown marker, no recovery point, and
     * no producer-state snapshot, so every batch is validated and then replayed into producer
     * state.
     */
    @Setup(Level.Invocation)
    public void makeUnclean() throws IOException {
        Files.deleteIfExists(partition.resolve(".clean-shutdown"));
        Files.deleteIfExists(partition.resolve("recovery-point-offset-checkpoint"));
        try (var files = Files.list(partition)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".snapshot")).toList()) {
                Files.delete(file);
            }
        }
    }

    @Benchmark
    public PartitionLog recover() throws IOException {
        log = PartitionLog.open(partition, LogConfig.of(Map.of()), FileIo.real(), Clock.system());
        return log;
    }

    @TearDown(Level.Invocation)
    public void closeRecovered() throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        BenchmarkData.deleteRecursively(directory);
    }
}
