package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.CompressionType;
import io.brook.api.records.Header;
import io.brook.api.records.RecordBatch;
import io.brook.api.records.RecordBatchBuilder;
import io.brook.api.records.testing.Batches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worked example in {@code storage-engine/FORMAT.md} is what the builder really writes. */
class FormatDocumentationTest {
    private static final String MARKER = "<!-- example-batch-hex";

    @Test
    void formatDocumentsTheWorkedExampleByteForByte() throws IOException {
        // Surefire runs with the module directory as the working directory.
        List<String> lines = Files.readAllLines(Path.of("FORMAT.md"), StandardCharsets.UTF_8);
        StringBuilder documented = new StringBuilder();
        int line = 0;
        while (!lines.get(line).startsWith(MARKER)) {
            line++;
        }
        line += 2; // the marker, then the opening fence
        for (; !lines.get(line).startsWith("```"); line++) {
            String dumpLine = lines.get(line).trim();
            documented.append(dumpLine.substring(dumpLine.indexOf(' ')).replace(" ", ""));
        }

        assertEquals(Batches.hex(workedExample()), documented.toString());
    }

    @Test
    void workedExampleIsAValidBatchWithTheDocumentedContents() {
        RecordBatch batch = RecordBatch.wrap(workedExample());

        batch.ensureValid();
        batch.ensureRecordsValid();
        assertEquals(88, batch.sizeInBytes());
        assertEquals(101, batch.lastOffset());
        assertEquals(8, batch.lastSequence());
        assertTrue(Files.exists(Path.of("FORMAT.md")));
    }

    static ByteBuffer workedExample() {
        return new RecordBatchBuilder(CompressionType.NONE).baseOffset(100).partitionLeaderEpoch(3)
                .producer(42L, (short) 1, 7)
                .append(1_700_000_000_000L, bytes("k1"), bytes("hello"), List.of(Header.of("h", bytes("x"))))
                .append(1_700_000_000_005L, null, bytes("hi"))
                .build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
