package io.brook.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Every file-system operation the storage engine performs goes through this seam, so that tests
 * can swap the real file system ({@link #real()}) for one that loses unflushed writes on a
 * simulated power failure, tears the tail of a file, or fails with "no space left on device".
 *
 * <p>Durability contract (what the engine relies on, and what a fake must model):
 * <ul>
 *   <li>Bytes written through {@link StorageFile#write} or a {@link MappedRegion} survive a crash
 *       only after {@link StorageFile#force} / {@link MappedRegion#force} returned.</li>
 *   <li>Creating, renaming and deleting directory entries survives a crash only after
 *       {@link #syncDirectory} on the parent returned.</li>
 *   <li>{@link #atomicMove} is atomic: after a crash the target holds either the old or the new
 *       content, never a mix.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface FileIo {

    /** The real file system: {@link java.nio.channels.FileChannel} and memory-mapped files. */
    static FileIo real() {
        return io.brook.storage.internal.NioFileIo.INSTANCE;
    }

    /** Opens a file for positional reads and writes; creates it (empty) when {@code create}. */
    StorageFile open(Path path, boolean create) throws IOException;

    /**
     * Maps bytes [0, {@code length}) of a file read-write, creating the file and growing it with
     * zeros to {@code length} when it is shorter (preallocation). The mapping is released by the
     * garbage collector; never touch a region after the file was truncated below its length.
     */
    MappedRegion map(Path path, int length) throws IOException;

    boolean exists(Path path);

    /** The length of a file in bytes. */
    long size(Path path) throws IOException;

    void createDirectories(Path dir) throws IOException;

    /** The entries (files and directories) directly inside {@code dir}, in no particular order. */
    List<Path> list(Path dir) throws IOException;

    boolean isDirectory(Path path);

    void deleteIfExists(Path path) throws IOException;

    /** Atomically renames {@code source} to {@code target}, replacing {@code target} if present. */
    void atomicMove(Path source, Path target) throws IOException;

    /** Makes the creations, renames and deletions of entries in {@code dir} durable. */
    void syncDirectory(Path dir) throws IOException;

    /**
     * Replaces {@code target} with {@code content} so that after a crash it holds either the old
     * or the new content: write a temporary file, force it, rename it over the target, sync the
     * directory.
     */
    default void writeAtomically(Path target, byte[] content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (StorageFile file = open(temporary, true)) {
            file.truncate(0);
            file.writeFully(ByteBuffer.wrap(content), 0);
            file.force();
        }
        atomicMove(temporary, target);
        syncDirectory(target.getParent());
    }

    /** Reads a whole (small) file. */
    default byte[] readAll(Path path) throws IOException {
        try (StorageFile file = open(path, false)) {
            long size = file.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(path + " is too large to read at once: " + size + " bytes");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            file.readFully(buffer, 0);
            return buffer.array();
        }
    }

    /** Deletes {@code dir} and everything below it, if it exists. */
    default void deleteRecursively(Path dir) throws IOException {
        if (!exists(dir)) {
            return;
        }
        if (isDirectory(dir)) {
            for (Path child : list(dir)) {
                deleteRecursively(child);
            }
        }
        deleteIfExists(dir);
    }
}
