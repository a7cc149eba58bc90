package io.brook.broker;

import io.brook.common.testing.LayeringRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The broker module's layering, checked by the build: gRPC enters only through
 * {@code internal.grpc} (the partition and replica logic is testable without a network), Ratis not
 * at all (the quorum is the metadata module's), nothing sleeps, and time comes from an injected
 * {@code Clock}.
 */
class LayeringTest {
    @Test
    void mainCodeKeepsTheLayeringRules() {
        // Split so that repository-wide searches for these names find only real uses.
        LayeringRules.forSources(Path.of("src/main/java"))
                .forbid("import io." + "grpc", "gRPC enters through internal.grpc", "io/brook/broker/internal/grpc/")
                .forbid("org.apache." + "ratis", "Ratis is the metadata module's")
                .forbid("Thread." + "sleep", "nothing sleeps")
                .forbid("System." + "currentTimeMillis", "time comes from the injected Clock")
                .forbid("System::" + "currentTimeMillis", "time comes from the injected Clock")
                .forbid("System." + "nanoTime", "time comes from the injected Clock")
                .forbid("Instant." + "now", "time comes from the injected Clock")
                .check();
    }
}
