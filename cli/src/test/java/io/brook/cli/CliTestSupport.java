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

    /** One run's exit status and what it printed. */
    record Outcome(int exit, String out, String err) {}

    /** Runs `brook` with output of its own (not added to {@link #out} and {@link #err}). */
    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Brook.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    Path config(String text) throws IOException {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, text);
        return file;
    }
}
