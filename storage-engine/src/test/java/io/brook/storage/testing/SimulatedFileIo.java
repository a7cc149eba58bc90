package io.brook.storage.testing;

import io.brook.storage.FileIo;
import io.brook.storage.MappedRegion;
import io.brook.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory {@link FileIo} that models what a disk does on power loss, for the storage
 * engine's crash tests and for the simulations of later modules (shipped in the test-jar).
 * Nothing here touches the real disk: paths are plain names. Use {@link #root()} (a directory
 * that exists durably from the start) or any other absolute path.
 *
 * <p>Thread-safety: every operation runs under one lock, so the engine may read from several
 * threads while one writes; stores through a {@link MappedRegion#buffer()} are, as with a real
 * mapping, plain memory writes outside the lock.
 *
 * <p>Durability model (POSIX-like, deliberately simple):
 * <ul>
 *   <li><b>Files are inodes</b> with a <i>current</i> content (what every reader sees at once,
 *       like the page cache) and a <i>durable</i> content. Positional writes, truncation, growth
 *       by {@link #map} and stores through a mapped buffer change only the current content.
 *       {@link StorageFile#force()} and {@link MappedRegion#force()} copy the whole current
 *       content, length included, to the durable content.</li>
 *   <li><b>Directories are explicit</b>: {@link #createDirectories} makes them, and opening a
 *       file in a missing directory fails as on a real disk. Each directory has current and
 *       durable entries (name to inode). Creating, deleting and renaming change the current
 *       entries; {@link #syncDirectory} copies them to the durable entries. A directory made by
 *       {@code createDirectories} is itself an entry of its parent, so it survives a crash only
 *       once its parent was synced. A move between two directories becomes durable in each
 *       directory when that directory is synced: a crash between the two syncs can leave the
 *       file under both names (sharing one inode, like a hard link) or under neither.</li>
 *   <li><b>{@link #crash(CrashMode)}</b> is power loss: every directory reachable from a root
 *       through durable entries gets its durable entries back (so unsynced creations vanish,
 *       unsynced renames and deletions are undone) and every reachable file gets its durable
 *       content back, plus, in {@link CrashMode#TORN_TAIL} and {@link CrashMode#GARBAGE_TAIL},
 *       a random-length prefix of the bytes that were written past its durable length. Unflushed
 *       overwrites and truncations inside the durable length always revert. What is left is the
 *       new durable state. Random choices come from the seeded {@link Random} given to the
 *       constructor, so a run is reproducible from its seed.</li>
 *   <li><b>Handles die in a crash</b>: every {@link StorageFile} and {@link MappedRegion}
 *       obtained before it throws {@link IOException} afterwards, except
 *       {@link MappedRegion#buffer()}, which throws {@link IllegalStateException}; a buffer the
 *       engine already holds is detached: it keeps working on a dead copy of the bytes, and
 *       nothing stored through it reaches the file system any more.</li>
 *   <li><b>As on POSIX</b>, a deleted or renamed file stays usable through handles already open
 *       on it, and {@link #atomicMove} replaces its target in one step.</li>
 * </ul>
 *
 * <p>Fault injection: {@link #failWritesAfter} (disk full, with a partial write at the limit),
 * {@link #failForces}, {@link #failAllOperations}, {@link #scheduleCrash} (power loss just
 * before the n-th next mutating call, to enumerate every crash point of a procedure), and
 * {@link #clearFaults}. Faults survive a crash (a full disk is still full after a reboot).
 *
 * <p>Limits: a file holds at most {@code Integer.MAX_VALUE - 8} bytes. Stores through a mapped
 * buffer cannot be counted or refused (no disk-full for them). Growing a mapped file by writes
 * past the memory already reserved for it is unsupported: the simulator then moves the file's
 * bytes, the earlier mappings are detached (their {@link MappedRegion#force()} throws
 * {@link IllegalStateException}), and the engine must map again. Truncating a file below a
 * mapped length is harmless here: stores beyond the end are simply invisible (a real mapping
 * would crash the JVM with SIGBUS).
 */
public final class SimulatedFileIo implements FileIo {

    /** What survives of the bytes that were written but never forced. */
    public enum CrashMode {
        /** Exactly the durable state: every unforced byte is lost. */
        DROP_UNFLUSHED,
        /**
         * For each file, the durable content plus a random-length prefix (possibly empty, possibly
         * all) of the bytes written past the durable length: an append-only file after a partial
         * writeback.
         */
        TORN_TAIL,
        /**
         * Like {@link #TORN_TAIL}, and a random number (possibly zero) of the kept unforced bytes
         * are also changed to other values: blocks whose length reached the disk but whose data
         * did not.
         */
        GARBAGE_TAIL
    }

    private static final int MAXIMUM_FILE_SIZE = Integer.MAX_VALUE - 8;
    private static final int NOTHING_DIRTY = Integer.MAX_VALUE;
    private static final long NO_CRASH_SCHEDULED = -1;
    private static final byte[] EMPTY = new byte[0];

    private final Object lock = new Object();
    private final Random random;
    /** One root directory per file-system root seen (just "/" on Unix); roots always exist. */
    private final Map<Path, DirectoryNode> roots = new LinkedHashMap<>();
    private final Path root;

    /** Bumped by every crash; handles remember the generation they were obtained in. */
    private volatile long generation;

    // Everything below is guarded by lock.
    private long writeBudget = Long.MAX_VALUE;
    private boolean forcesFail;
    private boolean allOperationsFail;
    private long operationsUntilScheduledCrash = NO_CRASH_SCHEDULED;
    private CrashMode scheduledCrashMode;
    private long bytesWritten;
    private int forceCount;
    private int directorySyncCount;
    private long mutationCount;

    /** A file system whose crash randomness comes from {@code new Random(seed)}. */
    public SimulatedFileIo(long seed) {
        this(new Random(seed));
    }

    /**
     * A file system drawing its crash randomness from {@code random}, so that a simulation can
     * share one seeded source of randomness between the file system and everything else.
     */
    public SimulatedFileIo(Random random) {
        this.random = Objects.requireNonNull(random, "random");
        this.root = FileSystems.getDefault().getRootDirectories().iterator().next().resolve("sim");
        DirectoryNode simulationRoot = new DirectoryNode();
        DirectoryNode top = rootDirectory(root);
        top.entries.put("sim", simulationRoot);
        top.durableEntries.put("sim", simulationRoot);
    }

    // ------------------------------------------------------------------------------------------
    // Test controls

    /** A directory that exists durably from the start: a convenient base for test paths. */
    public Path root() {
        return root;
    }

    /**
     * Simulates power loss with {@code mode} (see the class comment). Every handle and mapping
     * obtained before it becomes dead. Cancels a {@linkplain #scheduleCrash scheduled crash};
     * leaves the other faults in place.
     */
    public void crash(CrashMode mode) {
        Objects.requireNonNull(mode, "mode");
        synchronized (lock) {
            crashNow(mode);
        }
    }

    /**
     * Disk full: once {@code bytes} more bytes have been written (through {@link StorageFile#write}
     * or by {@link #map} growing a file), every write throws
     * {@code IOException("No space left on device")}. A write that crosses the limit writes the
     * bytes that fit (advancing its source buffer by that many), then throws. {@code map} either
     * grows the file completely or throws without growing it.
     */
    public void failWritesAfter(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        synchronized (lock) {
            writeBudget = bytes;
        }
    }

    /**
     * While {@code fail}, {@link StorageFile#force()}, {@link MappedRegion#force()} and
     * {@link #syncDirectory} throw {@link IOException} and make nothing durable. (Kinder than
     * Linux, where a failed fsync may drop the dirty pages: a later successful force here still
     * saves them. The engine should treat a failed force as fatal either way.)
     */
    public void failForces(boolean fail) {
        synchronized (lock) {
            forcesFail = fail;
        }
    }

    /**
     * While {@code fail}, every operation of the file system and of its handles throws
     * {@link IOException} (an I/O error), except {@link StorageFile#close()}, which always
     * succeeds, and {@link #exists} and {@link #isDirectory}, which return {@code false} as
     * {@link java.nio.file.Files#exists} does when it cannot tell.
     */
    public void failAllOperations(boolean fail) {
        synchronized (lock) {
            allOperationsFail = fail;
        }
    }

    /**
     * After {@code mutationsToAllow} more mutating calls have run, the next one crashes the file
     * system with {@code mode} (as {@link #crash}) and throws {@link IOException} instead of
     * running. Mutating calls are: {@link #open} with {@code create}, {@link #map},
     * {@link #createDirectories}, {@link #deleteIfExists}, {@link #atomicMove},
     * {@link #syncDirectory}, {@link StorageFile#write}, {@link StorageFile#truncate},
     * {@link StorageFile#force} and {@link MappedRegion#force}, whether or not they succeed.
     * Running a procedure once and reading {@link #mutationCount()} tells how many crash points
     * it has.
     */
    public void scheduleCrash(long mutationsToAllow, CrashMode mode) {
        if (mutationsToAllow < 0) {
            throw new IllegalArgumentException("mutationsToAllow must not be negative: " + mutationsToAllow);
        }
        Objects.requireNonNull(mode, "mode");
        synchronized (lock) {
            operationsUntilScheduledCrash = mutationsToAllow;
            scheduledCrashMode = mode;
        }
    }

    /** Removes every injected fault, including a scheduled crash. */
    public void clearFaults() {
        synchronized (lock) {
            writeBudget = Long.MAX_VALUE;
            forcesFail = false;
            allOperationsFail = false;
            operationsUntilScheduledCrash = NO_CRASH_SCHEDULED;
            scheduledCrashMode = null;
        }
    }

    /** A copy of what readers of the file at {@code path} see now. */
    public byte[] currentContent(Path path) {
        synchronized (lock) {
            FileNode file = requireFile(find(normalized(path), false), path, "no file");
            return Arrays.copyOf(file.bytes, file.length);
        }
    }

    /**
     * A copy of what a {@link CrashMode#DROP_UNFLUSHED} crash now would leave at {@code path}:
     * the durable content of the file reached through durable directory entries.
     *
     * @throws IllegalArgumentException when no file would be there ({@link #existsDurably})
     */
    public byte[] durableContent(Path path) {
        synchronized (lock) {
            FileNode file = requireFile(find(normalized(path), true), path, "no durable file");
            return Arrays.copyOf(file.durableBytes, file.durableLength);
        }
    }

    /** Whether a file or directory would be at {@code path} after any crash now. */
    public boolean existsDurably(Path path) {
        synchronized (lock) {
            return find(normalized(path), true) != null;
        }
    }

    /**
     * Sets the byte at {@code position} of the file at {@code path} to {@code value}, as bit rot
     * would: in the current content, and in the durable content too when the position lies
     * within the durable length.
     */
    public void corrupt(Path path, long position, byte value) {
        synchronized (lock) {
            FileNode file = requireFile(find(normalized(path), false), path, "no file");
            if (position < 0 || position >= file.length) {
                throw new IllegalArgumentException("position " + position + " is outside " + path
                        + " (" + file.length + " bytes)");
            }
            file.bytes[(int) position] = value;
            if (position < file.durableLength) {
                file.durableBytes[(int) position] = value;
            }
        }
    }

    /** Bytes written so far through {@link StorageFile#write} and by {@link #map} growing files. */
    public long bytesWritten() {
        synchronized (lock) {
            return bytesWritten;
        }
    }

    /** Successful {@link StorageFile#force()} and {@link MappedRegion#force()} calls so far. */
    public int forceCount() {
        synchronized (lock) {
            return forceCount;
        }
    }

    /** Successful {@link #syncDirectory} calls so far. */
    public int directorySyncCount() {
        synchronized (lock) {
            return directorySyncCount;
        }
    }

    /** Mutating calls so far (see {@link #scheduleCrash} for which calls count). */
    public long mutationCount() {
        synchronized (lock) {
            return mutationCount;
        }
    }

    // ------------------------------------------------------------------------------------------
    // FileIo

    @Override
    public StorageFile open(Path path, boolean create) throws IOException {
        Path name = normalized(path);
        synchronized (lock) {
            if (create) {
                beforeMutation();
            }
            failIfAllOperationsFail();
            return new SimulatedFile(name, fileAt(name, create));
        }
    }

    @Override
    public MappedRegion map(Path path, int length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        Path name = normalized(path);
        synchronized (lock) {
            beforeMutation();
            failIfAllOperationsFail();
            FileNode file = fileAt(name, true);
            if (file.length < length) {
                int growth = length - file.length;
                if (growth > writeBudget) {
                    throw noSpaceLeft();
                }
                growTo(file, length);
                countWritten(growth);
            }
            // After any growth, so that the region shares the array the file uses from now on.
            file.mappedLength = Math.max(file.mappedLength, length);
            return new SimulatedRegion(name, file, file.bytes, length);
        }
    }

    @Override
    public boolean exists(Path path) {
        Path name = normalized(path);
        synchronized (lock) {
            return !allOperationsFail && find(name, false) != null;
        }
    }

    /** The length of a file; 0 for a directory. */
    @Override
    public long size(Path path) throws IOException {
        Path name = normalized(path);
        synchronized (lock) {
            failIfAllOperationsFail();
            Node node = find(name, false);
            if (node == null) {
                throw new NoSuchFileException(path.toString());
            }
            return node instanceof FileNode file ? file.length : 0;
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Path name = normalized(dir);
        synchronized (lock) {
            beforeMutation();
            failIfAllOperationsFail();
            DirectoryNode directory = rootDirectory(name);
            int depth = 0;
            for (Path component : name) {
                depth++;
                Node child = directory.entries.get(component.toString());
                if (child == null) {
                    child = new DirectoryNode();
                    directory.entries.put(component.toString(), child);
                } else if (child instanceof FileNode) {
                    if (depth == name.getNameCount()) {
                        throw new FileAlreadyExistsException(dir.toString());
                    }
                    throw new FileSystemException(dir.toString(), null, "Not a directory");
                }
                directory = (DirectoryNode) child;
            }
        }
    }

    /** The entries directly inside {@code dir}, sorted by name (so runs are reproducible). */
    @Override
    public List<Path> list(Path dir) throws IOException {
        Path name = normalized(dir);
        synchronized (lock) {
            failIfAllOperationsFail();
            DirectoryNode directory = directoryAt(name, dir);
            List<Path> children = new ArrayList<>(directory.entries.size());
            for (String child : directory.entries.keySet()) {
                children.add(dir.resolve(child));
            }
            return children;
        }
    }

    @Override
    public boolean isDirectory(Path path) {
        Path name = normalized(path);
        synchronized (lock) {
            return !allOperationsFail && find(name, false) instanceof DirectoryNode;
        }
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
        Path name = normalized(path);
        synchronized (lock) {
            beforeMutation();
            failIfAllOperationsFail();
            if (name.getParent() == null) {
                throw new FileSystemException(path.toString(), null, "cannot delete a root directory");
            }
            if (!(find(name.getParent(), false) instanceof DirectoryNode parent)) {
                return;
            }
            String entry = name.getFileName().toString();
            Node node = parent.entries.get(entry);
            if (node instanceof DirectoryNode directory && !directory.entries.isEmpty()) {
                throw new DirectoryNotEmptyException(path.toString());
            }
            parent.entries.remove(entry);
        }
    }

    @Override
    public void atomicMove(Path source, Path target) throws IOException {
        Path from = normalized(source);
        Path to = normalized(target);
        synchronized (lock) {
            beforeMutation();
            failIfAllOperationsFail();
            if (from.getParent() == null || to.getParent() == null) {
                throw new FileSystemException(source.toString(), target.toString(),
                        "cannot move a root directory");
            }
            DirectoryNode sourceParent = parentDirectory(from, source);
            String sourceName = from.getFileName().toString();
            Node moving = sourceParent.entries.get(sourceName);
            if (moving == null) {
                throw new NoSuchFileException(source.toString());
            }
            DirectoryNode targetParent = parentDirectory(to, target);
            String targetName = to.getFileName().toString();
            Node replaced = targetParent.entries.get(targetName);
            if (replaced == moving) {
                return; // the same path, or two names of one inode: rename(2) does nothing
            }
            if (moving instanceof DirectoryNode && to.startsWith(from)) {
                throw new FileSystemException(source.toString(), target.toString(),
                        "cannot move a directory into itself");
            }
            if (replaced instanceof DirectoryNode replacedDirectory) {
                if (moving instanceof FileNode) {
                    throw new FileSystemException(source.toString(), target.toString(), "Is a directory");
                }
                if (!replacedDirectory.entries.isEmpty()) {
                    throw new DirectoryNotEmptyException(target.toString());
                }
            } else if (replaced != null && moving instanceof DirectoryNode) {
                throw new FileSystemException(source.toString(), target.toString(), "Not a directory");
            }
            sourceParent.entries.remove(sourceName);
            targetParent.entries.put(targetName, moving);
        }
    }

    /**
     * Makes the current entries of {@code dir} durable. Stricter than the real one, which would
     * also accept a regular file: here that throws {@link NotDirectoryException}, since syncing a
     * file where a directory was meant is an engine bug.
     */
    @Override
    public void syncDirectory(Path dir) throws IOException {
        Path name = normalized(dir);
        synchronized (lock) {
            beforeMutation();
            failIfAllOperationsFail();
            DirectoryNode directory = directoryAt(name, dir);
            if (forcesFail) {
                throw new IOException("simulated fsync failure on directory " + dir);
            }
            directory.durableEntries = new TreeMap<>(directory.entries);
            directorySyncCount++;
        }
    }

    @Override
    public String toString() {
        return "SimulatedFileIo";
    }

    // ------------------------------------------------------------------------------------------
    // Model

    private abstract static class Node {
    }

    private static final class DirectoryNode extends Node {
        /** Sorted, so that listings and crash randomness do not depend on hashing. */
        final TreeMap<String, Node> entries = new TreeMap<>();
        TreeMap<String, Node> durableEntries = new TreeMap<>();
    }

    private static final class FileNode extends Node {
        /** Current content is bytes[0, length); the array has spare capacity to grow into. */
        byte[] bytes = EMPTY;
        int length;
        /** Durable content is durableBytes[0, durableLength). */
        byte[] durableBytes = EMPTY;
        int durableLength;
        /**
         * The lowest position changed by a write or a growth since the last force, so that a
         * force copies only what may differ (group-commit simulations force very often).
         */
        int dirtyFrom = NOTHING_DIRTY;
        /**
         * Mapped buffers share bytes[0, mappedLength); stores through them are untracked, so a
         * force always copies that range too.
         */
        int mappedLength;
    }

    private static Path normalized(Path path) {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("SimulatedFileIo needs absolute paths, got " + path);
        }
        return path.normalize();
    }

    private DirectoryNode rootDirectory(Path path) {
        return roots.computeIfAbsent(path.getRoot(), unused -> new DirectoryNode());
    }

    /** The node at {@code path}, following current or durable entries; null when missing. */
    private Node find(Path path, boolean durable) {
        Node node = rootDirectory(path);
        for (Path component : path) {
            if (!(node instanceof DirectoryNode directory)) {
                return null;
            }
            node = (durable ? directory.durableEntries : directory.entries).get(component.toString());
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static FileNode requireFile(Node node, Path path, String problem) {
        if (node instanceof FileNode file) {
            return file;
        }
        throw new IllegalArgumentException(problem + " at " + path
                + (node instanceof DirectoryNode ? " (it is a directory)" : ""));
    }

    private DirectoryNode directoryAt(Path name, Path asGiven) throws IOException {
        Node node = find(name, false);
        if (node == null) {
            throw new NoSuchFileException(asGiven.toString());
        }
        if (!(node instanceof DirectoryNode directory)) {
            throw new NotDirectoryException(asGiven.toString());
        }
        return directory;
    }

    private DirectoryNode parentDirectory(Path name, Path asGiven) throws IOException {
        if (name.getParent() != null && find(name.getParent(), false) instanceof DirectoryNode parent) {
            return parent;
        }
        throw new NoSuchFileException(asGiven.toString(), null, "parent directory does not exist");
    }

    private FileNode fileAt(Path name, boolean create) throws IOException {
        if (name.getParent() == null) {
            throw new FileSystemException(name.toString(), null, "Is a directory");
        }
        DirectoryNode parent = parentDirectory(name, name);
        String entry = name.getFileName().toString();
        Node node = parent.entries.get(entry);
        if (node instanceof DirectoryNode) {
            throw new FileSystemException(name.toString(), null, "Is a directory");
        }
        if (node == null) {
            if (!create) {
                throw new NoSuchFileException(name.toString());
            }
            node = new FileNode();
            parent.entries.put(entry, node);
        }
        return (FileNode) node;
    }

    /** Counts a mutating call and runs a scheduled crash in its place when it is due. */
    private void beforeMutation() throws IOException {
        if (operationsUntilScheduledCrash == 0) {
            crashNow(scheduledCrashMode);
            throw new IOException("simulated power loss (scheduled crash)");
        }
        if (operationsUntilScheduledCrash > 0) {
            operationsUntilScheduledCrash--;
        }
        mutationCount++;
    }

    private void failIfAllOperationsFail() throws IOException {
        if (allOperationsFail) {
            throw new IOException("Input/output error (simulated)");
        }
    }

    private static IOException noSpaceLeft() {
        return new IOException("No space left on device");
    }

    private void countWritten(int bytes) {
        bytesWritten += bytes;
        if (writeBudget != Long.MAX_VALUE) {
            writeBudget -= bytes;
        }
    }

    /** Extends the current content with zeros to {@code newLength}. */
    private static void growTo(FileNode file, int newLength) {
        if (newLength <= file.length) {
            return;
        }
        if (newLength > file.bytes.length) {
            // Earlier mappings keep the old array: they are detached (see the class comment).
            file.bytes = Arrays.copyOf(file.bytes, grownCapacity(file.bytes.length, newLength));
            file.mappedLength = 0;
        }
        // The array beyond the length may hold bytes of a truncated past or stores through a
        // mapping beyond the end: a file always grows with zeros.
        Arrays.fill(file.bytes, file.length, newLength, (byte) 0);
        file.dirtyFrom = Math.min(file.dirtyFrom, file.length);
        file.length = newLength;
    }

    private static int grownCapacity(int capacity, int needed) {
        long doubled = Math.max(64L, 2L * capacity);
        return (int) Math.max(needed, Math.min(doubled, MAXIMUM_FILE_SIZE));
    }

    private void makeDurable(FileNode file) {
        int length = file.length;
        if (file.durableBytes.length < length) {
            file.durableBytes = Arrays.copyOf(file.durableBytes, grownCapacity(file.durableBytes.length, length));
        }
        System.arraycopy(file.bytes, 0, file.durableBytes, 0, Math.min(file.mappedLength, length));
        int from = Math.min(file.dirtyFrom, length);
        System.arraycopy(file.bytes, from, file.durableBytes, from, length - from);
        file.durableLength = length;
        file.dirtyFrom = NOTHING_DIRTY;
        forceCount++;
    }

    private void crashNow(CrashMode mode) {
        generation++;
        operationsUntilScheduledCrash = NO_CRASH_SCHEDULED;
        scheduledCrashMode = null;
        // An inode reachable under two names (an unsynced cross-directory move) is restored once.
        Set<Node> restored = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DirectoryNode top : roots.values()) {
            restoreDirectory(top, mode, restored);
        }
    }

    private void restoreDirectory(DirectoryNode directory, CrashMode mode, Set<Node> restored) {
        directory.entries.clear();
        directory.entries.putAll(directory.durableEntries);
        for (Node child : directory.entries.values()) {
            if (!restored.add(child)) {
                continue;
            }
            if (child instanceof DirectoryNode childDirectory) {
                restoreDirectory(childDirectory, mode, restored);
            } else {
                restoreFile((FileNode) child, mode);
            }
        }
    }

    private void restoreFile(FileNode file, CrashMode mode) {
        int durableLength = file.durableLength;
        int unflushedTail = Math.max(0, file.length - durableLength);
        int kept = mode == CrashMode.DROP_UNFLUSHED || unflushedTail == 0 ? 0 : random.nextInt(unflushedTail + 1);
        // A fresh array: buffers mapped before the crash keep the old one, a dead copy.
        byte[] survivor = new byte[durableLength + kept];
        System.arraycopy(file.durableBytes, 0, survivor, 0, durableLength);
        System.arraycopy(file.bytes, durableLength, survivor, durableLength, kept);
        if (mode == CrashMode.GARBAGE_TAIL && kept > 0) {
            int changes = random.nextInt(kept + 1);
            for (int i = 0; i < changes; i++) {
                int position = durableLength + random.nextInt(kept);
                survivor[position] ^= (byte) (1 + random.nextInt(255)); // never XOR 0: a real change
            }
        }
        file.bytes = survivor;
        file.length = survivor.length;
        file.durableBytes = survivor.clone();
        file.durableLength = survivor.length;
        file.dirtyFrom = NOTHING_DIRTY;
        file.mappedLength = 0;
    }

    // ------------------------------------------------------------------------------------------
    // Handles

    /** An open file; dies with a crash, as the process holding it would. */
    private final class SimulatedFile implements StorageFile {
        private final Path path;
        private final FileNode file;
        private final long openedInGeneration;
        private boolean closed; // guarded by lock

        SimulatedFile(Path path, FileNode file) {
            this.path = path;
            this.file = file;
            this.openedInGeneration = generation;
        }

        private void checkUsable() throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (openedInGeneration != generation) {
                throw new IOException(path + " was opened before a simulated crash");
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            if (position < 0) {
                throw new IllegalArgumentException("Negative position");
            }
            synchronized (lock) {
                checkUsable();
                failIfAllOperationsFail();
                if (!dst.hasRemaining()) {
                    return 0;
                }
                if (position >= file.length) {
                    return -1;
                }
                int count = (int) Math.min(dst.remaining(), file.length - position);
                dst.put(file.bytes, (int) position, count);
                return count;
            }
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (position < 0) {
                throw new IllegalArgumentException("Negative position");
            }
            synchronized (lock) {
                checkUsable();
                beforeMutation();
                failIfAllOperationsFail();
                int requested = src.remaining();
                if (requested == 0) {
                    return 0;
                }
                if (position + requested > MAXIMUM_FILE_SIZE) {
                    throw new IOException("File too large for the simulator: " + path);
                }
                int count = (int) Math.min(requested, writeBudget);
                if (count == 0) {
                    throw noSpaceLeft();
                }
                int at = (int) position;
                growTo(file, at + count);
                src.get(file.bytes, at, count);
                file.dirtyFrom = Math.min(file.dirtyFrom, at);
                countWritten(count);
                if (count < requested) {
                    throw noSpaceLeft();
                }
                return count;
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (lock) {
                checkUsable();
                failIfAllOperationsFail();
                return file.length;
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            if (size < 0) {
                throw new IllegalArgumentException("Negative size");
            }
            synchronized (lock) {
                checkUsable();
                beforeMutation();
                failIfAllOperationsFail();
                if (size < file.length) {
                    file.length = (int) size;
                }
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (lock) {
                checkUsable();
                beforeMutation();
                failIfAllOperationsFail();
                if (forcesFail) {
                    throw new IOException("simulated fsync failure on " + path);
                }
                makeDurable(file);
            }
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            if (position < 0 || count < 0) {
                throw new IllegalArgumentException("Negative position or count");
            }
            ByteBuffer chunk;
            synchronized (lock) {
                checkUsable();
                failIfAllOperationsFail();
                if (position >= file.length) {
                    return 0;
                }
                int length = (int) Math.min(count, file.length - position);
                chunk = ByteBuffer.wrap(Arrays.copyOfRange(file.bytes, (int) position, (int) position + length));
            }
            // Outside the lock: the target (a socket) may block, and must not block the disk.
            long sent = 0;
            while (chunk.hasRemaining()) {
                int written = target.write(chunk);
                if (written <= 0) {
                    break; // a non-blocking target that is full: report what went
                }
                sent += written;
            }
            return sent;
        }

        @Override
        public void close() {
            synchronized (lock) {
                closed = true;
            }
        }

        @Override
        public String toString() {
            return "SimulatedFile[" + path + "]";
        }
    }

    /** A mapping; its buffer shares the file's bytes until a crash (or growth) detaches it. */
    private final class SimulatedRegion implements MappedRegion {
        private final Path path;
        private final FileNode file;
        private final byte[] array;
        private final ByteBuffer buffer;
        private final long mappedInGeneration;

        SimulatedRegion(Path path, FileNode file, byte[] array, int length) {
            this.path = path;
            this.file = file;
            this.array = array;
            this.buffer = ByteBuffer.wrap(array, 0, length).slice();
            this.mappedInGeneration = generation;
        }

        /** @throws IllegalStateException after a crash (a buffer cannot throw IOException) */
        @Override
        public ByteBuffer buffer() {
            if (mappedInGeneration != generation) {
                throw new IllegalStateException(path + " was mapped before a simulated crash");
            }
            return buffer;
        }

        @Override
        public void force() throws IOException {
            synchronized (lock) {
                if (mappedInGeneration != generation) {
                    throw new IOException(path + " was mapped before a simulated crash");
                }
                beforeMutation();
                failIfAllOperationsFail();
                if (array != file.bytes) {
                    throw new IllegalStateException(path + " grew past its mapping after it was mapped,"
                            + " which SimulatedFileIo does not support: map it again");
                }
                if (forcesFail) {
                    throw new IOException("simulated msync failure on " + path);
                }
                makeDurable(file);
            }
        }

        @Override
        public String toString() {
            return "SimulatedRegion[" + path + ", " + buffer.capacity() + " bytes]";
        }
    }
}
