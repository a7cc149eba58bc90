package io.brook.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.records.RecordBatch;
import io.brook.api.v1.ErrorCode;
import io.brook.storage.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Examples of {@link ProducerStateManager}'s rules, one per test; {@code ProducerStatePropertyTest}
 * covers random producer histories.
 */
class ProducerStateManagerTest {
    private static final long PRODUCER = 4711;
    private static final long OTHER_PRODUCER = 4712;
    private static final short EPOCH = 3;

    private final FileIo io = FileIo.real();

    @TempDir
    Path partitionDirectory;

    private ProducerStateManager manager;
    /** The offset the next appended batch gets, as the log would assign it. */
    private long nextOffset;

    @BeforeEach
    void newManager() {
        manager = new ProducerStateManager(io, partitionDirectory);
        nextOffset = 0;
    }

    /** Appends a batch of {@code count} records as the leader would after an accepted check. */
    private BatchMetadata append(long producerId, short epoch, int firstSequence, int count) {
        int lastSequence = RecordBatch.incrementSequence(firstSequence, count - 1);
        long firstOffset = nextOffset;
        long lastOffset = nextOffset + count - 1;
        long maxTimestamp = 1_000 + lastOffset;
        manager.update(producerId, epoch, firstSequence, lastSequence, firstOffset, lastOffset, maxTimestamp);
        nextOffset = lastOffset + 1;
        manager.updateMapEndOffset(nextOffset);
        return new BatchMetadata(firstSequence, lastSequence, firstOffset, lastOffset, maxTimestamp);
    }

    private static SequenceCheck.Rejected assertRejected(SequenceCheck check, ErrorCode error) {
        SequenceCheck.Rejected rejected = assertInstanceOf(SequenceCheck.Rejected.class, check);
        assertEquals(error, rejected.error(), rejected.message());
        return rejected;
    }

    private static void assertMentions(String message, Object... parts) {
        for (Object part : parts) {
            assertTrue(message.contains(String.valueOf(part)), "'" + part + "' missing from: " + message);
        }
    }

