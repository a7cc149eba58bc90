package io.brook.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.storage.EpochEndOffset;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Examples of {@link LeaderEpochCache}'s rules, one per test; {@code LeaderEpochCachePropertyTest}
 * covers random histories.
 */
class LeaderEpochCacheTest {
    private final FileIo io = FileIo.real();

    @TempDir
    Path directory;

    private Path checkpoint;
    private LeaderEpochCache cache;

    @BeforeEach
    void openEmptyCache() throws IOException {
        checkpoint = directory.resolve("leader-epoch-checkpoint");
        cache = LeaderEpochCache.load(io, checkpoint);
    }

    private static List<EpochEntry> entries(long... epochAndOffsetPairs) {
        EpochEntry[] entries = new EpochEntry[epochAndOffsetPairs.length / 2];
        for (int index = 0; index < entries.length; index++) {
            entries[index] = new EpochEntry((int) epochAndOffsetPairs[2 * index],
                    epochAndOffsetPairs[2 * index + 1]);
        }
        return List.of(entries);
    }

    private String checkpointText() throws IOException {
        return new String(io.readAll(checkpoint), StandardCharsets.UTF_8);
    }

    @Nested
    class Assign {
        @Test
        void a_missing_checkpoint_file_is_an_empty_history() {
            assertEquals(List.of(), cache.entries());
            assertEquals(OptionalInt.empty(), cache.latestEpoch());
            assertEquals(OptionalInt.empty(), cache.earliestEpoch());
        }

        @Test
        void a_higher_epoch_is_appended_and_checkpointed() throws IOException {
            cache.assign(1, 10);
            cache.assign(3, 20);

            assertEquals(entries(1, 10, 3, 20), cache.entries());
            assertEquals(OptionalInt.of(3), cache.latestEpoch());
            assertEquals(OptionalInt.of(1), cache.earliestEpoch());
            assertEquals("0\n2\n1 10\n3 20\n", checkpointText());
        }

        @Test
        void the_latest_epoch_again_changes_nothing_whatever_the_offset() throws IOException {
            cache.assign(2, 10);

            cache.assign(2, 15);
            cache.assign(2, 5);

            assertEquals(entries(2, 10), cache.entries());
        }

        @Test
        void an_epoch_below_the_latest_is_ignored() throws IOException {
            cache.assign(2, 10);
            cache.assign(4, 20);

            cache.assign(3, 30);
            cache.assign(1, 5);

            assertEquals(entries(2, 10, 4, 20), cache.entries());
            assertEquals("0\n2\n2 10\n4 20\n", checkpointText());
        }

        @Test
        void a_higher_epoch_at_a_lower_offset_removes_the_entries_starting_at_or_after_it()
                throws IOException {
            cache.assign(1, 10);
            cache.assign(2, 20);
            cache.assign(3, 30);

            cache.assign(5, 20);

            assertEquals(entries(1, 10, 5, 20), cache.entries());
        }

        @Test
        void a_higher_epoch_at_the_same_offset_replaces_an_epoch_that_wrote_nothing() throws IOException {
            cache.assign(1, 10);
            cache.assign(2, 10);

            assertEquals(entries(2, 10), cache.entries());
        }

        @Test
        void negative_epochs_and_offsets_are_refused() {
            assertThrows(IllegalArgumentException.class, () -> cache.assign(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> cache.assign(0, -1));
        }

        @Test
        void entries_is_an_immutable_copy() throws IOException {
            cache.assign(1, 10);
            List<EpochEntry> before = cache.entries();

            cache.assign(2, 20);

            assertEquals(entries(1, 10), before);
            assertThrows(UnsupportedOperationException.class, () -> before.add(new EpochEntry(9, 99)));
        }
    }

    @Nested
    class EndOffsetFor {
        @BeforeEach
        void history() throws IOException {
            cache.assign(1, 10);
            cache.assign(3, 20);
            cache.assign(6, 35);
        }

        /** The table in {@link LeaderEpochCache#endOffsetFor}'s Javadoc, with a log end offset of 50. */
        @ParameterizedTest(name = "requested epoch {0} -> ({1}, {2})")
        @CsvSource({
            "-1, -1, -1",  // undefined epoch
            " 0,  0, 10",  // below the earliest epoch: the requested epoch, ended where the history starts
            " 1,  1, 20",
            " 2,  1, 20",  // between epochs: the epoch before it, ended where the next one started
            " 3,  3, 35",
            " 4,  3, 35",
            " 5,  3, 35",
            " 6,  6, 50",  // the latest epoch: still being written, ends at the log end offset
            " 7, -1, -1",  // above the latest epoch
            "99, -1, -1",
        })
        void answers_as_the_table_says(int requested, int expectedEpoch, long expectedEndOffset) {
            assertEquals(new EpochEndOffset(expectedEpoch, expectedEndOffset),
                    cache.endOffsetFor(requested, 50));
        }

        @Test
        void an_empty_history_answers_undefined_to_every_epoch() throws IOException {
            cache.clear();

            for (int requested = -1; requested < 10; requested++) {
                assertTrue(cache.endOffsetFor(requested, 50).isUndefined(), "epoch " + requested);
            }
        }
    }

    @Nested
    class Truncation {
        @BeforeEach
        void history() throws IOException {
            cache.assign(1, 10);
            cache.assign(3, 20);
            cache.assign(6, 35);
        }

