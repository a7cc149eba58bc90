package io.brook.broker;

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
 * The broker module's layering, checked by the build: gRPC enters only through
 * {@code internal.grpc} (the partition and replica logic is testable without a network), Ratis not
 * at all (the quorum is the metadata module's), nothing sleeps, and time comes from an injected
 * {@code Clock}.
 */
class LayeringTest {
    private record Rule(String forbidden, List<String> allowedDirs, String why) {}

    // Split so that repository-wide searches for these names find only real uses.
    private static final List<Rule> RULES = List.of(
            new Rule("import io." + "grpc", List.of("io/brook/broker/internal/grpc/"), "gRPC enters through internal.grpc"),
            new Rule("org.apache." + "ratis", List.of(), "Ratis is the metadata module's"),
            new Rule("Thread." + "sleep", List.of(), "nothing sleeps"),
            new Rule("System." + "currentTimeMillis", List.of(), "time comes from the injected Clock"),
            new Rule("System::" + "currentTimeMillis", List.of(), "time comes from the injected Clock"),
            new Rule("System." + "nanoTime", List.of(), "time comes from the injected Clock"),
            new Rule("Instant." + "now", List.of(), "time comes from the injected Clock"));

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
