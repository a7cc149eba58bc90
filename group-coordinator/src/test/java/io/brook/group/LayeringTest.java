package io.brook.group;

import io.brook.common.testing.LayeringRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The group coordinator is deterministic logic: no network, no quorum, no threads, no files, no
 * clock of its own (the broker passes the time in and does the I/O), so its tests and simulations
 * replay exactly.
 */
class LayeringTest {
    @Test
    void mainCodeKeepsTheLayeringRules() {
        // Split so that repository-wide searches for these names find only real uses.
        LayeringRules.forSources(Path.of("src/main/java"))
                .forbid("import io." + "grpc", "no network here: the broker serves the group API")
                .forbid("org.apache." + "ratis", "Ratis is the metadata module's")
                .forbid("java.util." + "concurrent", "no threads: operations run one at a time, driven by the broker")
                .forbid("new " + "Thread", "no threads")
                .forbid("java." + "io.File", "no files: the broker reads and writes the partition")
                .forbid("java.nio." + "file", "no files: the broker reads and writes the partition")
                .forbid("Thread." + "sleep", "nothing sleeps")
                .forbid("System." + "currentTimeMillis", "the time is passed in")
                .forbid("System." + "nanoTime", "the time is passed in")
                .forbid("Instant." + "now", "the time is passed in")
                .forbid("UUID." + "randomUUID", "randomness is passed in")
                .check();
    }
}