        @Test
        void truncating_from_the_end_drops_the_entries_starting_at_or_after_the_new_end() throws IOException {
            cache.truncateFromEnd(35);

            assertEquals(entries(1, 10, 3, 20), cache.entries());
            assertEquals("0\n2\n1 10\n3 20\n", checkpointText());
        }

        @Test
        void truncating_from_the_end_inside_the_latest_epoch_keeps_it() throws IOException {
            cache.truncateFromEnd(36);

            assertEquals(entries(1, 10, 3, 20, 6, 35), cache.entries());
        }

        @Test
        void truncating_from_the_end_below_every_entry_empties_the_history() throws IOException {
            cache.truncateFromEnd(10);

            assertEquals(List.of(), cache.entries());
            assertEquals("0\n0\n", checkpointText());
        }

        @Test
        void truncating_from_the_start_keeps_the_epoch_holding_the_new_start_with_its_offset_moved_up()
                throws IOException {
            cache.truncateFromStart(25);

            assertEquals(entries(3, 25, 6, 35), cache.entries());
            assertEquals("0\n2\n3 25\n6 35\n", checkpointText());
        }

        @Test
        void truncating_from_the_start_exactly_at_an_entry_keeps_that_entry_as_it_is() throws IOException {
            cache.truncateFromStart(20);

            assertEquals(entries(3, 20, 6, 35), cache.entries());
        }

        @Test
        void truncating_from_the_start_below_every_entry_changes_nothing() throws IOException {
            cache.truncateFromStart(5);

            assertEquals(entries(1, 10, 3, 20, 6, 35), cache.entries());
        }

        @Test
        void truncating_from_the_start_past_every_entry_keeps_the_latest_epoch_from_the_new_start()
                throws IOException {
            cache.truncateFromStart(100);

            assertEquals(entries(6, 100), cache.entries());
        }

        @Test
        void clear_empties_memory_and_checkpoint() throws IOException {
            cache.clear();

            assertEquals(List.of(), cache.entries());
            assertEquals(List.of(), LeaderEpochCache.load(io, checkpoint).entries());
        }
    }

    @Nested
    class Checkpoint {
        @Test
        void the_history_survives_a_reload() throws IOException {
            cache.assign(1, 10);
            cache.assign(3, 20);
            cache.assign(6, 35);
            cache.truncateFromStart(12);
            cache.truncateFromEnd(30);

            LeaderEpochCache reloaded = LeaderEpochCache.load(io, checkpoint);

            assertEquals(entries(1, 12, 3, 20), reloaded.entries());
            assertEquals(cache.entries(), reloaded.entries());
        }

        @Test
        void no_temporary_file_is_left_behind() throws IOException {
            cache.assign(1, 10);

            assertEquals(List.of(checkpoint), io.list(directory));
        }

        @Test
        void a_file_without_the_final_newline_still_loads() throws IOException {
            io.writeAtomically(checkpoint, "0\n1\n4 40".getBytes(StandardCharsets.UTF_8));

            assertEquals(entries(4, 40), LeaderEpochCache.load(io, checkpoint).entries());
        }

        @ParameterizedTest(name = "[{index}] {0} -> line {1}")
        @CsvSource(delimiter = '|', value = {
            "''                          | 1 | expected format version 0",
            "1\\n0\\n                    | 1 | expected format version 0",
            "0\\n                        | 2 | number of entries is missing",
            "0\\ntwo\\n                  | 2 | expected the number of entries",
            "0\\n-1\\n                   | 2 | negative number of entries",
            "0\\n2\\n1 10\\n             | 4 | announces 2 entries but the file has 1",
            "0\\n1\\n1 10\\n2 20\\n      | 4 | announces 1 entries but the file has 2",
            "0\\n1\\n1\\n                | 3 | expected 'epoch startOffset'",
            "0\\n1\\n1 ten\\n            | 3 | expected 'epoch startOffset'",
            "0\\n1\\n-1 10\\n            | 3 | leader epoch must be >= 0",
            "0\\n2\\n1 10\\n1 20\\n      | 4 | epochs and start offsets must both increase",
            "0\\n2\\n1 10\\n2 10\\n      | 4 | epochs and start offsets must both increase",
            "0\\n2\\n2 10\\n1 20\\n      | 4 | epochs and start offsets must both increase",
        })
        void a_malformed_file_fails_with_the_file_and_line(String content, int line, String reason)
                throws IOException {
            String text = content.strip().replace("\\n", "\n");
            io.writeAtomically(checkpoint, text.getBytes(StandardCharsets.UTF_8));

            IOException failure =
                    assertThrows(IOException.class, () -> LeaderEpochCache.load(io, checkpoint));

            assertTrue(failure.getMessage().contains(checkpoint.toString()), failure.getMessage());
            assertTrue(failure.getMessage().contains("line " + line + ":"), failure.getMessage());
            assertTrue(failure.getMessage().contains(reason), failure.getMessage());
        }

        @Test
        void a_failed_checkpoint_write_leaves_the_history_unchanged() throws IOException {
            cache.assign(1, 10);
            // A directory where the temporary file must go makes the write fail.
            io.createDirectories(checkpoint.resolveSibling(checkpoint.getFileName() + ".tmp"));

            assertThrows(IOException.class, () -> cache.assign(2, 20));

            assertEquals(entries(1, 10), cache.entries());
            assertTrue(cache.endOffsetFor(2, 50).isUndefined());
            assertEquals("0\n1\n1 10\n", checkpointText());
        }
    }
}
