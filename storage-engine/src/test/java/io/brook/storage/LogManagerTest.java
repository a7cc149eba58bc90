package io.brook.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.common.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    Path tmp;
    final ManualClock clock = new ManualClock();

    private LogManager open(Path... dirs) throws IOException {
        StringBuilder list = new StringBuilder();
        for (Path dir : dirs) {
            list.append(list.length() == 0 ? "" : ",").append(dir);
        }
        return LogManager.open(LogManager.DEFINITIONS.parse(Map.of("log.dirs", list.toString())),
                LogConfig.defaults().with("segment.index.bytes", "16384"), FileIo.real(), clock);
    }

    private static void append(PartitionLog log, String value) {
        LogFixture.appended(log.appendAsLeader(new LogFixture(log.directory().getParent()).batch(value), 0));
    }

    @Test
    void spreadsNewPartitionsOverTheLeastLoadedLogDirectory() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        try (LogManager manager = open(a, b)) {
            PartitionLog first = manager.getOrCreate(new TopicPartition("orders", 0), LogConfig.defaults());
            PartitionLog second = manager.getOrCreate(new TopicPartition("orders", 1), LogConfig.defaults());
            assertNotEquals(first.directory().getParent(), second.directory().getParent());
            assertEquals(first, manager.getOrCreate(new TopicPartition("orders", 0), LogConfig.defaults()));
        }
    }

    @Test
    void reloadsEveryPartitionFromEveryDirectoryAfterARestart() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        try (LogManager manager = open(a, b)) {
            for (int p = 0; p < 4; p++) {
                append(manager.getOrCreate(new TopicPartition("orders", p), LogConfig.defaults()), "v" + p);
            }
        }
        try (LogManager manager = open(a, b)) {
            assertEquals(4, manager.logs().size());
            for (int p = 0; p < 4; p++) {
                assertEquals(1, manager.get(new TopicPartition("orders", p)).orElseThrow().logEndOffset());
            }
        }
    }

    @Test
    void deleteRemovesTheLogAndItsDirectory() throws IOException {
        try (LogManager manager = open(tmp.resolve("a"))) {
            TopicPartition partition = new TopicPartition("orders", 0);
            PartitionLog log = manager.getOrCreate(partition, LogConfig.defaults());
            append(log, "v");
            manager.delete(partition);
            assertFalse(Files.exists(log.directory()));
            assertTrue(manager.get(partition).isEmpty());
        }
    }

    @Test
    void aDirectoryThatCannotBeLoadedIsOfflineWhileTheOthersServe() throws IOException {
        Path broken = tmp.resolve("broken");
        Files.writeString(broken, "not a directory");
        try (LogManager manager = open(broken, tmp.resolve("good"))) {
            assertEquals(1, manager.offlineDirectories().size());
            assertTrue(manager.offlineDirectories().containsKey(broken.toAbsolutePath()));
            PartitionLog log = manager.getOrCreate(new TopicPartition("orders", 0), LogConfig.defaults());
            assertEquals(tmp.resolve("good").toAbsolutePath(), log.directory().getParent());
        }
        assertThrows(IOException.class, () -> open(broken));
    }

    @Test
    void refusesToStartWhenAPartitionIsInTwoDirectories() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        try (LogManager manager = open(a)) {
            manager.getOrCreate(new TopicPartition("orders", 0), LogConfig.defaults());
        }
        try (LogManager manager = open(b)) {
            manager.getOrCreate(new TopicPartition("orders", 0), LogConfig.defaults());
        }
        IOException e = assertThrows(IOException.class, () -> open(a, b));
        assertTrue(e.getMessage().contains("orders-0"), e.getMessage());
    }

    @Test
    void backgroundPassesApplyRetentionFlushAndCompaction() throws IOException {
        try (LogManager manager = open(tmp.resolve("a"))) {
            PartitionLog retained = manager.getOrCreate(new TopicPartition("events", 0),
                    LogConfig.defaults().with("segment.bytes", "150").with("retention.ms", "1000")
                            .with("flush.ms", "500"));
            for (int i = 0; i < 10; i++) {
                append(retained, "value-" + i);
            }
            clock.advance(600);
            manager.runFlush();
            assertEquals(retained.logEndOffset(), retained.recoveryPoint());
            clock.advance(1000);
            assertTrue(manager.runRetention() > 0);
            assertTrue(retained.logStartOffset() > 0);
            manager.runCheckpoints();

            PartitionLog compacted = manager.getOrCreate(new TopicPartition("table", 0),
                    LogConfig.defaults().with("cleanup.policy", "compact").with("segment.bytes", "150"));
            LogFixture keyed = new LogFixture(compacted.directory().getParent());
            for (int i = 0; i < 10; i++) {
                compacted.appendAsLeader(keyed.keyed(clock.milliseconds(), "same-key", "v" + i), 0);
            }
            long before = compacted.sizeInBytes();
            assertEquals(1, manager.runCleaner());
            assertTrue(compacted.sizeInBytes() < before);
        }
    }

    @Test
    void logDirsIsRequiredAndUnknownKeysAreRejected() {
        assertThrows(io.brook.common.ConfigException.class, () -> LogManager.DEFINITIONS.parse(Map.of()));
        assertThrows(io.brook.common.ConfigException.class,
                () -> LogManager.DEFINITIONS.parse(Map.of("log.dirs", "/x", "log.dir", "/y")));
    }
}
