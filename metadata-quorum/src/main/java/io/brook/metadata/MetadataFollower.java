package io.brook.metadata;

import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.common.Clock;
import io.brook.metadata.internal.MetadataUpdateApplier;
import io.brook.metadata.internal.grpc.MetadataWatchClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of metadata propagation: follows the committed metadata through a
 * {@code WatchMetadata} stream from one controller at a time, keeps its own {@link MetadataImage},
 * and hands every new image with its delta to local publishers, in log order, on one thread
 * ({@code metadata-follower}; publishers hand long work to their own threads).
 *
 * <p>Controllers are tried in the given order, starting with the first (the caller may rotate the
 * list, e.g. by broker id, to spread brokers over controllers). When a stream ends or fails, the
 * follower moves to the next controller after a backoff (50 ms doubling to 2 s, reset by the first
 * update received) and resumes after its last applied index. A controller that no longer holds
 * that position sends a snapshot, which replaces the image (its delta has base
 * {@link MetadataImage#EMPTY}).
 *
 * <p><b>What is persisted.</b> The follower does not persist its image, so after a restart it
 * starts from index 0 (a snapshot). It does persist the last applied index (and term) in
 * {@code <stateDir>/metadata-follower.checkpoint}, written atomically (temp file, fsync, rename,
 * directory fsync) at most once per second and on {@link #close}: for operators and for reporting
 * how far the broker was ({@link #checkpointAtStart()}). The live position for the heartbeat's
 * {@code current_metadata_offset} is {@link #lastAppliedIndex()}.
 */
public final class MetadataFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataFollower.class);
    static final String CHECKPOINT_FILE = "metadata-follower.checkpoint";
    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 2_000;
    private static final long CHECKPOINT_INTERVAL_MS = 1_000;

    private final List<String> controllers;
    private final Path stateDir;
    private final List<MetadataPublisher> publishers;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final MetadataWatchClient client;

    // Written only on the follower thread.
    private final MetadataUpdateApplier applier = new MetadataUpdateApplier(MetadataImage.EMPTY);
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile String connectedTo;
    private volatile MetadataProvenance checkpointAtStart = MetadataProvenance.EMPTY;
    private MetadataWatchClient.Watch watch;
    private int generation;
    private int nextController;
    private long backoffMs = MIN_BACKOFF_MS;
    private boolean receivedOnStream;
    private long disconnectedSinceNanos;
    private boolean forceSnapshot;
    private MetadataProvenance checkpointed = MetadataProvenance.EMPTY;
    private boolean started;
    private boolean closed;

    /**
     * @param controllers controller RPC addresses, {@code host:port}
     * @param stateDir    where the checkpoint file lives (created if missing)
     * @param publishers  receive every new image, in order, on the follower thread
     */
    public MetadataFollower(List<String> controllers, Path stateDir, List<MetadataPublisher> publishers, Clock clock) {
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("no controller addresses");
        }
        this.controllers = List.copyOf(controllers);
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.publishers = List.copyOf(publishers);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metadata-follower");
            t.setDaemon(true);
            return t;
        });
        this.client = new MetadataWatchClient(thread);
    }

    /** Reads the checkpoint and starts following (from index 0: the image is not persisted). */
    public void start() throws IOException {
        Files.createDirectories(stateDir);
        MetadataProvenance previous = readCheckpoint(stateDir.resolve(CHECKPOINT_FILE));
        checkpointAtStart = previous;
        checkpointed = previous;
        log.info("Metadata follower: starting from a snapshot (checkpoint from the last run: index {}, term {})",
                previous.lastAppliedIndex(), previous.lastAppliedTerm());
        runOnThread(() -> {
            if (started || closed) {
                throw new IllegalStateException(closed ? "closed" : "already started");
            }
            started = true;
            disconnectedSinceNanos = clock.nanoseconds();
            connect();
        });
        thread.scheduleWithFixedDelay(this::checkpointIfChanged, CHECKPOINT_INTERVAL_MS, CHECKPOINT_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    /** The latest image (volatile read, any thread). */
    public MetadataImage image() {
        return image;
    }

    /** The log index of {@link #image()}: what the broker reports as its metadata offset. */
    public long lastAppliedIndex() {
        return image.provenance().lastAppliedIndex();
    }

    /** The controller address of the open stream, or null between streams. */
    public String connectedTo() {
        return connectedTo;
    }

    /** The position read from the checkpoint file at {@link #start()} (EMPTY when there was none). */
    public MetadataProvenance checkpointAtStart() {
        return checkpointAtStart;
    }

    // ------------------------------------------------------------ follower thread

    private void connect() {
        if (closed) {
            return;
        }
        String address = controllers.get(nextController % controllers.size());
        long after = forceSnapshot ? 0 : applier.image().provenance().lastAppliedIndex();
        int streamGeneration = ++generation;
        receivedOnStream = false;
        connectedTo = address;
        log.info("Metadata follower: watching controller {} after index {}", address, after);
        try {
            watch = client.watch(address, after, new MetadataWatchClient.Listener() {
                @Override
                public void onUpdate(MetadataUpdate update) {
                    if (streamGeneration == generation && !closed) {
                        handle(update);
                    }
                }

                @Override
                public void onEnd(Throwable error) {
                    if (streamGeneration == generation && !closed) {
                        streamEnded(address, error);
                    }
                }
            });
        } catch (RuntimeException e) { // a malformed address
            streamEnded(address, e);
        }
    }

    private void handle(MetadataUpdate update) {
        MetadataUpdateApplier.Applied applied;
        try {
            applied = applier.apply(update);
        } catch (RuntimeException e) {
            log.error("Metadata follower: an update from {} does not apply to the image at {}; "
                    + "asking the next controller for a snapshot", connectedTo, applier.image().provenance(), e);
            forceSnapshot = true;
            watch.cancel();
            streamEnded(connectedTo, e);
            return;
        }
        if (!receivedOnStream) {
            receivedOnStream = true;
            backoffMs = MIN_BACKOFF_MS;
        }
        if (applied == null) {
            return;
        }
        forceSnapshot = false;
        image = applied.image();
        for (MetadataPublisher publisher : publishers) {
            try {
                publisher.onMetadataUpdate(applied.delta(), applied.image());
            } catch (RuntimeException e) {
                log.error("Metadata follower: publisher {} failed at {}", publisher, applied.image().provenance(), e);
            }
        }
    }

    private void streamEnded(String address, Throwable error) {
        generation++; // ignore anything more from that stream
        watch = null;
        connectedTo = null;
        applier.resetStream();
        if (receivedOnStream) {
            disconnectedSinceNanos = clock.nanoseconds();
        }
        nextController++;
        String next = controllers.get(nextController % controllers.size());
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        log.info("Metadata follower: stream from {} ended ({}) at index {}, {} ms without a stream; "
                        + "switching to {} in {} ms", address, error == null ? "completed" : error.toString(),
                applier.image().provenance().lastAppliedIndex(),
                (clock.nanoseconds() - disconnectedSinceNanos) / 1_000_000, next, delay);
        thread.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void checkpointIfChanged() {
        MetadataProvenance now = image.provenance();
        if (!now.equals(checkpointed)) {
            try {
                writeCheckpoint(stateDir.resolve(CHECKPOINT_FILE), now);
                checkpointed = now;
            } catch (IOException e) {
                log.warn("Metadata follower: cannot write the checkpoint at {}", now, e);
            }
        }
    }

    // ------------------------------------------------------------ checkpoint file

    static MetadataProvenance readCheckpoint(Path file) throws IOException {
        Properties props = new Properties();
        try {
            props.load(new java.io.StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return MetadataProvenance.EMPTY;
        }
        try {
            return new MetadataProvenance(Long.parseLong(props.getProperty("last.applied.index", "0").trim()),
                    Long.parseLong(props.getProperty("last.applied.term", "0").trim()));
        } catch (NumberFormatException e) {
            throw new IOException("malformed metadata follower checkpoint " + file, e);
        }
    }

    static void writeCheckpoint(Path file, MetadataProvenance position) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] content = ("# Brook broker: the last metadata log position applied (the image itself is not kept)\n"
                + "last.applied.index=" + position.lastAppliedIndex() + "\n"
                + "last.applied.term=" + position.lastAppliedTerm() + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }

    // ------------------------------------------------------------ life cycle

    private void runOnThread(Runnable task) {
        try {
            thread.submit(task).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the metadata follower thread is stuck", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops following, writes the checkpoint, closes the channels and the thread. Idempotent. */
    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        try {
            runOnThread(() -> {
                closed = true;
                generation++;
                if (watch != null) {
                    watch.cancel();
                    watch = null;
                }
                connectedTo = null;
                if (started) {
                    checkpointIfChanged();
                }
            });
        } catch (RuntimeException e) {
            log.warn("Metadata follower: close", e);
        }
        client.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests: the checkpoint file's content (index, term), or EMPTY. */
    static MetadataProvenance checkpointIn(Path stateDir) {
        try {
            return readCheckpoint(stateDir.resolve(CHECKPOINT_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
