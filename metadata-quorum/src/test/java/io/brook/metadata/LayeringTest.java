package io.brook.metadata;

import io.brook.common.testing.LayeringRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module's layering, checked by the build: Ratis enters only through
 * {@code internal.ratis} and gRPC only through {@code internal.grpc}, so the images, the
 * controller logic and the seams can be tested and reused without a Raft server or a network;
 * and the deterministic core (images, deltas, controller logic) reads time only from the injected
 * clock and never sleeps.
 */
class LayeringTest {
    private static final String RATIS = "io/brook/metadata/internal/ratis/";
    private static final String GRPC = "io/brook/metadata/internal/grpc/";

    @Test
    void mainCodeKeepsTheLayeringRules() {
        // Split so that repository-wide searches for these names find only real uses.
        LayeringRules.forSources(Path.of("src/main/java"))
                .forbid("org.apache." + "ratis", "Ratis enters through internal.ratis", RATIS)
                .forbid("import io." + "grpc", "gRPC enters through internal.grpc", GRPC)
                .forbid("Thread." + "sleep", "nothing sleeps")
                .forbid("System." + "currentTimeMillis", "the core reads time from the injected Clock", RATIS, GRPC)
                .forbid("System." + "nanoTime", "the core reads time from the injected Clock", RATIS, GRPC)
                .forbid("Instant." + "now", "the core reads time from the injected Clock", RATIS, GRPC)
                .check();
    }
}
