package io.brook.storage;

import io.brook.api.v1.ErrorCode;
import io.brook.common.Clock;
import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the partition logs of one broker across its {@code log.dirs}: loads (and recovers) them
 * at start, creates and deletes them as assignments change, and runs the background work —
 * retention, time-based flush, recovery-point checkpoints and compaction.
 *
 * <p>Each background task is a public method ({@link #runRetention()}, {@link #runFlush()},
 * {@link #runCheckpoints()}, {@link #runCleaner()}) that tests call directly with a manual
 * clock; {@link #startBackgroundTasks()} schedules them on the manager's own threads for
 * production. Decisions read the injected {@link Clock}; only the scheduling uses real time.
 *
 * <p>Thread-safe. A log directory that fails to load is offline (its partitions are
 * unavailable, the others serve); if every directory fails, {@link #open} fails.
 */
public final class LogManager implements Closeable {
    public static final ConfigKey<List<String>> LOG_DIRS = ConfigKey.listKey("log.dirs")
            .validator(ConfigValidator.nonEmpty())
            .doc("Directories holding the partition logs; a new partition goes to the one with the fewest.")
            .restartRequired().build();
    public static final ConfigKey<Long> RETENTION_CHECK_INTERVAL_MS =
            ConfigKey.longKey("log.retention.check.interval.ms").defaultValue(300_000L)
                    .validator(ConfigValidator.atLeast(1L))
                    .doc("How often retention looks for segments to delete.").build();
    public static final ConfigKey<Long> FLUSH_SCHEDULER_INTERVAL_MS =
            ConfigKey.longKey("log.flush.scheduler.interval.ms").defaultValue(1000L)
                    .validator(ConfigValidator.atLeast(1L))
                    .doc("How often the flusher checks which logs are due under flush.ms.").build();
    public static final ConfigKey<Long> FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS =
            ConfigKey.longKey("log.flush.offset.checkpoint.interval.ms").defaultValue(60_000L)
                    .validator(ConfigValidator.atLeast(1L))
                    .doc("How often recovery points are written to their checkpoint files; a stale one only "
                            + "makes recovery scan more.").build();
    public static final ConfigKey<Boolean> CLEANER_ENABLE = ConfigKey.booleanKey("log.cleaner.enable")
            .defaultValue(true).doc("Whether compacted topics are compacted.").build();
    public static final ConfigKey<Long> CLEANER_BACKOFF_MS = ConfigKey.longKey("log.cleaner.backoff.ms")
            .defaultValue(15_000L).validator(ConfigValidator.atLeast(0L))
            .doc("Pause between compaction passes over all logs.").build();
    public static final ConfigKey<Integer> RECOVERY_THREADS_PER_DATA_DIR =
            ConfigKey.intKey("num.recovery.threads.per.data.dir").defaultValue(1)
                    .validator(ConfigValidator.atLeast(1))
                    .doc("Threads per log directory that open and recover logs at start and close them at "
                            + "shutdown.").build();

    /** The broker-level keys this class reads. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(LOG_DIRS, RETENTION_CHECK_INTERVAL_MS,
            FLUSH_SCHEDULER_INTERVAL_MS, FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, CLEANER_ENABLE, CLEANER_BACKOFF_MS,
            RECOVERY_THREADS_PER_DATA_DIR);

    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);

    private final ConfigValues settings;
    private final FileIo io;
    private final Clock clock;
    private final List<Path> liveDirectories;
    private final Map<Path, String> offlineDirectories;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    private volatile LogConfig defaultConfig;
    private ScheduledExecutorService scheduler;

    private LogManager(ConfigValues settings, LogConfig defaultConfig, FileIo io, Clock clock,
                       List<Path> liveDirectories, Map<Path, String> offlineDirectories) {
        this.settings = settings;
        this.defaultConfig = defaultConfig;
        this.io = io;
        this.clock = clock;
        this.liveDirectories = liveDirectories;
        this.offlineDirectories = offlineDirectories;
    }

    /**
     * Loads every partition log in every {@code log.dirs} entry (creating missing directories),
     * recovering those that were not closed cleanly, with {@code defaultConfig} until the caller
     * applies topic configs through {@link PartitionLog#updateConfig}.
     *
     * @throws IOException when no log directory could be loaded, or a partition is in two of them
     */
    public static LogManager open(ConfigValues settings, LogConfig defaultConfig, FileIo io, Clock clock)
            throws IOException {
        List<Path> live = new ArrayList<>();
        Map<Path, String> offline = new LinkedHashMap<>();
        Map<TopicPartition, PartitionLog> loaded = new HashMap<>();
        int threads = settings.get(RECOVERY_THREADS_PER_DATA_DIR);
        for (String name : settings.get(LOG_DIRS)) {
            Path dir = Path.of(name).toAbsolutePath();
            Map<TopicPartition, PartitionLog> inDir;
            try {
                inDir = loadDirectory(dir, defaultConfig, io, clock, threads);
            } catch (IOException | UncheckedIOException e) {
                LOG.error("Log directory {} is offline: {}", dir, e.toString());
                offline.put(dir, e.toString());
                continue;
            }
            for (Map.Entry<TopicPartition, PartitionLog> entry : inDir.entrySet()) {
                PartitionLog other = loaded.putIfAbsent(entry.getKey(), entry.getValue());
                if (other != null) {
                    closeAll(loaded.values());
                    closeAll(inDir.values());
                    throw new IOException("partition " + entry.getKey() + " has a log in both "
                            + other.directory().getParent() + " and " + dir + "; remove one before starting");
                }
            }
            live.add(dir);
        }
        if (live.isEmpty()) {
            throw new IOException("no log directory could be loaded: " + offline);
        }
        LogManager manager = new LogManager(settings, defaultConfig, io, clock, live, offline);
        manager.logs.putAll(loaded);
        LOG.info("Loaded {} partition log(s) from {} log director{}{}", loaded.size(), live.size(),
                live.size() == 1 ? "y" : "ies", offline.isEmpty() ? "" : "; offline: " + offline.keySet());
        return manager;
    }

    private static Map<TopicPartition, PartitionLog> loadDirectory(Path dir, LogConfig config, FileIo io, Clock clock,
                                                                   int threads) throws IOException {
        io.createDirectories(dir);
        List<Path> partitionDirs = new ArrayList<>();
        for (Path child : io.list(dir)) {
            if (io.isDirectory(child) && isPartitionDirectory(child.getFileName().toString())) {
                partitionDirs.add(child);
            }
        }
        Map<TopicPartition, PartitionLog> result = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "brook-log-recovery-" + dir.getFileName());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<PartitionLog>> futures = new ArrayList<>();
            for (Path partitionDir : partitionDirs) {
                futures.add(pool.submit(() -> PartitionLog.open(partitionDir, config, io, clock)));
            }
            IOException failure = null;
            for (Future<PartitionLog> future : futures) {
                try {
                    PartitionLog log = future.get();
                    result.put(log.topicPartition(), log);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (failure == null) {
                        failure = cause instanceof IOException io1 ? io1 : new IOException(cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new IOException("interrupted while loading " + dir, e);
                }
            }
            if (failure != null) {
                closeAll(result.values());
                throw failure;
            }
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean isPartitionDirectory(String name) {
        try {
            TopicPartition.fromDirectoryName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void closeAll(Iterable<PartitionLog> logs) {
        for (PartitionLog log : logs) {
            try {
                log.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("Closing {} failed: {}", log.topicPartition(), e.toString());
            }
        }
    }

    /** The log of {@code partition}, if this broker has one. */
    public Optional<PartitionLog> get(TopicPartition partition) {
        return Optional.ofNullable(logs.get(partition));
    }

    /**
     * The log of {@code partition}, created with {@code config} in the live log directory with
     * the fewest partitions when it does not exist yet.
     *
     * @throws StorageException STORAGE_ERROR when the directory cannot be created
     */
    public PartitionLog getOrCreate(TopicPartition partition, LogConfig config) {
        PartitionLog existing = logs.get(partition);
        if (existing != null) {
            return existing;
        }
        synchronized (createLock) {
            existing = logs.get(partition);
            if (existing != null) {
                return existing;
            }
            Path dir = leastLoadedDirectory();
            try {
                PartitionLog log = PartitionLog.open(dir.resolve(partition.directoryName()), config, io, clock);
                io.syncDirectory(dir);
                logs.put(partition, log);
                LOG.info("Created log for {} in {}", partition, dir);
                return log;
            } catch (IOException e) {
                throw new StorageException(ErrorCode.STORAGE_ERROR, "cannot create the log of "
                        + partition + " in " + dir + ": " + e, e);
            }
        }
    }

    private Path leastLoadedDirectory() {
        Map<Path, Integer> counts = new HashMap<>();
        for (Path dir : liveDirectories) {
            counts.put(dir, 0);
        }
        for (PartitionLog log : logs.values()) {
            counts.computeIfPresent(log.directory().getParent(), (dir, count) -> count + 1);
        }
        Path best = liveDirectories.get(0);
        for (Path dir : liveDirectories) {
            if (counts.get(dir) < counts.get(best)) {
                best = dir;
            }
        }
        return best;
    }

    /** Closes and deletes the log of {@code partition}, if any. */
    public void delete(TopicPartition partition) throws IOException {
        PartitionLog log = logs.remove(partition);
        if (log != null) {
            log.delete();
        }
    }

    /** Every log, by partition (a snapshot). */
    public Map<TopicPartition, PartitionLog> logs() {
        return Collections.unmodifiableMap(new HashMap<>(logs));
    }

    public List<Path> liveDirectories() {
        return List.copyOf(liveDirectories);
    }

    /** Offline log directories and why. */
    public Map<Path, String> offlineDirectories() {
        return Collections.unmodifiableMap(offlineDirectories);
    }

    public LogConfig defaultConfig() {
        return defaultConfig;
    }

    public void updateDefaultConfig(LogConfig config) {
        this.defaultConfig = config;
    }

    // ---------------------------------------------------------------------------------------
    // Background work, one pass each

    /** Applies retention to every log; returns the number of segments deleted. */
    public int runRetention() {
        int deleted = 0;
        for (PartitionLog log : logs.values()) {
            try {
                deleted += log.deleteOldSegments();
            } catch (StorageException e) {
                LOG.error("Retention failed for {}: {}", log.topicPartition(), e.getMessage());
            }
        }
        return deleted;
    }

    /** Flushes every log whose unflushed data is older than its {@code flush.ms}. */
    public void runFlush() {
        for (PartitionLog log : logs.values()) {
            try {
                log.flushIfDue();
            } catch (StorageException e) {
                LOG.error("Flush failed for {}: {}", log.topicPartition(), e.getMessage());
            }
        }
    }

    /** Writes every log's recovery point checkpoint that moved. */
    public void runCheckpoints() {
        for (PartitionLog log : logs.values()) {
            try {
                log.checkpointRecoveryPoint();
            } catch (StorageException e) {
                LOG.error("Checkpoint failed for {}: {}", log.topicPartition(), e.getMessage());
            }
        }
    }

    /** One compaction pass: cleans every compacted log whose dirty ratio calls for it. Returns how many. */
    public int runCleaner() {
        int cleaned = 0;
        for (PartitionLog log : logs.values()) {
            try {
                if (LogCleaner.clean(log, false).cleaned()) {
                    cleaned++;
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("Compaction failed for {}: {}", log.topicPartition(), e.toString());
            }
        }
        return cleaned;
    }

    /** Compacts one log now, whatever its dirty ratio (tools and tests). */
    public boolean compactNow(TopicPartition partition) throws IOException {
        PartitionLog log = logs.get(partition);
        return log != null && LogCleaner.clean(log, true).cleaned();
    }

    /** Schedules the background passes on the manager's own daemon threads. Idempotent. */
    public synchronized void startBackgroundTasks() {
        if (scheduler != null) {
            return;
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(2, runnable -> {
            Thread thread = new Thread(runnable, "brook-log-manager");
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        scheduler = executor;
        schedule(this::runRetention, settings.get(RETENTION_CHECK_INTERVAL_MS));
        schedule(this::runFlush, settings.get(FLUSH_SCHEDULER_INTERVAL_MS));
        schedule(this::runCheckpoints, settings.get(FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS));
        if (settings.get(CLEANER_ENABLE)) {
            schedule(this::runCleaner, Math.max(1L, settings.get(CLEANER_BACKOFF_MS)));
        }
    }

    private void schedule(Runnable task, long intervalMs) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("Background log task failed", e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Stops the background work and closes every log cleanly (flush, checkpoints, marker). */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (scheduler != null) {
                scheduler.shutdownNow();
                try {
                    scheduler.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                scheduler = null;
            }
        }
        IOException failure = null;
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        logs.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
