package io.brook.cli;

import io.brook.broker.BrookNode;
import io.brook.broker.NodeConfig;
import io.brook.common.ConfigException;
import io.brook.metadata.MetaProperties;
import io.brook.metadata.StorageFormatException;
import io.brook.metadata.StorageFormatter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster {@code brook dev} runs: N combined nodes ({@code process.roles=broker,controller})
 * in this JVM on 127.0.0.1, each configured like a {@code server.properties} and started with
 * {@link BrookNode#start}, exactly as {@code brook server start} starts a node.
 *
 * <p>The data directory holds {@code node-<i>} for node i (formatted as {@code brook storage format}
 * does) and {@value #MARKER}: the cluster id, node count and base port of the first run, so that
 * a later run reuses the data and refuses a different shape.
 *
 * <p>Thread-safe: {@link #stop} may run at any time (a JVM shutdown hook), also while
 * {@link #start} is still starting the nodes.
 */
final class DevCluster {
    static final String MARKER = "brook-dev.properties";
    static final String HOST = "127.0.0.1";
    static final int MAX_NODES = 9;
    /** The controller services follow the brokers' ports at this offset, the Raft servers at twice it. */
    static final int PORT_STRIDE = 100;
    private static final Logger log = LoggerFactory.getLogger(DevCluster.class);
    private static final Pattern NODE_DIR = Pattern.compile("node-(\\d+)");

    /**
     * Where the nodes of a dev cluster listen and keep their data. For node i (1..nodes) and base
     * port P: the broker's PLAINTEXT listener on P+i-1, the controller service (CONTROLLER
     * listener) on P+100+i-1, the controller's Raft server on P+200+i-1; its data in dataDir/node-i.
     */
    record Layout(int nodes, int basePort, Path dataDir) {
        Layout {
            dataDir = dataDir.toAbsolutePath().normalize();
        }

        static int maxBasePort(int nodes) {
            return 65_535 - 2 * PORT_STRIDE - (nodes - 1);
        }

        int brokerPort(int node) {
            return basePort + node - 1;
        }

        int controllerPort(int node) {
            return basePort + PORT_STRIDE + node - 1;
        }

        int raftPort(int node) {
            return basePort + 2 * PORT_STRIDE + node - 1;
        }

        Path nodeDir(int node) {
            return dataDir.resolve("node-" + node);
        }

        List<Integer> nodeIds() {
            return IntStream.rangeClosed(1, nodes).boxed().toList();
        }

        String bootstrapServers() {
            return join(node -> HOST + ":" + brokerPort(node));
        }

        String controllerServers() {
            return join(node -> HOST + ":" + controllerPort(node));
        }

        private String join(IntFunction<String> address) {
            return nodeIds().stream().map(address::apply).collect(Collectors.joining(","));
        }

        /** Node i's configuration, key by key as its server.properties would hold it. */
        Map<String, String> nodeConfig(int node) {
            Map<String, String> raw = new LinkedHashMap<>();
            raw.put("node.id", Integer.toString(node));
            raw.put("process.roles", "broker,controller");
            raw.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort(node) + ",CONTROLLER://" + HOST + ":"
                    + controllerPort(node));
            raw.put("controller.quorum.voters", join(id -> id + "@" + HOST + ":" + raftPort(id)));
            // Every controller, so that the broker finds the active one (by default a combined node
            // asks only its own controller).
            raw.put("controller.quorum.bootstrap.servers", controllerServers());
            raw.put("log.dirs", nodeDir(node).toString());
            // Kafka's production advice where the cluster is big enough: 3 replicas, acks=all needs 2.
            raw.put("default.replication.factor", Integer.toString(Math.min(nodes, 3)));
            raw.put("min.insync.replicas", nodes >= 3 ? "2" : "1");
            return raw;
        }
    }

    private final Layout layout;
    private final BrookNode[] nodes;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private String clusterId;
    private boolean stopping;
    /** The threads starting the nodes, while {@link #start} runs. */
    private ExecutorService starters;

    DevCluster(Layout layout) {
        this.layout = layout;
        this.nodes = new BrookNode[layout.nodes() + 1];
    }

    Layout layout() {
        return layout;
    }

    /** The cluster id (after {@link #prepareStorage}). */
    synchronized String clusterId() {
        return clusterId;
    }

    /** The running node with this id (1..nodes), or null while it is not (yet) running. */
    synchronized BrookNode node(int id) {
        return nodes[id];
    }

    /**
     * Checks the data directory against the layout, without changing anything: a directory of
     * an earlier run must have the same node count (and, with more than one node, the same base
     * port: the controllers keep their peers' Raft addresses in their logs).
     *
     * @return the cluster id of the existing data, or null when the directory holds none yet
     * @throws CliException naming what differs and what to do
     */
    String checkStorage() {
        Path dataDir = layout.dataDir();
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new CliException("Data directory " + dataDir + " is a file, not a directory.");
        }
        Path marker = dataDir.resolve(MARKER);
        TreeSet<Integer> formatted = formattedNodeDirs(dataDir);
        if (!Files.exists(marker)) {
            if (!formatted.isEmpty()) {
                throw new CliException("Data directory " + dataDir + " holds formatted node directories ("
                        + formatted.stream().map(i -> "node-" + i).collect(Collectors.joining(", ")) + ") but no "
                        + MARKER + ": it was not made by brook dev, or its first start was interrupted; use another "
                        + "--data-dir, or delete it to start afresh.");
            }
            return null;
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new CliException("Cannot read " + marker + ": " + e.getMessage());
        }
        String id = props.getProperty("cluster.id");
        int recordedNodes = intProperty(marker, props, "nodes");
        int recordedPort = intProperty(marker, props, "port");
        if (id == null) {
            throw new CliException(marker + " has no cluster.id; delete " + dataDir + " to start afresh.");
        }
        if (recordedNodes != layout.nodes()) {
            throw new CliException("Data directory " + dataDir + " holds a " + recordedNodes + "-node dev cluster, not "
                    + layout.nodes() + (layout.nodes() == 1 ? " node" : " nodes") + ": run with --nodes " + recordedNodes + ", or use another --data-dir "
                    + "(or delete it to start afresh).");
        }
        if (layout.nodes() > 1 && recordedPort != layout.basePort()) {
            throw new CliException("Data directory " + dataDir + " holds a dev cluster started with --port "
                    + recordedPort + " (its controllers keep their peers' addresses): run with --port " + recordedPort
                    + ", or use another --data-dir.");
        }
        for (int node : layout.nodeIds()) {
            MetaProperties meta;
            try {
                meta = StorageFormatter.read(layout.nodeDir(node));
            } catch (StorageFormatException e) {
                throw new CliException(e.getMessage());
            }
            if (!meta.clusterId().equals(id) || meta.nodeId() != node) {
                throw new CliException("Node directory " + layout.nodeDir(node) + " is formatted for cluster.id="
                        + meta.clusterId() + ", node.id=" + meta.nodeId() + " but " + marker + " says cluster.id="
                        + id + ", node.id=" + node + ".");
            }
        }
        return id;
    }

    private static int intProperty(Path file, Properties props, String key) {
        try {
            return Integer.parseInt(props.getProperty(key, "").trim());
        } catch (NumberFormatException e) {
            throw new CliException(file + " has no valid " + key + " (found '" + props.getProperty(key) + "').");
        }
    }

    private static TreeSet<Integer> formattedNodeDirs(Path dataDir) {
        TreeSet<Integer> out = new TreeSet<>();
        if (!Files.isDirectory(dataDir)) {
            return out;
        }
        try (var entries = Files.list(dataDir)) {
            entries.forEach(entry -> {
                Matcher m = NODE_DIR.matcher(entry.getFileName().toString());
                if (m.matches() && Files.exists(entry.resolve(MetaProperties.FILE_NAME))) {
                    out.add(Integer.parseInt(m.group(1)));
                }
            });
        } catch (IOException e) {
            throw new CliException("Cannot read data directory " + dataDir + ": " + e.getMessage());
        }
        return out;
    }

    /**
     * Checks that every port of the layout is free on 127.0.0.1, so that a port in use is one
     * clear line before anything starts (the nodes' own binds fail later if another process
     * takes a port in between).
     */
    void checkPortsFree() {
        for (int node : layout.nodeIds()) {
            checkPortFree(layout.brokerPort(node), "node " + node + "'s broker listener");
            checkPortFree(layout.controllerPort(node), "node " + node + "'s controller service");
            checkPortFree(layout.raftPort(node), "node " + node + "'s Raft server");
        }
    }

    private void checkPortFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
        } catch (IOException e) {
            throw new CliException("Port " + port + " on " + HOST + " (" + what + ") is in use: stop what holds it, "
                    + "or choose another base port with --port (the cluster uses --port+0.." + (layout.nodes() - 1)
                    + ", +" + PORT_STRIDE + ".., +" + 2 * PORT_STRIDE + "..).");
        }
    }

    /**
     * Formats the data directory for a new cluster when it holds none (see {@link #checkStorage}),
     * printing what it formats.
     *
     * @param existingClusterId what {@link #checkStorage} returned
     * @return true when it formatted now
     */
    boolean prepareStorage(String existingClusterId, PrintWriter out) {
        if (existingClusterId != null) {
            synchronized (this) {
                clusterId = existingClusterId;
            }
            return false;
        }
        Path dataDir = layout.dataDir();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new CliException("Cannot create data directory " + dataDir + ": " + describe(e));
        }
        if (!Files.isWritable(dataDir)) {
            throw new CliException("Data directory " + dataDir + " is not writable.");
        }
        String id = StorageCommand.newClusterId();
        for (int node : layout.nodeIds()) {
            Map<String, String> raw = layout.nodeConfig(node);
            StorageCommand.formatDirectories(out, StorageCommand.directories(raw::get), id, node, false);
        }
        // Last, so that an interrupted first run is recognised (formatted nodes, no marker).
        Path marker = dataDir.resolve(MARKER);
        Path temp = dataDir.resolve(MARKER + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            writer.write("# Written by `brook dev` on its first run. Later runs reuse this data and need the same "
                    + "--nodes (and --port).\n# Delete this whole directory to start afresh.\n");
            writer.write("cluster.id=" + id + "\nnodes=" + layout.nodes() + "\nport=" + layout.basePort() + "\n");
        } catch (IOException e) {
            throw new CliException("Cannot write " + temp + ": " + describe(e));
        }
        try {
            Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("Cannot write " + marker + ": " + describe(e));
        }
        synchronized (this) {
            clusterId = id;
        }
        return true;
    }

    /**
     * Starts every node in parallel (a controller quorum needs a majority of its voters up to
     * elect a leader) and waits until every broker is unfenced.
     *
     * @return true when the cluster is up, false when {@link #stop} was called meanwhile
     * @throws CliException when a node cannot start or the brokers are not unfenced within
     *     {@code upTimeout}; the nodes that started are stopped again
     */
    boolean start(Duration upTimeout) {
        List<NodeConfig> configs = new ArrayList<>();
        for (int node : layout.nodeIds()) {
            try {
                configs.add(NodeConfig.parse(layout.nodeConfig(node)));
            } catch (ConfigException | IllegalArgumentException e) {
                throw new CliException("Invalid configuration for node " + node + ": " + e.getMessage());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(layout.nodes(), r -> {
            Thread t = new Thread(r, "brook-dev-start");
            t.setDaemon(true);
            return t;
        });
        synchronized (this) {
            if (stopping) {
                pool.shutdown();
                return false;
            }
            this.starters = pool;
        }
        try {
            List<Future<?>> started = new ArrayList<>();
            for (NodeConfig config : configs) {
                try {
                    started.add(pool.submit(() -> {
                        startNode(config);
                        return null;
                    }));
                } catch (RejectedExecutionException stoppedMeanwhile) {
                    break; // stop() shut the pool down; the nodes already submitted close themselves
                }
            }
            CliException failure = null;
            for (int i = 0; i < started.size(); i++) {
                try {
                    started.get(i).get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = nodeFailure(i + 1, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop();
                    return false;
                }
            }
            if (failure != null) {
                stop();
                throw failure;
            }
        } finally {
            pool.shutdown();
        }
        return awaitUnfenced(upTimeout);
    }

    private void startNode(NodeConfig config) throws IOException {
        synchronized (this) {
            if (stopping) {
                return;
            }
        }
        BrookNode node = BrookNode.start(config);
        boolean keep;
        synchronized (this) {
            keep = !stopping;
            if (keep) {
                nodes[config.nodeId()] = node;
            }
        }
        if (!keep) {
            node.close();
        }
    }

    private static CliException nodeFailure(int node, Throwable cause) {
        if (cause instanceof CliException cli) {
            return cli;
        }
        if (cause instanceof ConfigException || cause instanceof StorageFormatException) {
            return new CliException("Node " + node + ": " + oneLine(cause.getMessage()));
        }
        return new CliException("Node " + node + " could not start: " + describe(cause));
    }

    private boolean awaitUnfenced(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Integer> fenced = new ArrayList<>();
            synchronized (this) {
                if (stopping) {
                    return false;
                }
                for (int id : layout.nodeIds()) {
                    if (nodes[id].brokerLifecycle().isFenced()) {
                        fenced.add(id);
                    }
                }
            }
            if (fenced.isEmpty()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                stop();
                throw new CliException("The dev cluster did not come up within " + timeout.toSeconds() + " s: broker"
                        + (fenced.size() == 1 ? " " : "s ") + fenced.stream().map(String::valueOf)
                        .collect(Collectors.joining(", ")) + " still fenced (see the log above).");
            }
            if (Thread.interrupted()) {
                stop();
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * Stops the nodes and returns when they are stopped: first every broker's controlled shutdown,
     * in parallel while every controller still runs (the last broker would otherwise wait for a
     * quorum that is gone), then every node. A second call waits for the first.
     *
     * @return true when this call stopped a running cluster, false when it was already stopping
     */
    boolean stop() {
        List<BrookNode> running = new ArrayList<>();
        ExecutorService startingNodes;
        synchronized (this) {
            startingNodes = starters;
            if (stopping) {
                running = null;
            } else {
                stopping = true;
                for (BrookNode node : nodes) {
                    if (node != null) {
                        running.add(node);
                    }
                }
            }
        }
        if (running == null) {
            awaitStopped();
            return false;
        }
        try {
            inParallel(running, node -> node.brokerLifecycle().close());
            inParallel(running, BrookNode::close);
            if (startingNodes != null) {
                // A node whose start was under way closes itself (startNode); wait for it.
                startingNodes.shutdown();
                startingNodes.awaitTermination(1, TimeUnit.MINUTES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.countDown();
        }
        return !running.isEmpty();
    }

    /** Blocks until {@link #stop} has finished. */
    void awaitStopped() {
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void inParallel(List<BrookNode> nodes, java.util.function.Consumer<BrookNode> action) {
        List<Thread> threads = new ArrayList<>();
        for (BrookNode node : nodes) {
            Thread t = new Thread(() -> {
                try {
                    action.accept(node);
                } catch (RuntimeException e) {
                    log.warn("Stopping a node failed", e);
                }
            }, "brook-dev-stop");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An exception as one line: its message and, when different, its root cause's. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message += " (" + (root instanceof BindException ? "port in use: " : "") + root.getMessage() + ")";
        }
        return oneLine(message);
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
