package io.brook.chaos.cluster;

import io.brook.client.BrookAdmin;
import io.brook.client.ClusterDescription;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicDescription;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Brook cluster of real node processes (the cli's shaded jar, one JVM per node) that the chaos
 * harness can kill, pause and partition.
 *
 * <p><b>Layout.</b> By default N combined nodes (controller + broker), ids 1..N; with
 * {@link Settings.Builder#separateControllers(int) C separate controllers}, brokers 1..N and
 * controllers N+1..N+C. Under the work directory each node has {@code node-i/} (its data),
 * {@code node-i.properties} and {@code node-i.log} (stdout and stderr, appended across restarts);
 * {@link #close()} keeps them.
 *
 * <p><b>Network.</b> With {@link NetworkMode#NAMESPACES} (the default; needs root) every node runs
 * in a network namespace of its own at 10.A.B.i, and {@link #partition} cuts links between nodes
 * in both directions — broker-to-broker replication, controller-to-controller Raft and
 * broker-to-controller heartbeats alike (see {@link NamespaceNetwork}). <b>Client traffic is never
 * cut</b>: the harness (in the root namespace) reaches every node whatever the partition, so a
 * client may keep talking to a node that is cut off from the rest, as a client next to a
 * partitioned broker would. With {@link NetworkMode#LOOPBACK} the nodes share 127.0.0.1 with
 * distinct ports, and partitions are refused.
 *
 * <p><b>Views.</b> {@link #activeController()} and {@link #leaderOf} ask every running, unpaused
 * broker (a short timeout each, in parallel) and believe the freshest answer: the highest Raft
 * term, the highest leader epoch. A node cut off from the quorum keeps a stale view; the freshest
 * is the majority's.
 *
 * <p><b>Cleanup.</b> {@link #close()} kills every node (SIGKILL; a paused process dies too) and
 * removes the namespaces, veths and bridge; a shutdown hook does the same if the JVM exits
 * first. {@link #start} first removes leftovers of crashed runs: namespaces whose owner JVM is gone
 * (with the processes still in them) and node JVMs whose owner is gone (every node JVM carries
 * {@code -Dbrook.chaos.owner=PID}).
 *
 * <p>Thread-safe: the nemesis and the workload may call from different threads. Node state is
 * guarded by this object's monitor; waiting for a node to start happens outside it.
 */
public final class ChaosCluster implements FaultTarget, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChaosCluster.class);
    static final String OWNER_PROPERTY = "brook.chaos.owner";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    /**
     * How to build the cluster. Build with {@link #builder}.
     *
     * @param brokers broker nodes (combined controller + broker nodes when {@code controllers} is 0)
     * @param controllers separate controller-only nodes, 0 for combined nodes
     * @param jar the cli's shaded jar ({@code cli/target/cli-*-all.jar})
     * @param workDir where node data, configuration and logs go (created if missing)
     * @param jvmOptions options of every node JVM
     * @param nodeConfig keys added to (or replacing) every node's generated configuration
     * @param network namespaces (partitions possible, needs root) or loopback
     * @param partitionMethod how namespaces cut a link
     * @param startTimeout bound on formatting and starting the cluster, and on each restart
     */
    public record Settings(int brokers, int controllers, Path jar, Path workDir, List<String> jvmOptions,
            Map<String, String> nodeConfig, NetworkMode network, PartitionMethod partitionMethod,
            Duration startTimeout) {
        public Settings {
            if (brokers < 1) {
                throw new IllegalArgumentException("at least one broker, got " + brokers);
            }
            if (controllers < 0 || controllers == 0 && brokers > 253 || brokers + controllers > 253) {
                throw new IllegalArgumentException("between 1 and 253 nodes, got " + brokers + " brokers and "
                        + controllers + " controllers");
            }
            jvmOptions = List.copyOf(jvmOptions);
            nodeConfig = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodeConfig));
        }

        public static Builder builder(Path jar, Path workDir) {
            return new Builder(jar, workDir);
        }

        /** The newest {@code cli-*-all.jar} in {@code directory} (for example {@code ../cli/target}), if any. */
        public static Optional<Path> findJar(Path directory) {
            if (!Files.isDirectory(directory)) {
                return Optional.empty();
            }
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(directory, "cli-*-all.jar")) {
                found.forEach(jars::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return jars.stream().max(Comparator.comparing(p -> p.toFile().lastModified()));
        }

        /** Defaults: 3 combined nodes, {@code -Xmx256m -XX:+UseSerialGC}, namespaces with silent drops, 120 s. */
        public static final class Builder {
            private int brokers = 3;
            private int controllers;
            private final Path jar;
            private final Path workDir;
            private List<String> jvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
            private final Map<String, String> nodeConfig = new LinkedHashMap<>();
            private NetworkMode network = NetworkMode.NAMESPACES;
            private PartitionMethod partitionMethod = PartitionMethod.SILENT_DROP;
            private Duration startTimeout = Duration.ofSeconds(120);

            private Builder(Path jar, Path workDir) {
                this.jar = jar;
                this.workDir = workDir;
            }

            /** Broker nodes (combined nodes unless {@link #separateControllers}); 3 by default. */
            public Builder nodes(int brokers) {
                this.brokers = brokers;
                return this;
            }

            /** {@code count} controller-only nodes beside the brokers (0, the default: combined nodes). */
            public Builder separateControllers(int count) {
                this.controllers = count;
                return this;
            }

            public Builder jvmOptions(List<String> options) {
                this.jvmOptions = List.copyOf(options);
                return this;
            }

            /** A node configuration key for every node, for example {@code broker.session.timeout.ms}. */
            public Builder config(String key, Object value) {
                nodeConfig.put(key, String.valueOf(value));
                return this;
            }

            public Builder config(Map<String, ?> config) {
                config.forEach(this::config);
                return this;
            }

            public Builder network(NetworkMode network) {
                this.network = network;
                return this;
            }

            public Builder partitionMethod(PartitionMethod method) {
                this.partitionMethod = method;
                return this;
            }

            public Builder startTimeout(Duration timeout) {
                this.startTimeout = timeout;
                return this;
            }

            public Settings build() {
                return new Settings(brokers, controllers, jar, workDir, jvmOptions, nodeConfig, network,
                        partitionMethod, startTimeout);
            }
        }
    }

    private enum Role {
        COMBINED("broker,controller"), BROKER("broker"), CONTROLLER("controller");

        final String roles;

        Role(String roles) {
            this.roles = roles;
        }

        boolean broker() {
            return this != CONTROLLER;
        }

        boolean controller() {
            return this != BROKER;
        }
    }

    /** One node: its files, and its process while it runs. Guarded by the cluster's monitor. */
    private static final class Node {
        final int id;
        final Role role;
        final Path config;
        final Path log;
        Process process;
        boolean paused;
        /** Size of the log when the process was launched: its "started" line comes after. */
        long launchedAt;
        /** Asks this broker for its view; null for a controller-only node or while it does not run. */
        BrookAdmin probe;

        Node(int id, Role role, Path workDir) {
            this.id = id;
            this.role = role;
            this.config = workDir.resolve("node-" + id + ".properties");
            this.log = workDir.resolve("node-" + id + ".log");
        }

        boolean running() {
            return process != null && process.isAlive();
        }
    }

    private final Settings settings;
    private final ClusterNetwork network;
    private final Map<Integer, Node> nodes = new TreeMap<>();
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "chaos-cluster-probe");
        t.setDaemon(true);
        return t;
    });
    private final Thread shutdownHook = new Thread(this::close, "chaos-cluster-close");
    private boolean closed;

    private ChaosCluster(Settings settings, ClusterNetwork network) {
        this.settings = settings;
        this.network = network;
        for (int i = 1; i <= settings.brokers(); i++) {
            nodes.put(i, new Node(i, settings.controllers() == 0 ? Role.COMBINED : Role.BROKER, settings.workDir()));
        }
        for (int i = 1; i <= settings.controllers(); i++) {
            int id = settings.brokers() + i;
            nodes.put(id, new Node(id, Role.CONTROLLER, settings.workDir()));
        }
    }

    /**
     * Removes leftovers of crashed runs, sets up the network, formats every node's storage for one
     * new cluster id, starts every node and waits until every broker is registered and unfenced.
     * On failure everything started so far is removed again.
     *
     * @throws NetworkNamespacesUnavailableException with {@link NetworkMode#NAMESPACES} when namespaces cannot be made
     */
    public static ChaosCluster start(Settings settings) {
        if (!Files.isRegularFile(settings.jar())) {
            throw new IllegalArgumentException("no node jar at " + settings.jar() + ": build it with `mvn -pl cli -am "
                    + "package -DskipTests`");
        }
        removeOrphanNodes();
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= settings.brokers() + settings.controllers(); i++) {
            ids.add(i);
        }
        ClusterNetwork network;
        if (settings.network() == NetworkMode.NAMESPACES) {
            NamespaceNetwork.removeLeftovers();
            network = NamespaceNetwork.create(ids, settings.partitionMethod());
        } else {
            network = new LoopbackNetwork(ids);
        }
        ChaosCluster cluster = new ChaosCluster(settings, network);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.formatAndStart();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void formatAndStart() {
        long began = System.nanoTime();
        try {
            Files.createDirectories(settings.workDir());
            Files.writeString(logbackFile(), """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n</pattern></encoder>
                      </appender>
                      <logger name="io.brook" level="INFO"/>
                      <!-- A WARN per failed append while a peer is down or cut off would fill the log. -->
                      <logger name="org.apache.ratis.grpc.server.GrpcLogAppender" level="ERROR"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            for (Node node : nodes.values()) {
                Files.writeString(node.config, configText(node));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write into " + settings.workDir(), e);
        }
        String clusterId = randomClusterId();
        List<Process> formatting = new ArrayList<>();
        for (Node node : nodes.values()) {
            formatting.add(launch(node, List.of(), "storage", "format", "--config", node.config.toString(),
                    "--cluster-id", clusterId));
        }
        int k = 0;
        for (Node node : nodes.values()) {
            Process p = formatting.get(k++);
            try {
                if (!p.waitFor(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("storage format of node " + node.id + " failed; see " + node.log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted formatting node " + node.id, e);
            }
        }
        synchronized (this) {
            for (Node node : nodes.values()) {
                startProcess(node);
            }
        }
        for (Node node : nodes.values()) {
            awaitStarted(node);
        }
        awaitBrokersUnfenced(settings.startTimeout());
        log.info("Cluster {} of {} nodes up in {} ms on {}; bootstrap servers {}; logs in {}", clusterId, nodes.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began), network.describe(), bootstrapServers(),
                settings.workDir());
    }

    private String configText(Node node) {
        Map<String, String> config = new LinkedHashMap<>();
        String host = network.host(node.id);
        config.put("node.id", String.valueOf(node.id));
        config.put("process.roles", node.role.roles);
        List<String> listeners = new ArrayList<>();
        if (node.role.broker()) {
            listeners.add("PLAINTEXT://" + host + ":" + network.brokerPort(node.id));
        }
        if (node.role.controller()) {
            listeners.add("CONTROLLER://" + host + ":" + network.controllerPort(node.id));
        }
        config.put("listeners", String.join(",", listeners));
        config.put("controller.listener.names", "CONTROLLER");
        List<Node> controllers = nodes.values().stream().filter(n -> n.role.controller()).toList();
        config.put("controller.quorum.voters", controllers.stream()
                .map(n -> n.id + "@" + network.host(n.id) + ":" + network.raftPort(n.id))
                .collect(Collectors.joining(",")));
        if (node.role.broker()) {
            config.put("controller.quorum.bootstrap.servers", controllers.stream()
                    .map(n -> network.host(n.id) + ":" + network.controllerPort(n.id))
                    .collect(Collectors.joining(",")));
        }
        config.put("log.dirs", settings.workDir().resolve("node-" + node.id).toAbsolutePath().toString());
        config.putAll(settings.nodeConfig());
        StringBuilder text = new StringBuilder("# written by the chaos harness (" + network.describe() + ")\n");
        config.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    /** As {@code brook storage random-uuid}: 22 characters of URL-safe base64, not starting with '-'. */
    private static String randomClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            ByteBuffer bytes = ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private Path logbackFile() {
        return settings.workDir().resolve("logback.xml").toAbsolutePath();
    }

    /** Runs the jar with {@code args}, in the node's network when {@code prefix} says so, output appended to its log. */
    private Process launch(Node node, List<String> prefix, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.jvmOptions());
        command.add("-D" + OWNER_PROPERTY + "=" + ProcessHandle.current().pid());
        command.add("-Dlogback.configurationFile=" + logbackFile());
        command.add("-jar");
        command.add(settings.jar().toAbsolutePath().toString());
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(node.log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    private void startProcess(Node node) {
        if (closed) {
            throw new IllegalStateException("the cluster is closed");
        }
        try {
            node.launchedAt = Files.exists(node.log) ? Files.size(node.log) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        node.process = launch(node, network.launchPrefix(node.id), "server", "start", "--config",
                node.config.toString());
        node.paused = false;
        log.info("Started node {} (pid {})", node.id, node.process.pid());
    }

    /** Waits (outside the monitor) until the node printed that it started: its listeners are bound then. */
    private void awaitStarted(Node node) {
        Process process;
        long from;
        synchronized (this) {
            process = node.process;
            from = node.launchedAt;
        }
        String started = "Brook node " + node.id + " started";
        Await.until("node " + node.id + " started (see " + node.log + ")", settings.startTimeout(), () -> {
            if (!process.isAlive()) {
                throw new NodeExitedException("node " + node.id + " exited with status " + process.exitValue()
                        + " while starting; see " + node.log);
            }
            byte[] all = Files.readAllBytes(node.log);
            return new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    StandardCharsets.ISO_8859_1).contains(started);
        });
        synchronized (this) {
            if (node.role.broker() && node.process == process && !closed) {
                closeProbe(node);
                node.probe = new BrookAdmin(Map.of("bootstrap.servers", address(node.id),
                        "client.id", "chaos-probe-" + node.id,
                        "request.timeout.ms", String.valueOf(PROBE_TIMEOUT.toMillis() - 500),
                        "default.api.timeout.ms", String.valueOf(PROBE_TIMEOUT.toMillis()),
                        "retry.backoff.ms", "50", "retry.backoff.max.ms", "200"));
            }
        }
    }

    /** A node died while it was starting: fails an {@link Await} at once rather than at its timeout. */
    private static final class NodeExitedException extends Error {
        NodeExitedException(String message) {
            super(message);
        }
    }

    /**
     * Waits until every broker is registered and unfenced in the metadata of a running broker.
     *
     * @throws IllegalStateException on timeout
     */
    public void awaitBrokersUnfenced(Duration timeout) {
        Set<Integer> brokers = Set.copyOf(brokerIds());
        try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", bootstrapServers(),
                "request.timeout.ms", "3000", "default.api.timeout.ms", "5000"))) {
            Await.until("every broker " + brokers + " registered and unfenced", timeout, () -> {
                ClusterDescription cluster = admin.describeCluster();
                return cluster.brokers().stream().filter(ClusterDescription.Broker::alive)
                        .map(ClusterDescription.Broker::id).collect(Collectors.toSet()).equals(brokers);
            });
        }
    }

    // ------------------------------------------------------------------------------ addresses

    /** host:port of every broker, comma-separated, for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return brokerIds().stream().map(this::address).collect(Collectors.joining(","));
    }

    /** The broker listener of node {@code node} as host:port. */
    public String address(int node) {
        return network.host(node) + ":" + network.brokerPort(node);
    }

    @Override
    public List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    public List<Integer> brokerIds() {
        return nodes.values().stream().filter(n -> n.role.broker()).map(n -> n.id).toList();
    }

    public List<Integer> controllerIds() {
        return nodes.values().stream().filter(n -> n.role.controller()).map(n -> n.id).toList();
    }

    public Path log(int node) {
        return node(node).log;
    }

    public Path workDir() {
        return settings.workDir();
    }

    /** One line: the network and its addresses. */
    public String describeNetwork() {
        return network.describe();
    }

    // --------------------------------------------------------------------------------- faults

    /** Whether the node's process is alive (paused counts as alive). */
    public synchronized boolean isRunning(int node) {
        return node(node).running();
    }

    public synchronized boolean isPaused(int node) {
        return node(node).paused;
    }

    /** The pid of the node's current process, empty when it never started or died. */
    public synchronized OptionalLong pid(int node) {
        Node n = node(node);
        return n.running() ? OptionalLong.of(n.process.pid()) : OptionalLong.empty();
    }

    /**
     * SIGKILL ({@link Process#destroyForcibly()}) and waits until the process is gone. A paused
     * node is killed as it is (the kernel delivers SIGKILL to a stopped process).
     *
     * @throws IllegalStateException if the node does not run
     */
    @Override
    public synchronized void kill(int node) {
        Node n = node(node);
        if (!n.running()) {
            throw new IllegalStateException("node " + node + " does not run");
        }
        n.process.destroyForcibly();
        waitForExit(n);
        n.paused = false;
        closeProbe(n);
        log.info("Killed node {} (SIGKILL)", node);
    }

    /**
     * Starts a killed node again on the same directories and addresses, and waits until it serves
     * (its "started" line); it may still be catching up or cut off from the others.
     *
     * @throws IllegalStateException if the node runs, or did not start within the start timeout
     */
    @Override
    public void restart(int node) {
        Node n = node(node);
        synchronized (this) {
            if (n.running()) {
                throw new IllegalStateException("node " + node + " is running already");
            }
            startProcess(n);
        }
        awaitStarted(n);
    }

    /** SIGSTOP: the process stops where it is, its sockets stay open. A paused node stays paused. */
    @Override
    public synchronized void pause(int node) {
        Node n = node(node);
        if (!n.running()) {
            throw new IllegalStateException("node " + node + " does not run");
        }
        if (!n.paused) {
            Commands.run("kill", "-STOP", String.valueOf(n.process.pid()));
            n.paused = true;
            log.info("Paused node {} (SIGSTOP)", node);
        }
    }

    /** SIGCONT; nothing for a node that is not paused. */
    @Override
    public synchronized void resume(int node) {
        Node n = node(node);
        if (n.paused && n.running()) {
            Commands.run("kill", "-CONT", String.valueOf(n.process.pid()));
            log.info("Resumed node {} (SIGCONT)", node);
        }
        n.paused = false;
    }

    @Override
    public boolean supportsPartitions() {
        return network.supportsPartitions();
    }

    /**
     * Nodes in different components cannot talk (each node named exactly once), for example
     * {@code [{1,2},{3}]}.
     *
     * @throws UnsupportedOperationException on loopback, saying that partitions need namespaces
     */
    public void partition(List<? extends Set<Integer>> components) {
        partition(Partition.components(components, nodeIds()));
    }

    /**
     * Cuts exactly {@code partition}'s links (any other cut link is restored): components, an
     * isolated node, a bridge ({@link Partition#bridge}), or any set of links.
     *
     * @throws UnsupportedOperationException on loopback, saying that partitions need namespaces
     */
    @Override
    public void partition(Partition partition) {
        network.apply(partition);
    }

    /** The partition in force ({@link Partition#NONE} when healed). */
    public Partition currentPartition() {
        return network.current();
    }

    /** Restores every cut link. */
    @Override
    public void heal() {
        network.apply(Partition.NONE);
    }

    /** Restores every link, resumes every paused node and restarts every node that does not run. */
    @Override
    public void healAll() {
        heal();
        List<Integer> dead = new ArrayList<>();
        synchronized (this) {
            for (Node n : nodes.values()) {
                if (n.paused) {
                    resume(n.id);
                }
                if (!n.running()) {
                    dead.add(n.id);
                }
            }
        }
        for (int node : dead) {
            restart(node);
        }
    }

    // ---------------------------------------------------------------------------------- views

    /** The active controller according to the highest Raft term any running, unpaused broker reports. */
    @Override
    public OptionalInt activeController() {
        record Answer(int controller, long term) {}
        return ask(admin -> {
            ClusterDescription d = admin.describeCluster();
            return d.controllerId() >= 0 ? new Answer(d.controllerId(), d.controllerTerm()) : null;
        }).values().stream().max(Comparator.comparingLong(Answer::term))
                .map(a -> OptionalInt.of(a.controller())).orElse(OptionalInt.empty());
    }

    /** The partition's leader according to the freshest view (highest leader epoch) with a leader. */
    @Override
    public OptionalInt leaderOf(String topic, int partition) {
        return partitionInfo(topic, partition).filter(p -> p.leader() >= 0).map(p -> OptionalInt.of(p.leader()))
                .orElse(OptionalInt.empty());
    }

    /**
     * The freshest view of the partition among the running, unpaused brokers: the highest leader
     * epoch, and among equal ones the view of a node that reaches the most others (the majority
     * side of a network partition: a cut-off node's metadata is stale, and an ISR change keeps the
     * leader epoch).
     */
    public Optional<PartitionInfo> partitionInfo(String topic, int partition) {
        Partition cut = currentPartition();
        List<Integer> all = nodeIds();
        Comparator<Map.Entry<Integer, PartitionInfo>> freshest = Comparator
                .comparingInt((Map.Entry<Integer, PartitionInfo> e) -> e.getValue().leaderEpoch())
                .thenComparingLong(e -> all.stream().filter(n -> cut.connected(e.getKey(), n)).count());
        return partitionViews(topic, partition).entrySet().stream().max(freshest).map(Map.Entry::getValue);
    }

    /**
     * Each running, unpaused broker's view of the partition, by the node asked. A node missing
     * from the map did not answer in time or does not know the partition.
     */
    public Map<Integer, PartitionInfo> partitionViews(String topic, int partition) {
        return ask(admin -> {
            TopicDescription description = admin.describeTopics(List.of(topic)).get(topic);
            return description == null || description.partitions().size() <= partition ? null
                    : description.partitions().get(partition);
        });
    }

    /** Asks every running, unpaused broker in parallel (each within the probe timeout); answers by node. */
    private <T> Map<Integer, T> ask(java.util.function.Function<BrookAdmin, T> question) {
        Map<Integer, CompletableFuture<T>> asked = new TreeMap<>();
        synchronized (this) {
            for (Node n : nodes.values()) {
                if (n.probe != null && n.running() && !n.paused) {
                    BrookAdmin admin = n.probe;
                    asked.put(n.id, CompletableFuture.supplyAsync(() -> question.apply(admin), probes));
                }
            }
        }
        Map<Integer, T> answers = new TreeMap<>();
        long deadline = System.nanoTime() + PROBE_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(1);
        asked.forEach((node, answer) -> {
            try {
                T value = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (value != null) {
                    answers.put(node, value);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.debug("Node {} gave no view: {}", node, e.toString());
            }
        });
        return answers;
    }

    // -------------------------------------------------------------------------------- closing

    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Kills every node (SIGKILL, paused ones included), waits for them, and removes the network
     * (namespaces, veths, bridge). Keeps the work directory and its logs. Idempotent; never throws.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Node n : nodes.values()) {
                if (n.process != null) {
                    n.process.destroyForcibly();
                }
            }
            for (Node n : nodes.values()) {
                if (n.process != null) {
                    waitForExit(n);
                }
                n.paused = false;
                closeProbe(n);
            }
        }
        try {
            network.close();
        } catch (RuntimeException e) {
            log.warn("Removing the network failed", e);
        }
        probes.shutdownNow();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran: nothing to remove
            }
        }
        log.info("Cluster closed; logs kept in {}", settings.workDir());
    }

    private static void waitForExit(Node n) {
        try {
            if (!n.process.waitFor(30, TimeUnit.SECONDS)) {
                log.warn("Node {} (pid {}) still runs 30 s after SIGKILL", n.id, n.process.pid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeProbe(Node n) {
        if (n.probe != null) {
            n.probe.close();
            n.probe = null;
        }
    }

    private Node node(int id) {
        Node n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id + "; the nodes are " + nodes.keySet());
        }
        return n;
    }

    /**
     * Kills node JVMs of earlier runs whose owner JVM is gone (a harness killed with SIGKILL leaves
     * its nodes running). Returns their pids.
     */
    static List<Long> removeOrphanNodes() {
        List<Long> killed = new ArrayList<>();
        String marker = "-D" + OWNER_PROPERTY + "=";
        ProcessHandle.allProcesses().forEach(p -> {
            String[] args = p.info().arguments().orElse(new String[0]);
            for (String arg : args) {
                if (arg.startsWith(marker)) {
                    try {
                        long owner = Long.parseLong(arg.substring(marker.length()));
                        if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                            return;
                        }
                    } catch (NumberFormatException e) {
                        return;
                    }
                    p.destroyForcibly();
                    killed.add(p.pid());
                    return;
                }
            }
        });
        if (!killed.isEmpty()) {
            log.warn("Killed node processes left by crashed chaos runs: {}", killed);
        }
        return killed;
    }
}
