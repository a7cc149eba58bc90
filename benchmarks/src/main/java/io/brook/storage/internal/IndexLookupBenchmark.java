package io.brook.storage.internal;

import io.brook.benchmarks.BenchmarkData;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
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
 * Latency of a lookup in a memory-mapped offset index (binary search over {@code entries}
 * entries: a full default 10 MiB index holds 1,310,720) and in a time index, at random targets.
 * In this package (split across jars on the class path) because the index classes are internal.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar IndexLookupBenchmark -f 1 -wi 2 -i 5 -w 1s -r 2s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IndexLookupBenchmark {
    @Param({"1000", "1310720"})
    public int entries;

    private Path directory;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private final SplittableRandom random = new SplittableRandom(11);

    @Setup(Level.Trial)
    public void build() throws IOException {
        directory = BenchmarkData.scratchDirectory("brook-index-");
        int bytes = entries * TimeIndex.ENTRY_SIZE;
        offsetIndex = new OffsetIndex(FileIo.real(), directory.resolve("0.index"), 0, bytes, true);
        timeIndex = new TimeIndex(FileIo.real(), directory.resolve("0.timeindex"), 0, bytes, true);
        for (int i = 0; i < entries; i++) {
            offsetIndex.append(i * 16L + 15, i * 16_700);
            timeIndex.maybeAppend(1_700_000_000_000L + i * 10L, i * 16L + 15, false);
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        BenchmarkData.deleteRecursively(directory);
    }

    @Benchmark
    public int offsetIndexLookup() {
        return offsetIndex.lookup(random.nextLong(entries * 16L));
    }

    @Benchmark
    public long timeIndexLookup() {
        return timeIndex.lastOffsetOlderThan(1_700_000_000_000L + random.nextLong(entries * 10L));
    }
}
