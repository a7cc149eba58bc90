package io.brook.broker;

import io.brook.common.LoopbackPorts;
import io.brook.common.Clock;
import io.brook.metadata.StorageFormatter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * N combined nodes (controller + broker, ids 1..N) in this JVM on 127.0.0.1, for tests and
 * benchmarks: real Ratis, real gRPC, real files. The Raft and controller ports are probed free once
 * and fixed for the cluster's life, the broker port is ephemeral; each node's directory is
 * {@code dir/node-<id>}, formatted at start. A node can be stopped (controlled shutdown), halted
 * (as a crash) and started again on the same directories and ports.
 *
 * <p>The configuration is the layout above plus {@code default.replication.factor = min(N, 3)}, then
 * the caller's overrides (which win): heartbeat and session timeouts, for instance, are the
 * caller's choice. A {@link NodeListener} hears every node that starts or stops, e.g. to keep a
 * client channel per running broker (this class has no client).
 *
 * <p>Thread-safe. Closing halts every node; the caller deletes {@code dir}.
 */
public final class LocalCluster implements AutoCloseable {
    /** How long starting waits for the nodes and for each broker to be unfenced. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** Hears the nodes of a cluster start and stop; called on the thread that starts or stops them. */
    public interface NodeListener {
        /** Node {@code id} has started; called before {@link #isRunning} reports it. */
        default void started(int id, BrookNode node) {}

        /** Node {@code id}, already out of the running set, has stopped or halted. */
        default void stopped(int id) {}
    }

    private static final NodeListener NONE = new NodeListener() {};

    private final Path dir;
    private final int size;
    private final Map<String, String> overrides;
    private final NodeListener listener;
    private final int[] raftPorts;
    private final int[] controllerPorts;
    private final String clusterId = StorageFormatter.randomClusterId(new Random());
    private final BrookNode[] nodes;

    private LocalCluster(Path dir, int size, Map<String, String> overrides, NodeListener listener) throws IOException {
        this.dir = dir;
        this.size = size;
        this.overrides = Map.copyOf(overrides);
        this.listener = listener;
        this.raftPorts = new int[size + 1];
        this.controllerPorts = new int[size + 1];
        this.nodes = new BrookNode[size + 1];
        for (int i = 1; i <= size; i++) {
            raftPorts[i] = LoopbackPorts.free();
            controllerPorts[i] = LoopbackPorts.free();
        }
    }

    /** {@link #start(Path, int, Map, NodeListener)} without a listener. */
    public static LocalCluster start(Path dir, int size, Map<String, String> overrides) throws Exception {
        return start(dir, size, overrides, NONE);
    }

