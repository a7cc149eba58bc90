package io.brook.storage.internal;

import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A small file that holds one offset (recovery point, log start offset, cleaner checkpoint):
 * a version line {@code 0} and the offset, in text so an operator can read it. Written with
 * {@link FileIo#writeAtomically}, so a crash leaves the old or the new value.
 *
 * <p>Stateless; thread-safe as long as one thread writes a given file.
 */
public final class OffsetCheckpointFile {
    private static final String VERSION = "0";

    private OffsetCheckpointFile() {
    }

    /**
     * The stored offset; empty when the file is missing or unreadable. Every caller treats
     * "empty" conservatively (scan more, clean less), so a damaged checkpoint costs time, not data.
     */
    public static OptionalLong read(FileIo io, Path file) throws IOException {
        if (!io.exists(file)) {
            return OptionalLong.empty();
        }
        String[] lines = new String(io.readAll(file), StandardCharsets.UTF_8).split("\n");
        if (lines.length < 2 || !lines[0].trim().equals(VERSION)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(lines[1].trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    public static void write(FileIo io, Path file, long offset) throws IOException {
        io.writeAtomically(file, (VERSION + "\n" + offset + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
