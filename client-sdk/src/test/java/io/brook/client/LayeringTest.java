package io.brook.client;

import io.brook.common.testing.LayeringRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The client SDK's layering, checked by the build: gRPC enters only through
 * {@code internal.grpc} (batching, partitioning, retries and fetch positions are testable on a
 * scripted transport, without a network); nothing sleeps (waits are timed on the injected clock);
 * time comes only from the injected {@link io.brook.common.Clock}; and main code uses nothing of
 * the server: a client links api and common alone, and the server modules are test dependencies
 * only (the tests run a real cluster).
 */
class LayeringTest {
    private static final String CLOCK = "time comes from the injected io.brook.common.Clock";
    private static final String NO_SERVER = "the client links no server module";

    @Test
    void mainCodeKeepsTheLayeringRules() {
        // Split so that repository-wide searches for these names find only real uses.
        LayeringRules.forSources(Path.of("src/main/java"))
                .forbid("import io." + "grpc", "gRPC enters through internal.grpc", "io/brook/client/internal/grpc/")
                .forbid("Thread." + "sleep", "nothing sleeps")
                .forbid("System." + "currentTimeMillis", CLOCK)
                .forbid("System::" + "currentTimeMillis", CLOCK)
                .forbid("System." + "nanoTime", CLOCK)
                .forbid("System::" + "nanoTime", CLOCK)
                .forbid("Instant." + "now", CLOCK)
                .forbid("Instant::" + "now", CLOCK)
                .forbid("io.brook." + "broker.", NO_SERVER)
                .forbid("io.brook." + "storage.", NO_SERVER)
                .forbid("io.brook." + "metadata.", NO_SERVER)
                .forbid("io.brook." + "replication.", NO_SERVER)
                .check();
    }
}