    /**
     * Formats and starts {@code size} nodes in parallel with {@code overrides} and waits until every
     * broker is unfenced; on failure halts what started and throws.
     *
     * @throws IllegalStateException if a node does not start or a broker is not unfenced in time
     */
    public static LocalCluster start(Path dir, int size, Map<String, String> overrides, NodeListener listener)
            throws Exception {
        LocalCluster cluster = new LocalCluster(dir, size, overrides, listener);
        try {
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (int i = 1; i <= size; i++) {
                StorageFormatter.format(cluster.config(i).metadataDir(), cluster.clusterId, i, false);
                int id = i;
                starting.add(CompletableFuture.runAsync(() -> cluster.startNode(id)));
            }
            try {
                CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new))
                        .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("the " + size + " nodes did not start within " + START_TIMEOUT, e);
            }
            for (int i = 1; i <= size; i++) {
                cluster.awaitUnfenced(i);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    public int size() {
        return size;
    }

    /** Node {@code id}'s configuration (the same on every start). */
    public NodeConfig config(int id) {
        Map<String, String> raw = new HashMap<>();
        raw.put("node.id", Integer.toString(id));
        raw.put("process.roles", "broker,controller");
        raw.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + controllerPorts[id]);
        StringBuilder voters = new StringBuilder();
        StringBuilder controllers = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            voters.append(i > 1 ? "," : "").append(i).append("@127.0.0.1:").append(raftPorts[i]);
            controllers.append(i > 1 ? "," : "").append("127.0.0.1:").append(controllerPorts[i]);
        }
        raw.put("controller.quorum.voters", voters.toString());
        raw.put("controller.quorum.bootstrap.servers", controllers.toString());
        raw.put("log.dirs", dir.resolve("node-" + id).toString());
        raw.put("default.replication.factor", Integer.toString(Math.min(size, 3)));
        raw.putAll(overrides);
        return NodeConfig.parse(raw);
    }

    /**
     * Starts node {@code id} (formatted, not running) on its directories and ports without waiting
     * until it is unfenced; see {@link #restart}.
     */
    public void startNode(int id) {
        if (isRunning(id)) {
            throw new IllegalStateException("node " + id + " is running");
        }
        BrookNode node;
        try {
            node = BrookNode.start(config(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            listener.started(id, node);
        } catch (RuntimeException | Error e) {
            node.halt();
            throw e;
        }
        synchronized (this) {
            nodes[id] = node;
        }
    }

    /** Starts node {@code id} again on its directories and ports and waits until it is unfenced. */
    public void restart(int id) {
        startNode(id);
        awaitUnfenced(id);
    }

    /** @throws IllegalStateException if node {@code id} is not running */
    public synchronized BrookNode node(int id) {
        BrookNode node = nodes[id];
        if (node == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        return node;
    }

    public synchronized boolean isRunning(int id) {
        return nodes[id] != null;
    }

    /** The lowest id of a running node. */
    public synchronized int anyRunning() {
        for (int i = 1; i <= size; i++) {
            if (nodes[i] != null) {
                return i;
            }
        }
        throw new IllegalStateException("no node runs");
    }

    /** {@code host:port} of node {@code id}'s broker listener. */
    public String brokerAddress(int id) {
        return "127.0.0.1:" + node(id).brokerPort();
    }

    /** Crash: no controlled shutdown, calls cut. */
    public void halt(int id) {
        BrookNode node = detach(id);
        try {
            node.halt();
        } finally {
            listener.stopped(id);
        }
    }

    /** Controlled shutdown of node {@code id}: its broker leaves, then its controller stops. */
    public void stop(int id) {
        BrookNode node = detach(id);
        try {
            node.close();
        } finally {
            listener.stopped(id);
        }
    }

    /** Takes a node out of the running set (so callers stop picking it) before it is stopped. */
    private synchronized BrookNode detach(int id) {
        BrookNode node = node(id);
        nodes[id] = null;
        return node;
    }

    /**
     * Waits until node {@code id}'s broker is unfenced.
     *
     * @throws IllegalStateException after {@link #START_TIMEOUT}
     */
    public void awaitUnfenced(int id) {
        await("broker " + id + " unfenced", START_TIMEOUT, () -> !node(id).brokerLifecycle().isFenced());
    }

    /**
     * Polls {@code condition} (a throw counts as false) every 20 ms until it holds.
     *
     * @throws IllegalStateException naming {@code what} after {@code timeout}
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /** As {@link #await(String, Duration, BooleanSupplier)}, the timeout's message ending with {@code detail}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> detail) {
        Clock clock = Clock.system();
        long deadline = clock.nanoseconds() + timeout.toNanos();
        while (true) {
            boolean ok;
            try {
                ok = condition.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            if (clock.nanoseconds() - deadline > 0) {
                String more = detail.get();
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting until " + what
                        + (more.isEmpty() ? "" : " " + more));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }


    /** Halts every running node, in parallel. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            BrookNode node;
            synchronized (this) {
                node = nodes[i];
                nodes[i] = null;
            }
            if (node != null) {
                int id = i;
                stopping.add(CompletableFuture.runAsync(() -> {
                    try {
                        node.halt();
                    } finally {
                        listener.stopped(id);
                    }
                }));
            }
        }
        CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
    }
}
