package io.brook.api.records;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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

    private static final List<String> ALLOWED_IMPORTS = List.of(
            "java.", "io.brook.api.records.", "io.brook.api.v1.ErrorCode;",
            "org.xerial.snappy.", "net.jpountz.", "com.github.luben.zstd.");

    // Split so that repository-wide searches for these names find only real uses.
    private static final List<String> FORBIDDEN = List.of(
            "System." + "currentTimeMillis", "System." + "nanoTime", "Instant." + "now",
            "Thread." + "sleep", "java.nio." + "file", "java.io." + "File");

    @Test
    void codecImportsOnlyTheJdkTheCodecLibrariesAndErrorCode() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(RECORDS)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                        continue; // comments may name what code may not do
                    }
                    String where = RECORDS.relativize(source) + ":" + (i + 1);
                    if (line.startsWith("import ")) {
                        String imported = line.substring("import ".length()).replace("static ", "");
                        if (ALLOWED_IMPORTS.stream().noneMatch(imported::startsWith)) {
                            violations.add(where + " imports " + imported);
                        }
                    }
                    FORBIDDEN.stream().filter(line::contains).forEach(name -> violations.add(where + " uses " + name));
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckedDirectoryHoldsTheCodec() {
        // Guards the check itself: a wrong working directory would make it pass on no files.
        assertTrue(Files.exists(RECORDS.resolve("RecordBatch.java")));
        assertTrue(Files.exists(RECORDS.resolve("internal/RecordCodec.java")));
    }
}
