package io.brook.chaos.history.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Files of one JSON object per line (UTF-8), as the history and the fault windows are written. */
public final class JsonLines {
    private JsonLines() {}

    /** Writes each item as {@code encode} renders it, one per line. */
    public static <T> void write(Path file, List<T> items, Function<T, String> encode) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (T item : items) {
                out.write(encode.apply(item));
                out.write('\n');
            }
        }
    }

    /**
     * Reads every non-blank line with {@code decode}.
     *
     * @throws IllegalArgumentException naming the file and line of the first one {@code decode} refuses
     */
    public static <T> List<T> read(Path file, Function<String, T> decode) throws IOException {
        List<T> read = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                read.add(decode.apply(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": " + e.getMessage(), e);
            }
        }
        return read;
    }
}
