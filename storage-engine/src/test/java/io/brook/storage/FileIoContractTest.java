package io.brook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.brook.storage.testing.SimulatedFileIo;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour the storage engine expects of any {@link FileIo} in the normal case (no crash,
 * no fault), run against the real file system and against {@link SimulatedFileIo}: a fake that
 * passes these behaves like the real thing, so crash tests on the fake say something about the
 * engine on a real disk.
 *
 * <p>Each nested class runs the whole contract on one implementation; JUnit runs them serially.
 */
class FileIoContractTest {

    @Nested
    class OnTheRealFileSystem extends Contract {
        @TempDir
        Path temporaryDirectory;

        @Override
        FileIo createFileIo() {
            return FileIo.real();
        }

        @Override
        Path emptyDirectory() {
            return temporaryDirectory;
        }
    }

    @Nested
    class OnSimulatedFileIo extends Contract {
        private final SimulatedFileIo simulated = new SimulatedFileIo(20240601L);

        @Override
        FileIo createFileIo() {
            return simulated;
        }

        @Override
        Path emptyDirectory() {
            return simulated.root();
        }
    }

    /** The contract itself; subclasses say which file system and which directory to use. */
    abstract static class Contract {
        FileIo io;
        Path directory;

        abstract FileIo createFileIo();

        /** An existing, empty directory on that file system. */
        abstract Path emptyDirectory();

        @BeforeEach
        void setUp() {
            io = createFileIo();
            directory = emptyDirectory();
        }

        @Test
        void openWithCreateMakesAnEmptyFileThatOpenWithoutCreateThenFinds() throws IOException {
            Path path = directory.resolve("segment.log");
            try (StorageFile file = io.open(path, true)) {
                assertEquals(0, file.size());
            }
            assertTrue(io.exists(path));
            assertFalse(io.isDirectory(path));
            try (StorageFile file = io.open(path, false)) {
                assertEquals(0, file.size());
            }
        }

        @Test
        void openWithoutCreateFailsWithNoSuchFileForAMissingFile() {
            assertThrows(NoSuchFileException.class, () -> io.open(directory.resolve("missing"), false));
            assertFalse(io.exists(directory.resolve("missing")));
        }

        @Test
        void openFailsWithNoSuchFileInAMissingDirectory() {
            assertThrows(NoSuchFileException.class,
                    () -> io.open(directory.resolve("no-such-directory").resolve("file"), true));
        }

        @Test
        void openFailsOnADirectory() throws IOException {
            Path subdirectory = directory.resolve("partition-0");
            io.createDirectories(subdirectory);
            assertThrows(IOException.class, () -> io.open(subdirectory, true));
        }

