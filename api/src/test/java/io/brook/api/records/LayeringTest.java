package io.brook.api.records;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.testing.LayeringRules;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The record batch codec's layering, checked by the build: it is pure work on bytes that a client
 * links without a server stack, so its main code imports only the JDK, the three codec libraries
 * and {@code ErrorCode}; it touches no files, never sleeps and never reads the clock (every
 * timestamp is the caller's). These rules held in the storage engine, where the codec lived
 * before, and are kept here.
 */
class LayeringTest {
    private static final Path RECORDS = Path.of("src/main/java/io/brook/api/records");

    @Test
    void codecImportsOnlyTheJdkTheCodecLibrariesAndErrorCode() {
        // Split so that repository-wide searches for these names find only real uses.
        LayeringRules.forSources(RECORDS)
                .allowOnlyImports("the codec links only the JDK, the codec libraries and ErrorCode",
                        "java.", "io.brook.api.records.", "io.brook.api.v1.ErrorCode;",
                        "org.xerial.snappy.", "net.jpountz.", "com.github.luben.zstd.")
                .forbid("System." + "currentTimeMillis", "every timestamp is the caller's")
                .forbid("System." + "nanoTime", "every timestamp is the caller's")
                .forbid("Instant." + "now", "every timestamp is the caller's")
                .forbid("Thread." + "sleep", "the codec never sleeps")
                .forbid("java.nio." + "file", "the codec touches no files")
                .forbid("java.io." + "File", "the codec touches no files")
                .check();
    }

    @Test
    void theCheckedDirectoryHoldsTheCodec() {
        // Guards the check itself: a wrong working directory would make it pass on no files.
        assertTrue(Files.exists(RECORDS.resolve("RecordBatch.java")));
        assertTrue(Files.exists(RECORDS.resolve("internal/RecordCodec.java")));
    }
}
