package io.brook.metadata.internal.ratis;

import io.brook.common.LoopbackPorts;
import io.brook.metadata.testing.Await;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataProvenance;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.StorageFormatter;
import io.brook.metadata.internal.LeadershipListener;
import io.brook.metadata.internal.MetadataLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * N controllers in this JVM on 127.0.0.1 with free ports and their own directories under one
 * temp dir, plus helpers to append as the active controller. Always {@link #close()} it.
 */
final class TestQuorum implements AutoCloseable {
    /** Ratis's relocated gRPC logs through java.util.logging; JUL keeps only weak references. */
    private static final List<Logger> QUIET_JUL = List.of(
            Logger.getLogger("org.apache.ratis.thirdparty.io.grpc"),
            Logger.getLogger("org.apache.ratis.thirdparty.io.netty"));

    static {
        QUIET_JUL.forEach(l -> l.setLevel(Level.SEVERE));
    }

    static final int ELECTION_TIMEOUT_MS = 500;

    /** Records leadership calls; {@link #activeTerm} is the term led now, or -1. */
    static final class RecordingListener implements LeadershipListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile long activeTerm = -1;

        @Override
        public void becomeLeader(long term) {
            calls.add("become " + term);
            activeTerm = term;
        }

        @Override
        public void resign(long term, int newLeaderId) {
            calls.add("resign " + term);
            activeTerm = -1;
        }
    }

    private final Path root;
    private final String clusterId = StorageFormatter.randomClusterId(new Random());
    private final long snapshotIntervalRecords;
    private final long snapshotIntervalBytes;
    private final int logSegmentBytes;
    private final List<QuorumVoter> voters = new ArrayList<>();
    private final Map<Integer, QuorumVoter> addresses = new TreeMap<>();
    final Map<Integer, RaftQuorumNode> running = new ConcurrentHashMap<>();
    final Map<Integer, RecordingListener> listeners = new ConcurrentHashMap<>();
    /** More publishers for a node, given to it at each start (set before starting it). */
    final Map<Integer, List<MetadataPublisher>> extraPublishers = new ConcurrentHashMap<>();
    /** Provenance indexes published to each node's publisher, in publication order. */
    final Map<Integer, List<Long>> published = new ConcurrentHashMap<>();

    TestQuorum(Path root, int voterCount, long snapshotIntervalRecords, int logSegmentBytes) {
        this(root, voterCount, snapshotIntervalRecords, QuorumConfig.SNAPSHOT_INTERVAL_BYTES.defaultValue(),
                logSegmentBytes);
    }

    TestQuorum(Path root, int voterCount, long snapshotIntervalRecords, long snapshotIntervalBytes, int logSegmentBytes) {
        this.root = root;
        this.snapshotIntervalRecords = snapshotIntervalRecords;
        this.snapshotIntervalBytes = snapshotIntervalBytes;
        this.logSegmentBytes = logSegmentBytes;
        for (int id = 1; id <= voterCount; id++) {
            QuorumVoter voter = new QuorumVoter(id, "127.0.0.1", LoopbackPorts.free());
            voters.add(voter);
            addresses.put(id, voter);
        }
    }

    /** Starts every initial voter. */
    TestQuorum startAll() {
        voters.forEach(v -> start(v.id()));
        return this;
    }

    /** Starts (or restarts, on the same directory and port) node {@code id}; a new id joins. */
    RaftQuorumNode start(int id) {
        QuorumVoter self = addresses.computeIfAbsent(id, i -> new QuorumVoter(i, "127.0.0.1", LoopbackPorts.free()));
        Path dir = root.resolve("node-" + id);
        StorageFormatter.format(dir, clusterId, id, true);
        RecordingListener listener = listeners.computeIfAbsent(id, i -> new RecordingListener());
        List<Long> indexes = published.computeIfAbsent(id, i -> new CopyOnWriteArrayList<>());
        List<MetadataPublisher> publishers = new ArrayList<>();
        publishers.add((delta, image) -> indexes.add(image.provenance().lastAppliedIndex()));
        publishers.addAll(extraPublishers.getOrDefault(id, List.of()));
        RaftQuorumNode node = new RaftQuorumNode(new RaftQuorumNode.Settings(id, voters, self, dir,
                ELECTION_TIMEOUT_MS, snapshotIntervalRecords, snapshotIntervalBytes, logSegmentBytes), listener,
                publishers);
        try {
            node.start();
        } catch (IOException e) {
            node.close();
            throw new UncheckedIOException(e);
        }
        running.put(id, node);
        return node;
    }

    QuorumVoter address(int id) {
        return addresses.get(id);
    }

    RaftQuorumNode node(int id) {
        return running.get(id);
    }

    /** Closes node {@code id} (a crash as far as the others can tell). */
    void kill(int id) {
        RaftQuorumNode node = running.remove(id);
        if (node != null) {
            node.close();
        }
    }

    /** Waits for an active controller (a running node told becomeLeader and not resigned); its id. */
    int awaitActiveController(Duration timeout) {
        int[] found = {-1};
        Await.until("a controller becomes active", timeout, () -> {
            found[0] = activeController();
            return found[0] >= 0;
        }, this::describe);
        return found[0];
    }

    int activeController() {
        for (Map.Entry<Integer, RaftQuorumNode> e : running.entrySet()) {
            if (listeners.get(e.getKey()).activeTerm >= 0) {
                return e.getKey();
            }
        }
        return -1;
    }

    /**
     * Appends one batch as the active controller of the moment, retrying refusals
     * ({@link MetadataLog.NotLeaderException}) and unknown outcomes until the deadline. Retried
     * batches must be idempotent. Returns the log index of the acknowledged append.
     */
    long appendAcked(List<MetadataRecord> records, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() - deadline < 0) {
            int leader = activeController();
            RaftQuorumNode node = leader < 0 ? null : running.get(leader);
            long term = leader < 0 ? -1 : listeners.get(leader).activeTerm;
            if (node == null || term < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                continue;
            }
            try {
                return node.metadataLog().append(term, records).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                last = e.getCause();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            } catch (TimeoutException | RuntimeException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no acknowledged append within " + timeout.toMillis() + " ms; last error: " + last
                + "; state: " + describe());
    }

    /** Waits until every running node's image equals {@code expected} (content, not provenance). */
    void awaitConverged(MetadataImage expected, Duration timeout) {
        Await.until("every running controller has the expected image", timeout,
                () -> running.values().stream().allMatch(n -> n.image().equals(expected)), this::describe);
    }

    String describe() {
        return running.values().stream().map(n -> {
            try {
                QuorumStatus s = n.status();
                return n.nodeId() + ":" + s.role() + " term=" + s.currentTerm() + " leader=" + s.leaderId()
                        + " applied=" + s.lastAppliedIndex() + " logStart=" + s.logStartIndex()
                        + " snapshot=" + s.lastSnapshotIndex() + " active=" + listeners.get(n.nodeId()).activeTerm
                        + " configKeys=" + n.image().configs().configs(ConfigResource.cluster()).size();
            } catch (RuntimeException e) {
                return n.nodeId() + ":" + e;
            }
        }).collect(Collectors.joining(" | ", "[", "]"));
    }

    /** Closes every running node in parallel (each close takes about 1 s). */
    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Integer id : List.copyOf(running.keySet())) {
            RaftQuorumNode node = running.remove(id);
            closing.add(CompletableFuture.runAsync(node::close));
        }
        closing.forEach(CompletableFuture::join);
    }

    static List<MetadataRecord> config(String key, String value) {
        return List.of(MetadataRecord.newBuilder().setConfig(ConfigRecord.newBuilder()
                .setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER).setResourceName("")
                .setName(key).setValue(value)).build());
    }

    static Map<String, String> clusterConfigs(MetadataImage image) {
        return image.configs().configs(ConfigResource.cluster());
    }

    static boolean strictlyIncreasing(List<Long> values) {
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) <= values.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    static MetadataProvenance provenance(RaftQuorumNode node) {
        return node.image().provenance();
    }

}
