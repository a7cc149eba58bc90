package io.brook.chaos.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short system commands ({@code ip}, {@code kill}) to their end and returns their output.
 * Stateless and thread-safe.
 */
final class Commands {
    /** What a finished command printed (stdout and stderr together) and its exit status. */
    record Result(int exitStatus, String output) {
        boolean ok() {
            return exitStatus == 0;
        }
    }

    private Commands() {}

    /** Runs {@code command}; throws with the command and its output when it exits non-zero. */
    static String run(String... command) {
        Result result = tryRun(command);
        if (!result.ok()) {
            throw new CommandFailedException(List.of(command), result);
        }
        return result.output();
    }

    /** Runs {@code command} (at most 30 s) and returns whatever happened; throws only when it cannot start. */
    static Result tryRun(String... command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes(); // ends when the command exits
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "(did not finish in 30 s) " + new String(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the output of " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** A command exited with a non-zero status. */
    static final class CommandFailedException extends RuntimeException {
        private final transient Result result;

        CommandFailedException(List<String> command, Result result) {
            super("`" + String.join(" ", command) + "` failed (exit status " + result.exitStatus() + "): "
                    + result.output());
            this.result = result;
        }

        Result result() {
            return result;
        }
    }
}