        @Test
        void positionalReadsAndWritesShareNoFilePointer() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                file.writeFully(ByteBuffer.wrap(bytes("hello")), 0);
                file.writeFully(ByteBuffer.wrap(bytes(" world")), 5);
                assertEquals("world", read(file, 6, 5));
                assertEquals("hello", read(file, 0, 5));
                file.writeFully(ByteBuffer.wrap(bytes("J")), 0);
                assertEquals("Jello world", read(file, 0, 11));
                assertEquals(11, file.size());
            }
        }

        @Test
        void writeReportsHowManyBytesItWroteAndConsumesThemFromTheSource() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                ByteBuffer source = ByteBuffer.wrap(bytes("abcdef"));
                source.position(2);
                assertEquals(4, file.write(source, 0));
                assertFalse(source.hasRemaining());
                assertEquals("cdef", read(file, 0, 4));
            }
        }

        @Test
        void writingPastTheEndFillsTheGapWithZeros() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                file.writeFully(ByteBuffer.wrap(bytes("ab")), 0);
                file.writeFully(ByteBuffer.wrap(bytes("z")), 5);
                assertEquals(6, file.size());
                ByteBuffer all = ByteBuffer.allocate(6);
                file.readFully(all, 0);
                assertArrayEquals(new byte[] {'a', 'b', 0, 0, 0, 'z'}, all.array());
            }
        }

        @Test
        void readAtOrPastTheEndReturnsMinusOneAndAShortReadNearTheEnd() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                file.writeFully(ByteBuffer.wrap(bytes("abc")), 0);
                assertEquals(-1, file.read(ByteBuffer.allocate(4), 3));
                assertEquals(-1, file.read(ByteBuffer.allocate(4), 100));
                ByteBuffer buffer = ByteBuffer.allocate(4);
                assertEquals(2, file.read(buffer, 1));
                assertEquals(2, buffer.position());
            }
        }

        @Test
        void readFullyThrowsEofExceptionWhenTheFileEndsFirst() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                file.writeFully(ByteBuffer.wrap(bytes("abc")), 0);
                assertThrows(EOFException.class, () -> file.readFully(ByteBuffer.allocate(4), 0));
            }
        }

        @Test
        void truncateCutsTheFileAndIgnoresALargerSize() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                file.writeFully(ByteBuffer.wrap(bytes("abcdef")), 0);
                file.truncate(3);
                assertEquals(3, file.size());
                assertEquals(-1, file.read(ByteBuffer.allocate(1), 3));
                file.truncate(10);
                assertEquals(3, file.size());
                assertEquals("abc", read(file, 0, 3));
            }
        }

        @Test
        void sizeOfThePathAgreesWithTheOpenFile() throws IOException {
            Path path = directory.resolve("file");
            try (StorageFile file = io.open(path, true)) {
                file.writeFully(ByteBuffer.wrap(bytes("12345")), 0);
                assertEquals(5, io.size(path));
                assertEquals(5, file.size());
            }
        }

        @Test
        void sizeOfAMissingFileFailsWithNoSuchFile() {
            assertThrows(NoSuchFileException.class, () -> io.size(directory.resolve("missing")));
        }

        @Test
        void mapCreatesTheFileAndGrowsItWithZeros() throws IOException {
            Path path = directory.resolve("00000000.index");
            MappedRegion region = io.map(path, 64);
            assertEquals(64, region.buffer().capacity());
            assertEquals(64, io.size(path));
            assertArrayEquals(new byte[64], io.readAll(path));
        }

        @Test
        void mapLeavesALongerFileAsItIsAndMapsItsStart() throws IOException {
            Path path = directory.resolve("file");
            io.writeAtomically(path, bytes("0123456789"));
            MappedRegion region = io.map(path, 4);
            assertEquals(4, region.buffer().capacity());
            assertEquals('3', region.buffer().get(3));
            assertEquals(10, io.size(path));
        }

        @Test
        void storesThroughAMappingAreVisibleToReadsAndWritesThroughTheFileAreVisibleInTheMapping()
                throws IOException {
            Path path = directory.resolve("00000000.index");
            MappedRegion region = io.map(path, 16);
            region.buffer().putLong(0, 0x0102030405060708L);
            region.force();
            try (StorageFile file = io.open(path, false)) {
                ByteBuffer read = ByteBuffer.allocate(8);
                file.readFully(read, 0);
                assertEquals(0x0102030405060708L, read.getLong(0));

                file.writeFully(ByteBuffer.allocate(8).putLong(0, 42L), 8);
                assertEquals(42L, region.buffer().getLong(8));
            }
        }

        @Test
        void createDirectoriesMakesEveryMissingLevelAndToleratesExistingOnes() throws IOException {
            Path nested = directory.resolve("a").resolve("b").resolve("c");
            io.createDirectories(nested);
            io.createDirectories(nested);
            assertTrue(io.isDirectory(directory.resolve("a")));
            assertTrue(io.isDirectory(nested));
            assertTrue(io.exists(nested));
            assertEquals(List.of(), io.list(nested));
        }

        @Test
        void listReturnsTheFilesAndDirectoriesDirectlyInside() throws IOException {
            io.createDirectories(directory.resolve("sub").resolve("deeper"));
            io.writeAtomically(directory.resolve("one"), bytes("1"));
            io.writeAtomically(directory.resolve("sub").resolve("two"), bytes("2"));
            assertEquals(Set.of(directory.resolve("one"), directory.resolve("sub")),
                    new HashSet<>(io.list(directory)));
            assertEquals(Set.of(directory.resolve("sub").resolve("two"), directory.resolve("sub").resolve("deeper")),
                    new HashSet<>(io.list(directory.resolve("sub"))));
        }

        @Test
        void listOfAMissingDirectoryFailsWithNoSuchFile() {
            assertThrows(NoSuchFileException.class, () -> io.list(directory.resolve("missing")));
        }

        @Test
        void deleteIfExistsRemovesAFileAndIgnoresAMissingOne() throws IOException {
            Path path = directory.resolve("file");
            io.writeAtomically(path, bytes("x"));
            io.deleteIfExists(path);
            assertFalse(io.exists(path));
            io.deleteIfExists(path);
            io.deleteIfExists(directory.resolve("missing-directory").resolve("missing-file"));
        }

        @Test
        void deleteIfExistsRefusesANonEmptyDirectoryButRemovesAnEmptyOne() throws IOException {
            Path subdirectory = directory.resolve("partition-0");
            io.createDirectories(subdirectory);
            io.writeAtomically(subdirectory.resolve("file"), bytes("x"));
            assertThrows(DirectoryNotEmptyException.class, () -> io.deleteIfExists(subdirectory));
            io.deleteIfExists(subdirectory.resolve("file"));
            io.deleteIfExists(subdirectory);
            assertFalse(io.exists(subdirectory));
        }

        @Test
        void atomicMoveRenamesAFile() throws IOException {
            Path source = directory.resolve("segment.log.cleaned");
            Path target = directory.resolve("segment.log");
            io.writeAtomically(source, bytes("new"));
            io.atomicMove(source, target);
            assertFalse(io.exists(source));
            assertArrayEquals(bytes("new"), io.readAll(target));
        }

        @Test
        void atomicMoveReplacesAnExistingTarget() throws IOException {
            Path source = directory.resolve("checkpoint.tmp");
            Path target = directory.resolve("checkpoint");
            io.writeAtomically(target, bytes("old content"));
            io.writeAtomically(source, bytes("new"));
            io.atomicMove(source, target);
            assertFalse(io.exists(source));
            assertArrayEquals(bytes("new"), io.readAll(target));
        }

        @Test
        void atomicMoveOfAMissingSourceFailsWithNoSuchFile() {
            assertThrows(NoSuchFileException.class,
                    () -> io.atomicMove(directory.resolve("missing"), directory.resolve("target")));
        }

        @Test
        void atomicMoveOfADirectoryTakesItsContentAlong() throws IOException {
            Path source = directory.resolve("topic-0");
            Path target = directory.resolve("topic-0.deleted");
            io.createDirectories(source);
            io.writeAtomically(source.resolve("segment.log"), bytes("data"));
            io.atomicMove(source, target);
            assertFalse(io.exists(source));
            assertArrayEquals(bytes("data"), io.readAll(target.resolve("segment.log")));
        }

        @Test
        void writeAtomicallyCreatesThenReplacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
            Path target = directory.resolve("recovery-point-offset-checkpoint");
            io.writeAtomically(target, bytes("a much longer first version"));
            assertArrayEquals(bytes("a much longer first version"), io.readAll(target));
            io.writeAtomically(target, bytes("second"));
            assertArrayEquals(bytes("second"), io.readAll(target));
            assertEquals(List.of(target), io.list(directory));
        }

        @Test
        void readAllOfAnEmptyFileIsEmpty() throws IOException {
            Path path = directory.resolve("empty");
            io.open(path, true).close();
            assertArrayEquals(new byte[0], io.readAll(path));
        }

        @Test
        void deleteRecursivelyRemovesAWholeTreeAndIgnoresAMissingOne() throws IOException {
            Path tree = directory.resolve("topic-0");
            io.createDirectories(tree.resolve("nested").resolve("deeper"));
            io.writeAtomically(tree.resolve("a"), bytes("a"));
            io.writeAtomically(tree.resolve("nested").resolve("b"), bytes("b"));
            io.deleteRecursively(tree);
            assertFalse(io.exists(tree));
            assertEquals(List.of(), io.list(directory));
            io.deleteRecursively(tree);
        }

        @Test
        void transferToSendsTheRequestedRangeAndStopsAtTheEndOfTheFile() throws IOException {
            try (StorageFile file = io.open(directory.resolve("file"), true)) {
                file.writeFully(ByteBuffer.wrap(bytes("0123456789")), 0);
                ByteArrayOutputStream received = new ByteArrayOutputStream();
                WritableByteChannel target = Channels.newChannel(received);
                assertEquals(4, file.transferTo(2, 4, target));
                assertEquals(2, file.transferTo(8, 100, target));
                assertEquals(0, file.transferTo(10, 5, target));
                assertEquals("234589", received.toString(UTF_8));
            }
        }

        @Test
        void aClosedFileRefusesFurtherUse() throws IOException {
            StorageFile file = io.open(directory.resolve("file"), true);
            file.close();
            assertThrows(ClosedChannelException.class, () -> file.write(ByteBuffer.wrap(bytes("x")), 0));
            assertThrows(ClosedChannelException.class, () -> file.read(ByteBuffer.allocate(1), 0));
            assertThrows(ClosedChannelException.class, file::force);
            file.close();
        }

        @Test
        void syncDirectoryAcceptsAnExistingDirectoryAndRejectsAMissingOne() throws IOException {
            io.syncDirectory(directory);
            assertThrows(NoSuchFileException.class, () -> io.syncDirectory(directory.resolve("missing")));
        }

        @Test
        void anOpenFileStaysUsableAfterItsNameIsDeleted() throws IOException {
            assumeFalse(System.getProperty("os.name", "").toLowerCase().contains("win"),
                    "POSIX semantics: Windows refuses to delete an open file");
            Path path = directory.resolve("file");
            try (StorageFile file = io.open(path, true)) {
                file.writeFully(ByteBuffer.wrap(bytes("still here")), 0);
                io.deleteIfExists(path);
                assertFalse(io.exists(path));
                assertEquals("still here", read(file, 0, 10));
            }
        }

        private static String read(StorageFile file, long position, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            file.readFully(buffer, position);
            return new String(buffer.array(), UTF_8);
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
