package io.brook.broker;

import io.brook.api.internal.metadata.Endpoint;
import io.brook.broker.internal.ProducerIds;
import io.brook.broker.internal.ReplicaManager;
import io.brook.broker.internal.groups.GroupCoordinatorRuntime;
import io.brook.broker.internal.grpc.BrokerRpcServer;
import io.brook.broker.internal.grpc.MetadataResponses;
import io.brook.broker.internal.grpc.ReplicaFetchers;
import io.brook.common.Clock;
import io.brook.common.ConfigException;
import io.brook.group.GroupConfig;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.MetadataFollower;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.ControllerNode;
import io.brook.metadata.MetaProperties;
import io.brook.metadata.StorageFormatter;
import io.brook.replication.ReplicationConfig;
import io.brook.storage.FileIo;
import io.brook.storage.LogConfig;
import io.brook.storage.LogManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Brook node: the roles its configuration gives it, started and stopped together. What
 * {@code brook server start} runs.
 */
public final class BrookNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrookNode.class);

    private final NodeConfig config;
    private final String clusterId;
    private ControllerNode controller;
    private ControllerClient controllerClient;
    private MetadataFollower metadata;
    private LogManager logManager;
    private ReplicaManager replicaManager;
    private GroupCoordinatorRuntime groups;
    private ReplicaFetchers fetchers;
    private final List<BrokerRpcServer> rpcServers = new ArrayList<>();
    private volatile BrokerLifecycle lifecycle;

    private BrookNode(NodeConfig config, String clusterId) {
        this.config = config;
        this.clusterId = clusterId;
    }

    /**
     * Checks the storage and starts every role.
     *
     * @throws ConfigException when a role cannot run with this configuration
     * @throws io.brook.metadata.StorageFormatException when the directories are not formatted for
     *     this node (the message says which command to run)
     */
    public static BrookNode start(NodeConfig config) throws IOException {
        List<java.nio.file.Path> dirs = new ArrayList<>();
        dirs.add(config.metadataDir());
        for (java.nio.file.Path dir : config.logDirs()) {
            if (!dirs.contains(dir)) {
                dirs.add(dir);
            }
        }
        MetaProperties meta = StorageFormatter.checkFormatted(dirs, config.nodeId());
        BrookNode node = new BrookNode(config, meta.clusterId());
        try {
            if (config.isController()) {
                Listener listener = config.controllerListener();
                node.controller = new ControllerNode(new ControllerNode.Settings(config.nodeId(), config.metadataDir(),
                        listener.bindHost(), listener.port(), config.values(), NodeConfig.TOPIC_DEFINITIONS,
                        ControllerConfig.DEFINITIONS), List.of());
                node.controller.start();
            }
            if (config.isBroker()) {
                node.startBrokerRole();
            }
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        log.info("Brook node {} started in cluster {} with roles {}", config.nodeId(), meta.clusterId(),
                config.values().get(NodeConfig.PROCESS_ROLES));
        return node;
    }

    /**
     * The broker role: it follows the committed metadata from the controllers (its own image),
     * keeps a log and a replica for each partition assigned to it, serves the public API and
     * replication on its broker listeners, fetches from the leaders of the partitions it follows,
     * and lives with the controllers (registration, heartbeats, fencing, controlled shutdown).
     */
    private void startBrokerRole() throws IOException {
        List<String> controllerAddresses = config.values().get(NodeConfig.CONTROLLER_QUORUM_BOOTSTRAP_SERVERS) != null
                || controller == null ? config.controllerAddresses()
                : List.of(loopbackIfAny(config.controllerListener().host()) + ":" + controller.rpcPort());
        // A silent active controller (cut off, paused) must not hold heartbeats for the whole request
        // timeout: the broker would miss its session at the new controller and be fenced. Each
        // heartbeat attempt gets a third of the session (at most 2 s) before the next controller.
        long attemptMs = Math.max(100, Math.min(2_000, config.values().get(ControllerConfig.BROKER_SESSION_TIMEOUT_MS) / 3));
        controllerClient = ControllerClient.connect(controllerAddresses, java.time.Duration.ofSeconds(30),
                java.time.Duration.ofMillis(attemptMs));
        logManager = LogManager.open(config.values(), LogConfig.defaults(), FileIo.real(), Clock.system());
        logManager.startBackgroundTasks();
        java.util.function.LongSupplier brokerEpoch = () -> lifecycle == null ? -1 : lifecycle.epoch();
        replicaManager = new ReplicaManager(config.nodeId(), logManager,
                config.values().get(ReplicationConfig.MIN_INSYNC_REPLICAS),
                config.values().get(ReplicationConfig.REPLICA_LAG_TIME_MAX_MS),
                config.values().get(ReplicationConfig.LOG_FLUSH_ON_ACK), controllerClient, brokerEpoch, Clock.system());
        List<Listener> bindListeners = config.brokerBindListeners();
        List<Listener> advertised = config.brokerListeners();
        String interBrokerListener = bindListeners.get(0).name();
        fetchers = new ReplicaFetchers(config.nodeId(), brokerEpoch, id -> {
            var broker = replicaManager.image().cluster().broker(id);
            return broker == null ? java.util.Optional.empty()
                    : MetadataResponses.brokerEndpoint(broker, interBrokerListener)
                            .map(e -> loopbackIfAny(e.getHost()) + ":" + e.getPort());
        }, replicaManager.groupCommit(), Clock.system());
        replicaManager.setFetchers(fetchers);
        groups = new GroupCoordinatorRuntime(config.nodeId(), GroupConfig.from(config.values()), replicaManager,
                controllerClient, Clock.system());
        ProducerIds producerIds = new ProducerIds(config.nodeId(), brokerEpoch, controllerClient);
        List<Endpoint> endpoints = new ArrayList<>();
        for (Listener listener : bindListeners) {
            BrokerRpcServer server = BrokerRpcServer.start(listener.bindHost(), listener.port(),
                    new BrokerRpcServer.Context(config.nodeId(), clusterId, listener.name(), replicaManager, producerIds,
                            controllerClient, replicaManager::image, () -> -1,
                            config.values().get(NodeConfig.SOCKET_REQUEST_MAX_BYTES), Clock.system(), groups));
            rpcServers.add(server);
            // Registered as advertised (advertised.listeners, same name), else as bound (the real port).
            Listener shown = advertised.stream().filter(a -> a.name().equals(listener.name())).findFirst()
                    .filter(a -> a.port() != 0).orElse(new Listener(listener.name(), listener.host(), server.port()));
            endpoints.add(Endpoint.newBuilder().setName(shown.name()).setHost(shown.host()).setPort(shown.port())
                    .build());
        }
        metadata = new MetadataFollower(controllerAddresses, config.metadataDir().resolve("broker-metadata"),
                List.of(new LocalLogs(config.nodeId(), logManager), replicaManager), Clock.system());
        metadata.start();
        lifecycle = new BrokerLifecycle(config.nodeId(), clusterId, endpoints, config.values().get(NodeConfig.BROKER_RACK),
                controllerClient, metadata::lastAppliedIndex,
                config.values().get(ControllerConfig.BROKER_HEARTBEAT_INTERVAL_MS), Clock.system(),
                replicaManager::activate);
        lifecycle.start();
    }

    /** The port of the broker's first listener (the real one when 0 was configured). */
    public int brokerPort() {
        if (rpcServers.isEmpty()) {
            throw new IllegalStateException("node " + config.nodeId() + " has no broker role");
        }
        return rpcServers.get(0).port();
    }

    private static String loopbackIfAny(String host) {
        return host.isEmpty() || host.equals("0.0.0.0") ? "127.0.0.1" : host;
    }

    /** The broker role's metadata image (broker role only). */
    public io.brook.metadata.MetadataImage metadataImage() {
        if (metadata == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has no broker role");
        }
        return metadata.image();
    }

    /** The broker role's partition logs (broker role only). */
    public LogManager logManager() {
        if (logManager == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has no broker role");
        }
        return logManager;
    }

    /** Which partitions this broker leads or follows, and their states (broker role only). */
    public ReplicaManager replicaManager() {
        if (replicaManager == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has no broker role");
        }
        return replicaManager;
    }

    /** The broker role's lifecycle (broker role only). */
    public BrokerLifecycle brokerLifecycle() {
        if (lifecycle == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has no broker role");
        }
        return lifecycle;
    }

    public String clusterId() {
        return clusterId;
    }

    /** The controller service's port (controller role), the real one when 0 was configured. */
    public int controllerPort() {
        if (controller == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has no controller role");
        }
        return controller.rpcPort();
    }

    /**
     * Stops the broker role first — a controlled shutdown: its leaderships move away while it still
     * serves, so clients of RF >= 2 topics see no unavailability — then the controller.
     */
    @Override
    public void close() {
        if (lifecycle != null) {
            lifecycle.close();
        }
        stopBroker(false);
        if (controller != null) {
            controller.close();
        }
    }

    /**
     * Stops at once, as a crash would: no controlled shutdown, client calls in flight are cut, and
     * the controllers notice only when the broker's session times out. (The page cache survives,
     * unlike a machine crash.) For tests.
     */
    public void halt() {
        if (lifecycle != null) {
            lifecycle.halt();
        }
        stopBroker(true);
        if (controller != null) {
            controller.close();
        }
    }

    private void stopBroker(boolean abruptly) {
        for (BrokerRpcServer server : rpcServers) {
            if (abruptly) {
                server.halt();
            } else {
                server.close();
            }
        }
        if (groups != null) {
            groups.close();
        }
        if (fetchers != null) {
            fetchers.close();
        }
        if (metadata != null) {
            metadata.close();
        }
        if (replicaManager != null) {
            replicaManager.close();
        }
        if (controllerClient != null) {
            controllerClient.close();
        }
        if (logManager != null) {
            try {
                logManager.close();
            } catch (IOException e) {
                log.warn("Node {}: closing the logs failed", config.nodeId(), e);
            }
        }
    }
}
