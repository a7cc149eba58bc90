package io.brook.benchmarks;

import io.brook.api.records.CompressionType;
import io.brook.api.records.RecordBatchBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/** Shared inputs of the benchmarks: batches of fixed shape, scratch directories. Stateless. */
public final class BenchmarkData {
    private BenchmarkData() {
    }

    /**
     * An uncompressed batch of {@code records} records of {@code recordBytes} random bytes each
     * (no key, no headers): 16 x 1 KiB makes the 16 KiB batches the issue asks about.
     */
    public static ByteBuffer batch(int records, int recordBytes, long seed) {
        Random random = new Random(seed);
        RecordBatchBuilder builder = new RecordBatchBuilder(CompressionType.NONE);
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[recordBytes];
            random.nextBytes(value);
            builder.append(1_700_000_000_000L + i, null, value);
        }
        return builder.build();
    }

    /**
     * A scratch directory under {@code brook.bench.dir} (default: the system temp directory), so
     * runs can be pointed at the disk under test.
     */
    public static Path scratchDirectory(String prefix) throws IOException {
        Path parent = Path.of(System.getProperty("brook.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, prefix);
    }

    public static void deleteRecursively(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
