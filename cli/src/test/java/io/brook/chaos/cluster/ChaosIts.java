package io.brook.chaos.cluster;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/** What the chaos ITs of the cli module share: the node jar, the skip switch, a work directory. */
public final class ChaosIts {
    private ChaosIts() {}

    /** Skips the calling test (visibly) when {@code -Dchaos.skip=true} was given. */
    public static void assumeNotSkipped() {
        assumeFalse(Boolean.getBoolean("chaos.skip"), "chaos runs skipped (-Dchaos.skip=true)");
    }

    /** The shaded node jar this build made (the failsafe plugin sets {@code brook.jar}). */
    public static Path jar() {
        return Path.of(Objects.requireNonNull(System.getProperty("brook.jar"), "brook.jar (set by the failsafe plugin)"));
    }

    /** A new directory {@code target/<name>/<date-time>} for node data and logs, kept after the test. */
    public static Path workDir(String name) throws IOException {
        Path dir = Path.of("target", name, LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return Files.createDirectories(dir);
    }
}
