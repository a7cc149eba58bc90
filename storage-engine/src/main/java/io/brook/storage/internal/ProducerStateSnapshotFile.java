package io.brook.storage.internal;

import io.brook.storage.FileIo;
import io.brook.storage.StorageFile;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The on-disk form of a {@link ProducerStateManager} snapshot: the state of every producer as of
 * a log offset, so that reopening a partition replays only the log after that offset. One file
 * per snapshot, named {@code <offset, 20 digits zero-padded>.snapshot} so names sort by offset.
 *
 * <p>Layout, big-endian:
 * <pre>
 * offset size field
 *      0    2 version (int16) = 1
 *      2    4 CRC-32C (uint32) of every byte after this field, to the end of the file
 *      6    8 snapshot offset (int64): the state reflects the log below it; equals the file name
 *     14    4 producer count (int32)
 *     18      producers, in ascending producer id, each:
 *               producer id (int64), producer epoch (int16), batch count (int32, 1..5),
 *               then the cached batches, oldest first, 32 bytes each:
 *               first sequence (int32), last sequence (int32), first offset (int64),
 *               last offset (int64), max timestamp (int64)
 * </pre>
 * A file that is too short, has another version, fails its CRC, disagrees with its name or does
 * not parse to exactly its length is corrupt ({@link CorruptSnapshotException}). A newer
 * version is treated as corrupt too: snapshots are a cache of what the log holds, so an older
 * broker drops them and replays the log instead.
 *
 * <p>Stateless; thread-safe as long as one thread writes a given file.
 */
public final class ProducerStateSnapshotFile {
    public static final short VERSION = 1;
    public static final String SUFFIX = ".snapshot";

    private static final int VERSION_SIZE = 2;
    private static final int CRC_SIZE = 4;
    private static final int HEADER_SIZE = VERSION_SIZE + CRC_SIZE + 8 + 4;
    private static final int PRODUCER_HEADER_SIZE = 8 + 2 + 4;
    private static final int BATCH_SIZE = 4 + 4 + 8 + 8 + 8;
    private static final Pattern NAME = Pattern.compile("(\\d{20})" + Pattern.quote(SUFFIX));

    private ProducerStateSnapshotFile() {
    }

