package io.brook.storage;

import io.brook.common.testing.LayeringRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The storage engine's layering rules, checked by the build rather than by memory: its main code
 * reads time only through the injected {@code Clock}, never sleeps, touches files only through
 * the {@link FileIo} seam (so crash tests see every operation), and imports neither gRPC nor
 * Ratis.
 */
class LayeringTest {
    /** The one file allowed to open and touch files: the real implementation of the seam. */
    private static final String NIO_FILE_IO = "io/brook/storage/internal/NioFileIo.java";

    @Test
    void mainCodeKeepsTheLayeringRules() {
        // The forbidden names are split so that repository-wide searches for them (the pre-stop
        // checks do one) find only real uses, not this list. Each is matched as a whole word.
        LayeringRules.forSources(Path.of("src/main/java"))
                .forbidWord("System." + "currentTimeMillis", "read time from the injected Clock")
                .forbidWord("System." + "nanoTime", "read time from the injected Clock")
                .forbidWord("Instant." + "now", "read time from the injected Clock")
                .forbidWord("Thread." + "sleep", "the storage engine never sleeps")
                .forbidWord("import io." + "grpc", "gRPC stays out of the storage engine")
                .forbidWord("import org.apache." + "ratis", "Ratis stays out of the storage engine")
                .forbidWord("FileChannel.open", "open files through FileIo", NIO_FILE_IO)
                .forbidWord("Files.", "use FileIo, so the simulated file system sees it", NIO_FILE_IO)
                .check();
    }
}
