package io.brook.cli;

import io.brook.broker.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process {@link LocalCluster} for one test class of the client commands, registered as a
 * static {@code @RegisterExtension} field: started before the class's tests in a temporary
 * directory, with test timings (heartbeats every 200 ms, a 3 s session; groups: 5 offsets partitions,
 * 200 ms heartbeats) under the overrides, and
 * halted and deleted after them. {@link #client} runs `brook` against it.
 */
final class CliCluster implements BeforeAllCallback, AfterAllCallback {
    private final int nodes;
    private final Map<String, String> config = new HashMap<>(Map.of("broker.heartbeat.interval.ms", "200",
            "broker.session.timeout.ms", "3000", "offsets.topic.num.partitions", "5",
            "group.consumer.heartbeat.interval.ms", "200", "group.consumer.min.session.timeout.ms", "500"));
    private Path dir;
    private LocalCluster cluster;

    CliCluster(int nodes, Map<String, String> overrides) {
        this.nodes = nodes;
        this.config.putAll(overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("brook-cli-test");
        cluster = LocalCluster.start(dir, nodes, config);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    LocalCluster nodes() {
        return cluster;
    }

    /** A directory for the test's own files, deleted with the cluster's. */
    Path dir() {
        return dir;
    }

    /** `brook` with the arguments and the first running broker as the bootstrap server. */
    CliTestSupport.Outcome client(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-server");
        all.add(cluster.brokerAddress(cluster.anyRunning()));
        return CliTestSupport.run(all.toArray(String[]::new));
    }
}