    /** A snapshot file failed its integrity checks; the caller may delete it and use an older one. */
    public static final class CorruptSnapshotException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptSnapshotException(Path file, String reason) {
            super("Corrupt producer state snapshot " + file + ": " + reason);
        }
    }

    /** The file name of the snapshot at {@code offset}. */
    public static String fileName(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("snapshot offset must be >= 0, got " + offset);
        }
        return String.format("%020d%s", offset, SUFFIX);
    }

    /** The offset a snapshot file name stands for; empty when {@code file} is not a snapshot. */
    public static OptionalLong offsetOf(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return OptionalLong.empty();
        }
        Matcher matcher = NAME.matcher(name.toString());
        if (!matcher.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(matcher.group(1)));
        } catch (NumberFormatException e) {
            // Twenty digits can exceed Long.MAX_VALUE; no snapshot of Brook's has such a name.
            return OptionalLong.empty();
        }
    }

    /**
     * Writes the snapshot atomically and durably: after a crash the file is absent or complete,
     * and once this returns it survives a crash.
     */
    public static void write(FileIo io, Path file, long offset, Collection<ProducerStateEntry> producers)
            throws IOException {
        io.writeAtomically(file, encode(offset, producers));
    }

    /**
     * Writes the snapshot with a rename but no fsync: the running broker sees it whole at once,
     * and after a power loss it may be missing or fail its CRC, which readers already handle by
     * using an older snapshot and replaying more of the log. An fsync here would wait (on ext4
     * with data=ordered) for the writeback of every dirty page of the file system.
     */
    public static void writeWithoutSync(FileIo io, Path file, long offset, Collection<ProducerStateEntry> producers)
            throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (StorageFile handle = io.open(temporary, true)) {
            handle.truncate(0);
            handle.writeFully(ByteBuffer.wrap(encode(offset, producers)), 0);
        }
        io.atomicMove(temporary, file);
    }

    private static byte[] encode(long offset, Collection<ProducerStateEntry> producers) {
        List<ProducerStateEntry> sorted = new ArrayList<>(producers);
        sorted.sort(Comparator.comparingLong(ProducerStateEntry::producerId));
        int size = HEADER_SIZE;
        for (ProducerStateEntry producer : sorted) {
            size += PRODUCER_HEADER_SIZE + producer.batches().size() * BATCH_SIZE;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putShort(VERSION);
        buffer.putInt(0); // the CRC, filled in below once the payload is in place
        buffer.putLong(offset);
        buffer.putInt(sorted.size());
        for (ProducerStateEntry producer : sorted) {
            buffer.putLong(producer.producerId());
            buffer.putShort(producer.producerEpoch());
            buffer.putInt(producer.batches().size());
            for (BatchMetadata batch : producer.batches()) {
                buffer.putInt(batch.firstSequence());
                buffer.putInt(batch.lastSequence());
                buffer.putLong(batch.firstOffset());
                buffer.putLong(batch.lastOffset());
                buffer.putLong(batch.maxTimestamp());
            }
        }
        byte[] content = buffer.array();
        buffer.putInt(VERSION_SIZE, (int) crcOfPayload(content));
        return content;
    }

    /**
     * Reads and verifies the snapshot in {@code file}, which must be named for
     * {@code expectedOffset}. Integrity failures throw {@link CorruptSnapshotException}; other
     * {@link IOException}s are failures to read, not evidence against the file.
     */
    public static List<ProducerStateEntry> read(FileIo io, Path file, long expectedOffset)
            throws IOException {
        byte[] content = io.readAll(file);
        if (content.length < HEADER_SIZE) {
            throw new CorruptSnapshotException(file, content.length + " bytes, shorter than the "
                    + HEADER_SIZE + "-byte header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(content);
        short version = buffer.getShort();
        if (version != VERSION) {
            throw new CorruptSnapshotException(file, "unsupported version " + version + ", expected "
                    + VERSION);
        }
        long storedCrc = Integer.toUnsignedLong(buffer.getInt());
        long computedCrc = crcOfPayload(content);
        if (storedCrc != computedCrc) {
            throw new CorruptSnapshotException(file, "CRC-32C mismatch: stored " + Long.toHexString(storedCrc)
                    + ", computed " + Long.toHexString(computedCrc));
        }
        try {
            long offset = buffer.getLong();
            if (offset != expectedOffset) {
                throw new CorruptSnapshotException(file, "holds offset " + offset + " but is named for "
                        + expectedOffset);
            }
            int producerCount = buffer.getInt();
            // Every producer takes at least one header and one batch: bound the count by the size
            // before allocating for it.
            int smallestProducerSize = PRODUCER_HEADER_SIZE + BATCH_SIZE;
            if (producerCount < 0 || producerCount > buffer.remaining() / smallestProducerSize) {
                throw new CorruptSnapshotException(file, "impossible producer count " + producerCount
                        + " for " + content.length + " bytes");
            }
            List<ProducerStateEntry> producers = new ArrayList<>(producerCount);
            Set<Long> producerIds = new HashSet<>();
            for (int producerIndex = 0; producerIndex < producerCount; producerIndex++) {
                long producerId = buffer.getLong();
                short producerEpoch = buffer.getShort();
                int batchCount = buffer.getInt();
                if (batchCount < 1 || batchCount > ProducerStateManager.MAX_CACHED_BATCHES) {
                    throw new CorruptSnapshotException(file, "producer " + producerId + " has " + batchCount
                            + " batches, expected 1.." + ProducerStateManager.MAX_CACHED_BATCHES);
                }
                List<BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int batchIndex = 0; batchIndex < batchCount; batchIndex++) {
                    batches.add(new BatchMetadata(buffer.getInt(), buffer.getInt(), buffer.getLong(),
                            buffer.getLong(), buffer.getLong()));
                }
                if (!producerIds.add(producerId)) {
                    throw new CorruptSnapshotException(file, "producer " + producerId + " appears twice");
                }
                producers.add(new ProducerStateEntry(producerId, producerEpoch, batches));
            }
            if (buffer.hasRemaining()) {
                throw new CorruptSnapshotException(file, buffer.remaining()
                        + " bytes after the last producer");
            }
            return producers;
        } catch (BufferUnderflowException e) {
            throw new CorruptSnapshotException(file, "ends in the middle of a producer entry");
        } catch (IllegalArgumentException e) {
            // The value types' own invariants (negative ids, offsets out of order, ...).
            throw new CorruptSnapshotException(file, e.getMessage());
        }
    }

    private static long crcOfPayload(byte[] content) {
        CRC32C crc = new CRC32C();
        crc.update(content, VERSION_SIZE + CRC_SIZE, content.length - VERSION_SIZE - CRC_SIZE);
        return crc.getValue();
    }
}
