package io.brook.storage.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brook.storage.MappedRegion;
import io.brook.storage.StorageFile;
import io.brook.storage.testing.SimulatedFileIo.CrashMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@link SimulatedFileIo} does beyond the normal case (which {@code FileIoContractTest}
 * covers): what survives a simulated crash, what dies with it, and the injected faults.
 *
 * <p>Single-threaded except for the one concurrency test; every test builds its own file system.
 */
class SimulatedFileIoTest {
    private final SimulatedFileIo fileSystem = new SimulatedFileIo(7L);
    private final Path directory = fileSystem.root();
    private final Path log = directory.resolve("00000000000000000000.log");

    @Nested
    class ContentAfterACrash {

        @Test
        void dropUnflushedLosesUnforcedAppends() throws IOException {
            createDurably(fileSystem, log, "durable");
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, "-unflushed");
            }
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals("durable", text(fileSystem.currentContent(log)));
        }

        @ParameterizedTest
        @EnumSource(CrashMode.class)
        void forcedBytesSurviveEveryCrashMode(CrashMode mode) throws IOException {
            createDurably(fileSystem, log, "forced bytes");
            fileSystem.crash(mode);
            assertEquals("forced bytes", text(fileSystem.currentContent(log)));
        }

        @Test
        void tornTailKeepsTheDurableContentAndOnlyAPrefixOfTheUnflushedTail() throws IOException {
            for (long seed = 0; seed < 200; seed++) {
                String survivor = crashAfterUnflushedAppend(seed, CrashMode.TORN_TAIL);
                assertTrue(("ABCD" + "0123456789").startsWith(survivor) && survivor.length() >= 4,
                        "seed " + seed + " left " + survivor);
            }
        }

        @Test
        void tornTailKeepsEveryPrefixLengthFromNoneToAllOverManySeeds() throws IOException {
            Set<Integer> keptLengths = new HashSet<>();
            for (long seed = 0; seed < 300; seed++) {
                keptLengths.add(crashAfterUnflushedAppend(seed, CrashMode.TORN_TAIL).length() - 4);
            }
            assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), keptLengths);
        }

        @Test
        void garbageTailKeepsATornLengthAndChangesOnlyUnflushedBytes() throws IOException {
            int changedTails = 0;
            int intactTails = 0;
            for (long seed = 0; seed < 300; seed++) {
                String survivor = crashAfterUnflushedAppend(seed, CrashMode.GARBAGE_TAIL);
                assertTrue(survivor.length() >= 4 && survivor.length() <= 14, "seed " + seed);
                assertTrue(survivor.startsWith("ABCD"), "seed " + seed + " damaged forced bytes");
                if (survivor.length() > 4) {
                    if (("ABCD" + "0123456789").startsWith(survivor)) {
                        intactTails++;
                    } else {
                        changedTails++;
                    }
                }
            }
            assertTrue(changedTails > 0, "garbage never appeared");
            assertTrue(intactTails > 0, "a garbage tail may also be intact");
        }

        @ParameterizedTest
        @EnumSource(CrashMode.class)
        void unforcedOverwritesInsideTheDurableLengthRevert(CrashMode mode) throws IOException {
            createDurably(fileSystem, log, "AAAAAAAA");
            try (StorageFile file = fileSystem.open(log, false)) {
                file.writeFully(ByteBuffer.wrap(bytes("BB")), 2);
                append(file, "CC");
            }
            fileSystem.crash(mode);
            assertTrue(text(fileSystem.currentContent(log)).startsWith("AAAAAAAA"));
        }

        @ParameterizedTest
        @EnumSource(CrashMode.class)
        void anUnforcedTruncationReverts(CrashMode mode) throws IOException {
            createDurably(fileSystem, log, "0123456789");
            try (StorageFile file = fileSystem.open(log, false)) {
                file.truncate(3);
            }
            fileSystem.crash(mode);
            assertEquals("0123456789", text(fileSystem.currentContent(log)));
        }

        @Test
        void aForcedTruncationSurvives() throws IOException {
            createDurably(fileSystem, log, "0123456789");
            try (StorageFile file = fileSystem.open(log, false)) {
                file.truncate(3);
                file.force();
            }
            fileSystem.crash(CrashMode.GARBAGE_TAIL);
            assertEquals("012", text(fileSystem.currentContent(log)));
        }

        @Test
        void theSameSeedAndHistoryLeaveTheSameBytes() throws IOException {
            for (CrashMode mode : CrashMode.values()) {
                for (long seed = 0; seed < 20; seed++) {
                    assertEquals(crashAfterUnflushedAppend(seed, mode), crashAfterUnflushedAppend(seed, mode));
                }
            }
        }

        @Test
        void growthByMapIsUnflushedUntilTheRegionIsForced() throws IOException {
            Path index = directory.resolve("00000000000000000000.index");
            createDurably(fileSystem, index, "");
            fileSystem.map(index, 32);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals(0, fileSystem.size(index));

            fileSystem.map(index, 32).force();
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals(32, fileSystem.size(index));
        }

        @Test
        void storesThroughAMappingBecomeDurableOnlyWhenTheRegionIsForced() throws IOException {
            Path index = directory.resolve("00000000000000000000.index");
            createDurably(fileSystem, index, "");
            MappedRegion region = fileSystem.map(index, 16);
            region.force();
            region.buffer().putLong(0, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, ByteBuffer.wrap(fileSystem.currentContent(index)).getLong(0));
            assertEquals(0L, ByteBuffer.wrap(fileSystem.durableContent(index)).getLong(0));

            region.force();
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals(0x1122334455667788L, ByteBuffer.wrap(fileSystem.currentContent(index)).getLong(0));
        }

        /** "ABCD" durable, then "0123456789" appended and never forced, then a crash. */
        private String crashAfterUnflushedAppend(long seed, CrashMode mode) throws IOException {
            SimulatedFileIo seeded = new SimulatedFileIo(seed);
            Path path = seeded.root().resolve("log");
            createDurably(seeded, path, "ABCD");
            try (StorageFile file = seeded.open(path, false)) {
                append(file, "0123456789");
            }
            seeded.crash(mode);
            return text(seeded.currentContent(path));
        }
    }

    @Nested
    class DirectoryEntriesAfterACrash {

        @Test
        void aCreatedFileWhoseDirectoryWasNeverSyncedDisappearsEvenIfForced() throws IOException {
            try (StorageFile file = fileSystem.open(log, true)) {
                append(file, "data");
                file.force();
            }
            assertFalse(fileSystem.existsDurably(log));
            fileSystem.crash(CrashMode.TORN_TAIL);
            assertFalse(fileSystem.exists(log));
        }

        @Test
        void aCreatedFileSurvivesOnceItsDirectoryIsSyncedButOnlyWithItsForcedBytes() throws IOException {
            try (StorageFile file = fileSystem.open(log, true)) {
                fileSystem.syncDirectory(directory);
                append(file, "never forced");
            }
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertTrue(fileSystem.exists(log));
            assertEquals(0, fileSystem.size(log));
        }

        @Test
        void anUnsyncedRenameReverts() throws IOException {
            Path renamed = directory.resolve("00000000000000000000.log.deleted");
            createDurably(fileSystem, log, "data");
            fileSystem.atomicMove(log, renamed);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertFalse(fileSystem.exists(renamed));
            assertEquals("data", text(fileSystem.currentContent(log)));
        }

        @Test
        void aSyncedRenameSurvives() throws IOException {
            Path renamed = directory.resolve("00000000000000000000.log.deleted");
            createDurably(fileSystem, log, "data");
            fileSystem.atomicMove(log, renamed);
            fileSystem.syncDirectory(directory);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertFalse(fileSystem.exists(log));
            assertEquals("data", text(fileSystem.currentContent(renamed)));
        }

        @Test
        void anUnsyncedDeleteIsUndoneWithTheDurableContent() throws IOException {
            createDurably(fileSystem, log, "data");
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, " and more");
            }
            fileSystem.deleteIfExists(log);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals("data", text(fileSystem.currentContent(log)));
        }

        @Test
        void aSyncedDeleteSurvives() throws IOException {
            createDurably(fileSystem, log, "data");
            fileSystem.deleteIfExists(log);
            fileSystem.syncDirectory(directory);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertFalse(fileSystem.exists(log));
        }

        @Test
        void aNewDirectorySurvivesOnlyOnceItsParentIsSynced() throws IOException {
            Path topic = directory.resolve("topic");
            Path partition = topic.resolve("topic-0");
            fileSystem.createDirectories(partition);
            fileSystem.syncDirectory(topic); // not enough: "topic" itself is not durable in root
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertFalse(fileSystem.exists(topic));

            fileSystem.createDirectories(partition);
            fileSystem.syncDirectory(topic);
            fileSystem.syncDirectory(directory);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertTrue(fileSystem.isDirectory(partition));
        }

        @Test
        void aDirectoryMovedWithoutASyncComesBackWithItsFiles() throws IOException {
            Path partition = directory.resolve("topic-0");
            Path deleted = directory.resolve("topic-0.deleted");
            fileSystem.createDirectories(partition);
            fileSystem.syncDirectory(directory);
            createDurably(fileSystem, partition.resolve("segment.log"), "data");
            fileSystem.atomicMove(partition, deleted);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertFalse(fileSystem.exists(deleted));
            assertEquals("data", text(fileSystem.currentContent(partition.resolve("segment.log"))));
        }

        @Test
        void aMoveBetweenDirectoriesSyncedOnlyAtTheTargetLeavesTheFileUnderBothNames() throws IOException {
            Path other = directory.resolve("other");
            fileSystem.createDirectories(other);
            fileSystem.syncDirectory(directory);
            createDurably(fileSystem, log, "data");
            Path moved = other.resolve("moved.log");
            fileSystem.atomicMove(log, moved);
            fileSystem.syncDirectory(other);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            // Both names lead to one inode, as after a crash between the two syncs of a real rename.
            assertEquals("data", text(fileSystem.currentContent(log)));
            assertEquals("data", text(fileSystem.currentContent(moved)));
        }

        @Test
        void existsDurablyAndDurableContentDescribeWhatADropUnflushedCrashWouldLeave() throws IOException {
            createDurably(fileSystem, log, "old");
            Path fresh = directory.resolve("fresh");
            try (StorageFile file = fileSystem.open(fresh, true)) {
                append(file, "new");
                file.force();
            }
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, "+unflushed");
            }
            assertFalse(fileSystem.existsDurably(fresh));
            assertThrows(IllegalArgumentException.class, () -> fileSystem.durableContent(fresh));
            assertTrue(fileSystem.existsDurably(log));
            assertEquals("old", text(fileSystem.durableContent(log)));
            assertEquals("old+unflushed", text(fileSystem.currentContent(log)));
        }
    }

    @Nested
    class HandlesAcrossACrash {

        @Test
        void filesOpenedBeforeACrashThrowIoExceptionAfterIt() throws IOException {
            createDurably(fileSystem, log, "data");
            StorageFile file = fileSystem.open(log, false);
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertThrows(IOException.class, () -> file.read(ByteBuffer.allocate(1), 0));
            assertThrows(IOException.class, () -> file.write(ByteBuffer.wrap(bytes("x")), 0));
            assertThrows(IOException.class, file::size);
            assertThrows(IOException.class, () -> file.truncate(0));
            assertThrows(IOException.class, file::force);
            assertThrows(IOException.class,
                    () -> file.transferTo(0, 1, Channels.newChannel(new ByteArrayOutputStream())));
            file.close();
            assertEquals("data", text(fileSystem.currentContent(log)));
        }

        @Test
        void mappingsFromBeforeACrashAreDeadAndTheirBuffersDetached() throws IOException {
            Path index = directory.resolve("00000000000000000000.index");
            createDurably(fileSystem, index, "");
            MappedRegion region = fileSystem.map(index, 8);
            region.force();
            ByteBuffer heldByTheEngine = region.buffer();
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);

            assertThrows(IOException.class, region::force);
            assertThrows(IllegalStateException.class, region::buffer);
            heldByTheEngine.putLong(0, -1L); // a store by a thread of the dead process: lost
            assertArrayEquals(new byte[8], fileSystem.currentContent(index));
            assertArrayEquals(new byte[8], fileSystem.readAll(index));
        }

        @Test
        void handlesObtainedAfterACrashWork() throws IOException {
            createDurably(fileSystem, log, "data");
            fileSystem.crash(CrashMode.TORN_TAIL);
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, "+more");
                file.force();
            }
            MappedRegion region = fileSystem.map(log, 4);
            region.buffer().put(0, (byte) 'D');
            region.force();
            assertEquals("Data+more", text(fileSystem.durableContent(log)));
        }
    }

    @Nested
    class DiskFull {

        @Test
        void aWriteCrossingTheLimitWritesTheBytesThatFitThenThrows() throws IOException {
            try (StorageFile file = fileSystem.open(log, true)) {
                append(file, "ab");
                fileSystem.failWritesAfter(5);
                ByteBuffer source = ByteBuffer.wrap(bytes("0123456789"));
                IOException thrown = assertThrows(IOException.class, () -> file.write(source, 2));
                assertEquals("No space left on device", thrown.getMessage());
                assertEquals(5, source.position());
                assertEquals("ab01234", text(fileSystem.currentContent(log)));
            }
        }

        @Test
        void everyLaterWriteThrowsWhileReadsWorkUntilTheFaultIsCleared() throws IOException {
            try (StorageFile file = fileSystem.open(log, true)) {
                fileSystem.failWritesAfter(0);
                assertThrows(IOException.class, () -> append(file, "x"));
                assertThrows(IOException.class, () -> file.write(ByteBuffer.wrap(bytes("y")), 0));
                assertEquals(-1, file.read(ByteBuffer.allocate(1), 0));
                assertEquals(0, fileSystem.bytesWritten());

                fileSystem.clearFaults();
                append(file, "z");
                assertEquals("z", text(fileSystem.currentContent(log)));
            }
        }

        @Test
        void mapRefusesToGrowAFilePastTheLimitAndLeavesItUngrown() throws IOException {
            Path index = directory.resolve("00000000000000000000.index");
            fileSystem.failWritesAfter(10);
            assertThrows(IOException.class, () -> fileSystem.map(index, 100));
            assertEquals(0, fileSystem.size(index));
            assertEquals(8, fileSystem.map(index, 8).buffer().capacity());
        }

        @Test
        void theLimitCountsFromTheCallAndGrowthByMapUsesItUp() throws IOException {
            try (StorageFile file = fileSystem.open(log, true)) {
                append(file, "before the limit");
                fileSystem.failWritesAfter(12);
                fileSystem.map(directory.resolve("index"), 8);
                append(file, "1234");
                assertThrows(IOException.class, () -> append(file, "5"));
            }
        }
    }

    @Nested
    class FailingForces {

        @Test
        void failedForcesAndDirectorySyncsThrowAndMakeNothingDurable() throws IOException {
            createDurably(fileSystem, log, "old");
            int forcesBefore = fileSystem.forceCount();
            fileSystem.failForces(true);
            Path created = directory.resolve("created");
            MappedRegion region = fileSystem.map(created, 8);
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, "+new");
                assertThrows(IOException.class, file::force);
            }
            assertThrows(IOException.class, region::force);
            assertThrows(IOException.class, () -> fileSystem.syncDirectory(directory));
            assertEquals(forcesBefore, fileSystem.forceCount());

            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals("old", text(fileSystem.currentContent(log)));
            assertFalse(fileSystem.exists(created));
        }

        @Test
        void forcesWorkAgainOnceTheFaultIsLifted() throws IOException {
            createDurably(fileSystem, log, "old");
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, "+new");
                fileSystem.failForces(true);
                assertThrows(IOException.class, file::force);
                fileSystem.failForces(false);
                file.force();
            }
            assertEquals("old+new", text(fileSystem.durableContent(log)));
        }
    }

    @Nested
    class FailingEverything {

        @Test
        void everyOperationThrowsIoExceptionAndExistsSaysFalse() throws IOException {
            createDurably(fileSystem, log, "data");
            StorageFile file = fileSystem.open(log, false);
            MappedRegion region = fileSystem.map(directory.resolve("index"), 8);
            fileSystem.failAllOperations(true);

            List<Executable> operations = List.of(
                    () -> fileSystem.open(log, false),
                    () -> fileSystem.open(directory.resolve("new"), true),
                    () -> fileSystem.map(directory.resolve("index"), 8),
                    () -> fileSystem.size(log),
                    () -> fileSystem.createDirectories(directory.resolve("dir")),
                    () -> fileSystem.list(directory),
                    () -> fileSystem.deleteIfExists(log),
                    () -> fileSystem.atomicMove(log, directory.resolve("moved")),
                    () -> fileSystem.syncDirectory(directory),
                    () -> fileSystem.readAll(log),
                    () -> fileSystem.writeAtomically(log, bytes("new")),
                    () -> file.read(ByteBuffer.allocate(1), 0),
                    () -> file.write(ByteBuffer.wrap(bytes("x")), 0),
                    file::size,
                    () -> file.truncate(0),
                    file::force,
                    () -> file.transferTo(0, 1, Channels.newChannel(new ByteArrayOutputStream())),
                    region::force);
            for (Executable operation : operations) {
                assertThrows(IOException.class, operation);
            }
            assertFalse(fileSystem.exists(log));
            assertFalse(fileSystem.isDirectory(directory));
            file.close();

            fileSystem.clearFaults();
            assertEquals("data", text(fileSystem.readAll(log)));
        }
    }

    @Nested
    class ScheduledCrash {

        @Test
        void theCrashHappensInsteadOfTheMutationAfterTheAllowedOnes() throws IOException {
            createDurably(fileSystem, log, "A");
            try (StorageFile file = fileSystem.open(log, false)) {
                fileSystem.scheduleCrash(2, CrashMode.DROP_UNFLUSHED);
                append(file, "B");
                file.force();
                IOException crash = assertThrows(IOException.class, () -> append(file, "C"));
                assertTrue(crash.getMessage().contains("scheduled crash"), crash.getMessage());
                assertThrows(IOException.class, () -> append(file, "D"));
            }
            assertEquals("AB", text(fileSystem.currentContent(log)));
        }

        @Test
        void mutationCountCountsOnlyMutatingCalls() throws IOException {
            long before = fileSystem.mutationCount();
            try (StorageFile file = fileSystem.open(log, true)) { // 1
                append(file, "x"); // 2 (size() does not count)
                file.read(ByteBuffer.allocate(1), 0);
                file.force(); // 3
            }
            fileSystem.exists(log);
            fileSystem.list(directory);
            fileSystem.syncDirectory(directory); // 4
            assertEquals(before + 4, fileSystem.mutationCount());
        }
    }

    @Nested
    class WriteAtomically {

        /**
         * Runs writeAtomically once to count its steps, then once per step with a crash just
         * before it (and once with the crash after it finished), in every crash mode.
         */
        @ParameterizedTest
        @EnumSource(CrashMode.class)
        void leavesTheOldOrTheNewContentWhereverACrashStrikes(CrashMode mode) throws IOException {
            for (boolean targetExisted : new boolean[] {true, false}) {
                long steps = mutationsOfOneWrite(targetExisted);
                Set<String> outcomes = new HashSet<>();
                for (long crashPoint = 0; crashPoint <= steps; crashPoint++) {
                    SimulatedFileIo seeded = new SimulatedFileIo(crashPoint);
                    Path target = seeded.root().resolve("checkpoint");
                    if (targetExisted) {
                        createDurably(seeded, target, "old checkpoint, longer than the new one");
                    }
                    seeded.scheduleCrash(crashPoint, mode);
                    try {
                        seeded.writeAtomically(target, bytes("new"));
                        seeded.crash(mode); // the scheduled crash was after the last step
                    } catch (IOException crashed) {
                        assertTrue(crashed.getMessage().contains("scheduled crash"), crashed.getMessage());
                    }
                    String outcome = seeded.exists(target) ? text(seeded.readAll(target)) : "absent";
                    Set<String> allowed = targetExisted
                            ? Set.of("old checkpoint, longer than the new one", "new")
                            : Set.of("absent", "new");
                    assertTrue(allowed.contains(outcome),
                            "crash before step " + crashPoint + " left " + outcome);
                    outcomes.add(outcome);
                }
                assertEquals(2, outcomes.size(), "both outcomes happen at some crash point: " + outcomes);
            }
        }

        private long mutationsOfOneWrite(boolean targetExisted) throws IOException {
            SimulatedFileIo counting = new SimulatedFileIo(0);
            Path target = counting.root().resolve("checkpoint");
            if (targetExisted) {
                createDurably(counting, target, "old");
            }
            long before = counting.mutationCount();
            counting.writeAtomically(target, bytes("new"));
            return counting.mutationCount() - before;
        }
    }

    @Nested
    class Mappings {

        @Test
        void truncatingAFileBelowAMappedLengthDoesNotCrashTheSimulator() throws IOException {
            Path index = directory.resolve("index");
            MappedRegion region = fileSystem.map(index, 16);
            try (StorageFile file = fileSystem.open(index, false)) {
                file.truncate(4);
                region.buffer().put(10, (byte) 7); // beyond the end: invisible
                region.force();
                assertEquals(4, file.size());
                file.writeFully(ByteBuffer.wrap(bytes("z")), 12);
            }
            byte[] expected = new byte[13];
            expected[12] = 'z';
            assertArrayEquals(expected, fileSystem.currentContent(index)); // the gap reads as zeros
        }

        @Test
        void growingAMappedFileFarPastItsMappingDetachesTheOldMappingLoudly() throws IOException {
            Path index = directory.resolve("index");
            MappedRegion region = fileSystem.map(index, 16);
            fileSystem.syncDirectory(directory);
            try (StorageFile file = fileSystem.open(index, false)) {
                file.writeFully(ByteBuffer.wrap(bytes("far")), 100_000);
            }
            assertThrows(IllegalStateException.class, region::force);

            MappedRegion remapped = fileSystem.map(index, 16);
            remapped.buffer().put(0, (byte) 1);
            remapped.force();
            assertEquals(1, fileSystem.durableContent(index)[0]);
        }
    }

    @Nested
    class TestHelpers {

        @Test
        void forceCountCountsSuccessfulForcesOfFilesAndMappings() throws IOException {
            int before = fileSystem.forceCount();
            try (StorageFile file = fileSystem.open(log, true)) {
                append(file, "a");
                file.force();
                file.force();
            }
            fileSystem.map(directory.resolve("index"), 8).force();
            assertEquals(before + 3, fileSystem.forceCount());
        }

        @Test
        void directorySyncCountCountsDirectorySyncs() throws IOException {
            int before = fileSystem.directorySyncCount();
            fileSystem.syncDirectory(directory);
            assertEquals(before + 1, fileSystem.directorySyncCount());
        }

        @Test
        void bytesWrittenCountsWritesAndGrowthByMap() throws IOException {
            try (StorageFile file = fileSystem.open(log, true)) {
                append(file, "12345");
                file.writeFully(ByteBuffer.wrap(bytes("ab")), 0);
            }
            fileSystem.map(directory.resolve("index"), 10);
            fileSystem.map(directory.resolve("index"), 4);
            assertEquals(5 + 2 + 10, fileSystem.bytesWritten());
        }

        @Test
        void corruptChangesTheCurrentBytesAndTheDurableOnesWithinTheDurableLength() throws IOException {
            createDurably(fileSystem, log, "abcdef");
            try (StorageFile file = fileSystem.open(log, false)) {
                append(file, "gh");
            }
            fileSystem.corrupt(log, 1, (byte) 'X');
            fileSystem.corrupt(log, 7, (byte) 'Y');
            assertEquals("aXcdefgY", text(fileSystem.currentContent(log)));
            assertEquals("aXcdef", text(fileSystem.durableContent(log)));
            assertThrows(IllegalArgumentException.class, () -> fileSystem.corrupt(log, 8, (byte) 0));
            fileSystem.crash(CrashMode.DROP_UNFLUSHED);
            assertEquals("aXcdef", text(fileSystem.currentContent(log)));
        }

        @Test
        void rootExistsDurablyFromTheStartAndOtherAbsolutePathsWorkToo() throws IOException {
            assertTrue(fileSystem.existsDurably(fileSystem.root()));
            assertTrue(fileSystem.isDirectory(fileSystem.root()));
            Path elsewhere = fileSystem.root().getRoot().resolve("elsewhere").resolve("data");
            fileSystem.createDirectories(elsewhere);
            fileSystem.writeAtomically(elsewhere.resolve("file"), bytes("x"));
            assertEquals("x", text(fileSystem.readAll(elsewhere.resolve("file"))));
        }

        @Test
        void relativePathsAreRejected() {
            assertThrows(IllegalArgumentException.class, () -> fileSystem.open(Path.of("relative"), true));
        }
    }

    @Nested
    class Concurrency {

        @Test
        void readersRunningAlongsideAWriterSeeOnlyCompleteWrittenRecords() throws Exception {
            int records = 2_000;
            ExecutorService readers = Executors.newFixedThreadPool(3);
            try (StorageFile file = fileSystem.open(log, true)) {
                AtomicBoolean writerDone = new AtomicBoolean();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int reader = 0; reader < 3; reader++) {
                    results.add(readers.submit(() -> {
                        start.await();
                        int checks = 0;
                        boolean lastRound = false;
                        while (!lastRound) {
                            lastRound = writerDone.get();
                            long size = file.size();
                            assertEquals(0, size % 8, "a record was half visible");
                            ByteBuffer all = ByteBuffer.allocate((int) size);
                            file.readFully(all, 0);
                            for (int i = 0; i < size / 8; i++) {
                                assertEquals(i, all.getLong(i * 8));
                            }
                            checks++;
                        }
                        return checks;
                    }));
                }
                start.countDown();
                for (long i = 0; i < records; i++) {
                    file.writeFully(ByteBuffer.allocate(8).putLong(0, i), i * 8);
                }
                writerDone.set(true);
                for (Future<Integer> result : results) {
                    assertNotNull(result.get(30, TimeUnit.SECONDS));
                }
            } finally {
                readers.shutdownNow();
            }
            assertEquals(records * 8, fileSystem.currentContent(log).length);
        }
    }

    @Test
    void crashWithoutAModeIsRejected() {
        assertThrows(NullPointerException.class, () -> fileSystem.crash(null));
    }

    // ------------------------------------------------------------------------------------------

    /** Creates {@code path} with {@code content}, forced, and its directory entry synced. */
    private static void createDurably(SimulatedFileIo io, Path path, String content) throws IOException {
        try (StorageFile file = io.open(path, true)) {
            file.truncate(0);
            file.writeFully(ByteBuffer.wrap(bytes(content)), 0);
            file.force();
        }
        io.syncDirectory(path.getParent());
        if (!Arrays.equals(bytes(content), io.durableContent(path))) {
            fail("setup did not make " + path + " durable");
        }
    }

    private static void append(StorageFile file, String text) throws IOException {
        file.writeFully(ByteBuffer.wrap(bytes(text)), file.size());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, UTF_8);
    }
}
