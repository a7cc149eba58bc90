package io.brook.common.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeringRulesTest {
    // Split so that repository-wide searches for these names find only real uses.
    private static final String SLEEP = "Thread." + "sleep";
    private static final String NANO_TIME = "System." + "nanoTime";
    private static final String IMPORT_GRPC = "import io." + "grpc";

    @TempDir
    Path root;

    private void write(String relative, String... lines) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
    }

    @Test
    void reportsForbiddenTextWithPathLineAndReasonOutsideTheAllowedDirectories() throws IOException {
        write("a/internal/grpc/Transport.java", "package a.internal.grpc;", IMPORT_GRPC + ".Status;");
        write("a/Client.java", "package a;", "", IMPORT_GRPC + ".Status;", "class Client { void f() { " + SLEEP + "(1); } }");

        List<String> violations = LayeringRules.forSources(root)
                .forbid(IMPORT_GRPC, "gRPC enters through internal.grpc", "a/internal/grpc/")
                .forbid(SLEEP, "nothing sleeps")
                .violations();

        assertEquals(List.of(
                "a/Client.java:3 uses " + IMPORT_GRPC + " (gRPC enters through internal.grpc)",
                "a/Client.java:4 uses " + SLEEP + " (nothing sleeps)"), violations);
    }

    @Test
    void passesOverCommentLines() throws IOException {
        write("a/A.java", "/** Never calls " + SLEEP + ". */", "/*", " * " + SLEEP, " */", "// " + SLEEP, "class A {}");

        assertDoesNotThrow(LayeringRules.forSources(root).forbid(SLEEP, "nothing sleeps")::check);
    }

    @Test
    void aWholeWordRuleIgnoresLongerNamesThatEndWithTheWord() throws IOException {
        write("a/A.java", "class A { long f() { return SimulatedFiles.size(p) + Files.size(p); } }");
        write("a/io/NioFileIo.java", "class NioFileIo { long f() { return Files.size(p); } }");

        List<String> violations = LayeringRules.forSources(root)
                .forbidWord("Files.", "use FileIo", "a/io/NioFileIo.java")
                .violations();

        assertEquals(List.of("a/A.java:1 uses Files. (use FileIo)"), violations);
    }

    @Test
    void anImportAllowListReportsEveryOtherImportStaticOnesToo() throws IOException {
        write("a/A.java", "package a;", "import java.util.List;", "import a.b.C;", "import static org.x.Y.z;",
                "import a.v1.ErrorCode;", "import a.v1.Other;");

        List<String> violations = LayeringRules.forSources(root)
                .allowOnlyImports("JDK and a.b only", "java.", "a.b.", "a.v1.ErrorCode;")
                .violations();

        assertEquals(List.of(
                "a/A.java:4 imports org.x.Y.z; (JDK and a.b only)",
                "a/A.java:6 imports a.v1.Other; (JDK and a.b only)"), violations);
    }

    @Test
    void checkFailsListingEveryViolation() throws IOException {
        write("a/A.java", "class A { long t = " + NANO_TIME + "(); }");

        AssertionError failure = assertThrows(AssertionError.class,
                LayeringRules.forSources(root).forbid(NANO_TIME, "time from the Clock")::check);

        assertTrue(failure.getMessage().contains("a/A.java:1 uses " + NANO_TIME + " (time from the Clock)"),
                failure.getMessage());
    }

    @Test
    void aRootWithoutSourcesFailsRatherThanPassingOnNothing() throws IOException {
        write("a/README.txt", SLEEP);

        AssertionError failure = assertThrows(AssertionError.class,
                LayeringRules.forSources(root).forbid(SLEEP, "nothing sleeps")::check);

        assertTrue(failure.getMessage().contains("no Java sources"), failure.getMessage());
    }
}
