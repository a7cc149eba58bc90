package io.brook.client;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of the test classes that share one real 3-node cluster for all their tests (each test
 * uses topics of its own): started before the class, stopped after it.
 */
abstract class ThreeNodeClusterTest {
    @TempDir
    static Path dir;
    static ClusterFixture cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = ClusterFixture.start(dir, 3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** A client configuration for the cluster (short retry backoff) with {@code overrides}. */
    static Map<String, Object> config(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", cluster.bootstrap());
        config.put("retry.backoff.ms", 20);
        config.putAll(overrides);
        return config;
    }
}
