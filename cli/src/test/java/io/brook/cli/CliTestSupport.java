package io.brook.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Runs `brook` in this JVM with captured output, and writes configuration files. */
abstract class CliTestSupport {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int brook(String... args) {
        return Brook.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    Path config(String text) throws IOException {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, text);
        return file;
    }
}
