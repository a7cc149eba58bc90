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
 * gRPC stays in one package: only {@code io.brook.metadata.internal.grpc} may import it, so the
 * feed, the images and the public follower API carry no transport types.
 */
class GrpcLayeringTest {
    private static final String GRPC_PACKAGE_DIR = "io/brook/metadata/internal/grpc/";

    @Test
    void onlyTheGrpcPackageImportsGrpc() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(main)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String relative = main.relativize(source).toString().replace('\\', '/');
                if (relative.startsWith(GRPC_PACKAGE_DIR)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).startsWith("import io." + "grpc") || lines.get(i).startsWith("import static io." + "grpc")) {
                        violations.add(relative + ":" + (i + 1));
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
