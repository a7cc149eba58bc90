package io.brook.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's layering, checked by the build: Ratis enters only through
 * {@code internal.ratis} and gRPC only through {@code internal.grpc}, so the images, the
 * controller logic and the seams can be tested and reused without a Raft server or a network;
 * and the deterministic core (images, deltas, controller logic) reads time only from the injected
 * clock and never sleeps.
 */
class LayeringTest {
    private record Rule(String forbidden, List<String> allowedDirs, String why) {}

    private static final List<String> EVERYWHERE_BUT_NOTHING = List.of();
    // Split so that repository-wide searches for these names find only real uses.
    private static final List<Rule> RULES = List.of(
            new Rule("org.apache." + "ratis", List.of("io/brook/metadata/internal/ratis/"), "Ratis enters through internal.ratis"),
            new Rule("import io." + "grpc", List.of("io/brook/metadata/internal/grpc/"), "gRPC enters through internal.grpc"),
            new Rule("Thread." + "sleep", EVERYWHERE_BUT_NOTHING, "nothing sleeps"),
            new Rule("System." + "currentTimeMillis", List.of("io/brook/metadata/internal/ratis/", "io/brook/metadata/internal/grpc/"),
                    "the core reads time from the injected Clock"),
            new Rule("System." + "nanoTime", List.of("io/brook/metadata/internal/ratis/", "io/brook/metadata/internal/grpc/"),
                    "the core reads time from the injected Clock"),
            new Rule("Instant." + "now", List.of("io/brook/metadata/internal/ratis/", "io/brook/metadata/internal/grpc/"),
                    "the core reads time from the injected Clock"));

    @Test
    void mainCodeKeepsTheLayeringRules() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(main)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String relative = main.relativize(source).toString().replace('\\', '/');
                List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                        continue;
                    }
                    for (Rule rule : RULES) {
                        boolean allowed = rule.allowedDirs().stream().anyMatch(relative::startsWith);
                        if (!allowed && line.contains(rule.forbidden())) {
                            violations.add(relative + ":" + (i + 1) + " uses " + rule.forbidden() + " (" + rule.why() + ")");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