    @Nested
    class Check {
        @Test
        void an_unknown_producer_is_accepted_at_any_sequence() {
            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, EPOCH, 0, 4));
            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, EPOCH, 42, 50));
            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, EPOCH, Integer.MAX_VALUE, 3));
        }

        @Test
        void the_next_sequence_in_the_same_epoch_is_accepted() {
            append(PRODUCER, EPOCH, 0, 5);

            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, EPOCH, 5, 9));
        }

        @Test
        void an_older_epoch_is_rejected_as_fenced() {
            append(PRODUCER, EPOCH, 0, 5);

            SequenceCheck.Rejected rejected = assertRejected(manager.check(PRODUCER, (short) 2, 5, 9),
                    ErrorCode.INVALID_PRODUCER_EPOCH);

            assertMentions(rejected.message(), "Producer " + PRODUCER, "epoch 2", "current epoch 3", "5..9");
        }

        @Test
        void a_newer_epoch_starting_at_sequence_zero_is_accepted() {
            append(PRODUCER, EPOCH, 0, 5);

            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, (short) 4, 0, 2));
        }

        @Test
        void a_newer_epoch_not_starting_at_sequence_zero_is_out_of_order() {
            append(PRODUCER, EPOCH, 0, 5);

            SequenceCheck.Rejected rejected =
                    assertRejected(manager.check(PRODUCER, (short) 4, 5, 9), ErrorCode.OUT_OF_ORDER_SEQUENCE);

            assertMentions(rejected.message(), "Producer " + PRODUCER, "new epoch 4",
                    "must start at sequence 0", "5..9", "previous epoch 3");
        }

        @Test
        void a_retry_of_any_of_the_last_five_batches_is_a_duplicate_with_the_original_offsets() {
            List<BatchMetadata> batches = List.of(append(PRODUCER, EPOCH, 0, 2),
                    append(PRODUCER, EPOCH, 2, 3), append(PRODUCER, EPOCH, 5, 1),
                    append(PRODUCER, EPOCH, 6, 4), append(PRODUCER, EPOCH, 10, 2));

            for (BatchMetadata batch : batches) {
                SequenceCheck expected = new SequenceCheck.Duplicate(batch.firstOffset(), batch.lastOffset(),
                        batch.maxTimestamp());
                assertEquals(expected, manager.check(PRODUCER, EPOCH, batch.firstSequence(),
                        batch.lastSequence()), batch.toString());
            }
        }

        @Test
        void a_retry_of_a_batch_older_than_the_last_five_is_out_of_order_as_in_kafka() {
            append(PRODUCER, EPOCH, 0, 1);
            for (int sequence = 1; sequence <= ProducerStateManager.MAX_CACHED_BATCHES; sequence++) {
                append(PRODUCER, EPOCH, sequence, 1);
            }

            assertRejected(manager.check(PRODUCER, EPOCH, 0, 0), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertEquals(SequenceCheck.Duplicate.class, manager.check(PRODUCER, EPOCH, 1, 1).getClass());
        }

        @Test
        void a_gap_is_out_of_order_and_the_message_says_what_was_expected() {
            append(PRODUCER, EPOCH, 0, 5);

            SequenceCheck.Rejected rejected =
                    assertRejected(manager.check(PRODUCER, EPOCH, 7, 9), ErrorCode.OUT_OF_ORDER_SEQUENCE);

            assertMentions(rejected.message(), "Producer " + PRODUCER, "epoch 3", "expected first sequence 5",
                    "after last sequence 4", "got sequences 7..9");
        }

        @Test
        void a_batch_overlapping_a_cached_one_without_matching_it_is_out_of_order() {
            append(PRODUCER, EPOCH, 0, 5);

            assertRejected(manager.check(PRODUCER, EPOCH, 0, 2), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertRejected(manager.check(PRODUCER, EPOCH, 3, 6), ErrorCode.OUT_OF_ORDER_SEQUENCE);
        }

        @Test
        void the_sequence_after_the_largest_one_wraps_to_zero() {
            append(PRODUCER, EPOCH, Integer.MAX_VALUE - 1, 2);

            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, EPOCH, 0, 3));
            assertRejected(manager.check(PRODUCER, EPOCH, Integer.MAX_VALUE, 3),
                    ErrorCode.OUT_OF_ORDER_SEQUENCE);
        }

        @Test
        void a_batch_spanning_the_wraparound_is_recognized_as_a_duplicate() {
            BatchMetadata spanning = append(PRODUCER, EPOCH, Integer.MAX_VALUE - 1, 4);
            assertEquals(1, spanning.lastSequence());

            assertEquals(SequenceCheck.Duplicate.class,
                    manager.check(PRODUCER, EPOCH, Integer.MAX_VALUE - 1, 1).getClass());
            assertEquals(SequenceCheck.ACCEPTED, manager.check(PRODUCER, EPOCH, 2, 2));
        }

        @Test
        void producers_are_independent() {
            append(PRODUCER, EPOCH, 0, 5);

            assertEquals(SequenceCheck.ACCEPTED, manager.check(OTHER_PRODUCER, (short) 0, 77, 80));
        }

        @Test
        void checking_changes_no_state() {
            append(PRODUCER, EPOCH, 0, 5);
            Map<Long, ProducerStateEntry> before = manager.activeProducers();

            manager.check(PRODUCER, EPOCH, 5, 9);
            manager.check(PRODUCER, (short) 4, 0, 0);
            manager.check(OTHER_PRODUCER, EPOCH, 0, 0);

            assertEquals(before, manager.activeProducers());
        }

        @Test
        void a_batch_without_producer_id_or_sequence_is_a_caller_bug() {
            assertThrows(IllegalArgumentException.class, () -> manager.check(-1, EPOCH, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> manager.check(PRODUCER, (short) -1, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> manager.check(PRODUCER, EPOCH, -1, 0));
        }
    }

    @Nested
    class Update {
        @Test
        void only_the_last_five_batches_are_cached() {
            for (int sequence = 0; sequence < 7; sequence++) {
                append(PRODUCER, EPOCH, sequence, 1);
            }

            List<BatchMetadata> batches = manager.activeProducers().get(PRODUCER).batches();
            assertEquals(ProducerStateManager.MAX_CACHED_BATCHES, batches.size());
            assertEquals(2, batches.get(0).firstSequence());
            assertEquals(6, batches.get(4).firstSequence());
        }

        @Test
        void a_new_epoch_drops_the_batches_of_the_old_one() {
            append(PRODUCER, EPOCH, 0, 5);
            BatchMetadata first = append(PRODUCER, (short) 4, 0, 2);

            assertEquals(new ProducerStateEntry(PRODUCER, (short) 4, List.of(first)),
                    manager.activeProducers().get(PRODUCER));
            assertRejected(manager.check(PRODUCER, EPOCH, 0, 4), ErrorCode.INVALID_PRODUCER_EPOCH);
            // The old epoch's batch 0..4 is no longer a duplicate under the new epoch.
            assertRejected(manager.check(PRODUCER, (short) 4, 0, 4), ErrorCode.OUT_OF_ORDER_SEQUENCE);
        }

        @Test
        void the_log_is_the_truth_so_update_checks_no_sequence() {
            append(PRODUCER, EPOCH, 0, 5);

            append(PRODUCER, EPOCH, 100, 1);

            assertEquals(100, manager.activeProducers().get(PRODUCER).lastSequence());
        }

        @Test
        void offsets_going_backwards_are_refused_because_the_log_was_truncated_without_reload() {
            append(PRODUCER, EPOCH, 0, 5);

            IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                    () -> manager.update(PRODUCER, EPOCH, 5, 5, 4, 4, 0));
            assertMentions(failure.getMessage(), "producer " + PRODUCER, "truncateAndReload");
        }

        @Test
        void active_producers_is_an_immutable_copy() {
            append(PRODUCER, EPOCH, 0, 5);
            Map<Long, ProducerStateEntry> before = manager.activeProducers();

            append(OTHER_PRODUCER, EPOCH, 0, 1);

            assertEquals(1, before.size());
            assertThrows(UnsupportedOperationException.class, () -> before.remove(PRODUCER));
        }
    }

    @Nested
    class Snapshots {
        private Path snapshotFile(long offset) {
            return partitionDirectory.resolve(ProducerStateSnapshotFile.fileName(offset));
        }

        /** Appends a few batches of two producers and snapshots at the resulting offset. */
        private long appendAndSnapshot() throws IOException {
            append(PRODUCER, EPOCH, (int) nextOffset, 2);
            append(OTHER_PRODUCER, (short) 0, (int) nextOffset, 3);
            manager.takeSnapshot();
            return nextOffset;
        }

        private ProducerStateManager reopen() {
            return new ProducerStateManager(io, partitionDirectory);
        }

        @Test
        void a_snapshot_is_named_for_the_map_end_offset_with_twenty_digits() throws IOException {
            append(PRODUCER, EPOCH, 0, 42);

            manager.takeSnapshot();

            assertEquals(List.of(partitionDirectory.resolve("00000000000000000042.snapshot")),
                    io.list(partitionDirectory));
            assertEquals(List.of(42L), manager.snapshotOffsets());
            assertEquals(OptionalLong.of(42), manager.latestSnapshotOffset());
        }

        @Test
        void the_state_survives_a_snapshot_and_reopen() throws IOException {
            for (int sequence = 0; sequence < 7; sequence++) {
                append(PRODUCER, EPOCH, sequence, 1);
            }
            append(OTHER_PRODUCER, (short) 0, Integer.MAX_VALUE, 3);
            manager.takeSnapshot();

            ProducerStateManager reopened = reopen();
            long replayFrom = reopened.truncateAndReload(0, nextOffset);

            assertEquals(nextOffset, replayFrom);
            assertEquals(nextOffset, reopened.mapEndOffset());
            assertEquals(manager.activeProducers(), reopened.activeProducers());
        }

        @Test
        void reload_picks_the_latest_snapshot_not_above_the_log_end_and_deletes_the_ones_above()
                throws IOException {
            long first = appendAndSnapshot();
            long second = appendAndSnapshot();
            Map<Long, ProducerStateEntry> atSecond = manager.activeProducers();
            long third = appendAndSnapshot();

            long replayFrom = manager.truncateAndReload(0, third - 1);

            assertEquals(second, replayFrom);
            assertEquals(second, manager.mapEndOffset());
            assertEquals(atSecond, manager.activeProducers());
            assertEquals(List.of(first, second), manager.snapshotOffsets());
        }

        @Test
        void replaying_the_log_after_the_snapshot_rebuilds_the_state() throws IOException {
            appendAndSnapshot();
            append(PRODUCER, EPOCH, (int) nextOffset, 4);
            append(OTHER_PRODUCER, (short) 1, 0, 1);
            Map<Long, ProducerStateEntry> expected = manager.activeProducers();
            long logEndOffset = nextOffset;

            manager = reopen();
            long replayFrom = manager.truncateAndReload(0, logEndOffset);
            // The log's batches from the snapshot on, as recovery would read them.
            nextOffset = replayFrom;
            append(PRODUCER, EPOCH, (int) nextOffset, 4);
            append(OTHER_PRODUCER, (short) 1, 0, 1);

            assertEquals(logEndOffset, manager.mapEndOffset());
            assertEquals(expected, manager.activeProducers());
        }

        @Test
        void without_a_snapshot_the_log_is_replayed_from_its_start() throws IOException {
            append(PRODUCER, EPOCH, 0, 5);

            long replayFrom = manager.truncateAndReload(3, 5);

            assertEquals(3, replayFrom);
            assertEquals(3, manager.mapEndOffset());
            assertEquals(Map.of(), manager.activeProducers());
        }

        @Test
        void reload_drops_producers_whose_batches_are_all_below_the_log_start() throws IOException {
            append(PRODUCER, EPOCH, 0, 5);
            append(OTHER_PRODUCER, EPOCH, 0, 5);
            ProducerStateEntry other = manager.activeProducers().get(OTHER_PRODUCER);
            manager.takeSnapshot();

            long replayFrom = manager.truncateAndReload(5, 10);

            assertEquals(10, replayFrom);
            assertEquals(Map.of(OTHER_PRODUCER, other), manager.activeProducers());
        }

        @Test
        void reload_deletes_snapshots_below_the_log_start_because_the_log_cannot_be_replayed_after_them()
                throws IOException {
            long first = appendAndSnapshot();
            long second = appendAndSnapshot();

            long replayFrom = manager.truncateAndReload(first + 1, second + 10);

            assertEquals(second, replayFrom);
            assertEquals(List.of(second), manager.snapshotOffsets());
        }

        @Test
        void a_corrupt_snapshot_is_deleted_and_the_next_older_one_loaded() throws IOException {
            long first = appendAndSnapshot();
            Map<Long, ProducerStateEntry> atFirst = manager.activeProducers();
            long second = appendAndSnapshot();
            flipLastByte(snapshotFile(second));

            ProducerStateManager reopened = reopen();
            long replayFrom = reopened.truncateAndReload(0, second);

            assertEquals(first, replayFrom);
            assertEquals(atFirst, reopened.activeProducers());
            assertEquals(List.of(first), reopened.snapshotOffsets());
        }

        @Test
        void a_torn_snapshot_is_deleted_and_with_no_older_one_the_log_is_replayed_from_its_start()
                throws IOException {
            long offset = appendAndSnapshot();
            try (var file = io.open(snapshotFile(offset), false)) {
                file.truncate(10);
            }

            long replayFrom = reopen().truncateAndReload(0, offset);

            assertEquals(0, replayFrom);
            assertEquals(List.of(), manager.snapshotOffsets());
        }

        @Test
        void a_snapshot_of_another_version_is_treated_as_corrupt() throws IOException {
            long offset = appendAndSnapshot();
            try (var file = io.open(snapshotFile(offset), false)) {
                file.writeFully(ByteBuffer.allocate(2).putShort(0, (short) 2), 0);
            }

            ProducerStateSnapshotFile.CorruptSnapshotException failure =
                    assertThrows(ProducerStateSnapshotFile.CorruptSnapshotException.class,
                            () -> ProducerStateSnapshotFile.read(io, snapshotFile(offset), offset));
            assertMentions(failure.getMessage(), snapshotFile(offset), "unsupported version 2");
        }

        @Test
        void a_snapshot_whose_content_disagrees_with_its_name_is_treated_as_corrupt() throws IOException {
            long offset = appendAndSnapshot();
            io.atomicMove(snapshotFile(offset), snapshotFile(offset + 1));

            assertEquals(0, reopen().truncateAndReload(0, offset + 1));
            assertFalse(io.exists(snapshotFile(offset + 1)));
        }

        @Test
        void reload_removes_temporary_files_left_by_an_interrupted_snapshot_and_keeps_other_files()
                throws IOException {
            Path temporary = partitionDirectory.resolve(ProducerStateSnapshotFile.fileName(7) + ".tmp");
            Path segment = partitionDirectory.resolve("00000000000000000000.log");
            io.writeAtomically(temporary, new byte[] {1, 2, 3});
            io.writeAtomically(segment, new byte[] {1, 2, 3});

            reopen().truncateAndReload(0, 10);

            assertEquals(List.of(segment), io.list(partitionDirectory));
        }

        @Test
        void a_second_snapshot_at_the_same_offset_replaces_the_first() throws IOException {
            append(PRODUCER, EPOCH, 0, 5);
            manager.takeSnapshot();

            manager.takeSnapshot();

            assertEquals(List.of(snapshotFile(5)), io.list(partitionDirectory));
            ProducerStateManager reopened = reopen();
            assertEquals(5, reopened.truncateAndReload(0, 5));
            assertEquals(manager.activeProducers(), reopened.activeProducers());
        }

        @Test
        void delete_snapshots_before_keeps_the_offset_itself_and_later_ones() throws IOException {
            long first = appendAndSnapshot();
            long second = appendAndSnapshot();
            long third = appendAndSnapshot();

            manager.deleteSnapshotsBefore(second);

            assertEquals(List.of(second, third), manager.snapshotOffsets());
            assertFalse(io.exists(snapshotFile(first)));
            assertEquals(OptionalLong.of(third), manager.latestSnapshotOffset());
        }

        @Test
        void a_partition_directory_that_does_not_exist_yet_has_no_snapshots() throws IOException {
            ProducerStateManager fresh = new ProducerStateManager(io, partitionDirectory.resolve("not-yet"));

            assertEquals(List.of(), fresh.snapshotOffsets());
            assertEquals(OptionalLong.empty(), fresh.latestSnapshotOffset());
            assertEquals(4, fresh.truncateAndReload(4, 9));
        }

        private void flipLastByte(Path file) throws IOException {
            try (var storageFile = io.open(file, false)) {
                long position = storageFile.size() - 1;
                ByteBuffer oneByte = ByteBuffer.allocate(1);
                storageFile.readFully(oneByte, position);
                oneByte.put(0, (byte) (oneByte.get(0) ^ 0x5a));
                oneByte.rewind();
                storageFile.writeFully(oneByte, position);
            }
        }
    }
}
