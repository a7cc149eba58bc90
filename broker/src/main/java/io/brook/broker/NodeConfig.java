package io.brook.broker;

import io.brook.common.ConfigDefinitions;
import io.brook.common.ConfigException;
import io.brook.common.ConfigKey;
import io.brook.common.ConfigValidator;
import io.brook.common.ConfigValues;
import io.brook.metadata.ControllerNode;
import io.brook.metadata.internal.ratis.QuorumConfig;
import io.brook.replication.ReplicationConfig;
import io.brook.storage.LogManager;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A node's configuration (its {@code server.properties}): Kafka's key names, one typed definition
 * per key, every key of every role in one set, so that an unknown or invalid key is a startup
 * error naming it. {@link #DEFINITIONS} is what {@code brook config docs} prints.
 */
public final class NodeConfig {
    public static final ConfigKey<Integer> NODE_ID = ConfigKey.intKey("node.id")
            .validator(ConfigValidator.atLeast(0))
            .doc("This node's id: its broker id and, for a controller, its id in controller.quorum.voters.")
            .restartRequired().build();
    public static final ConfigKey<List<String>> PROCESS_ROLES = ConfigKey.listKey("process.roles")
            .validator(ConfigValidator.nonEmptySubsetOf("broker", "controller"))
            .doc("The roles this node plays: broker, controller, or both (broker,controller).")
            .restartRequired().build();
    public static final ConfigKey<List<String>> LISTENERS = ConfigKey.listKey("listeners")
            .defaultValue(List.of("PLAINTEXT://:9092"))
            .doc("NAME://host:port entries this node listens on; an empty host binds every interface. A "
                    + "controller needs the listener named in controller.listener.names.")
            .restartRequired().build();
    public static final ConfigKey<List<String>> ADVERTISED_LISTENERS = ConfigKey.listKey("advertised.listeners")
            .defaultValue(null)
            .doc("NAME://host:port entries clients are told to use, when they differ from listeners (for "
                    + "example behind NAT). Defaults to listeners.")
            .restartRequired().build();
    public static final ConfigKey<List<String>> CONTROLLER_LISTENER_NAMES =
            ConfigKey.listKey("controller.listener.names").defaultValue(List.of("CONTROLLER"))
                    .doc("The listener (the first name given) on which a controller serves the controller "
                            + "service to brokers and tools.")
                    .restartRequired().build();
    public static final ConfigKey<List<String>> CONTROLLER_QUORUM_BOOTSTRAP_SERVERS =
            ConfigKey.listKey("controller.quorum.bootstrap.servers").defaultValue(null)
                    .doc("host:port of the controllers' controller listeners, where brokers and tools find the "
                            + "active controller.")
                    .restartRequired().build();
    public static final ConfigKey<String> METADATA_LOG_DIR = ConfigKey.stringKey("metadata.log.dir")
            .defaultValue(null)
            .doc("Where a controller keeps the metadata log and snapshots. Defaults to the first of log.dirs.")
            .restartRequired().build();

    public static final ConfigKey<String> BROKER_RACK = ConfigKey.stringKey("broker.rack").defaultValue(null)
            .doc("The rack (or zone) of this broker: replicas of a partition are spread over racks.")
            .restartRequired().build();

    public static final ConfigKey<Integer> SOCKET_REQUEST_MAX_BYTES = ConfigKey.intKey("socket.request.max.bytes")
            .defaultValue(104_857_600).validator(ConfigValidator.atLeast(1024))
            .doc("The largest request message a broker listener accepts; larger ones are refused by gRPC "
                    + "(RESOURCE_EXHAUSTED) before any of it is processed.")
            .restartRequired().build();

    /** Every key a node reads. */
    public static final ConfigDefinitions DEFINITIONS = ConfigDefinitions.of(NODE_ID, PROCESS_ROLES, LISTENERS,
            ADVERTISED_LISTENERS, CONTROLLER_LISTENER_NAMES, CONTROLLER_QUORUM_BOOTSTRAP_SERVERS, METADATA_LOG_DIR,
            BROKER_RACK, SOCKET_REQUEST_MAX_BYTES)
            .plus(ControllerNode.DEFINITIONS).plus(LogManager.DEFINITIONS).plus(ReplicationConfig.DEFINITIONS)
            .plus(io.brook.group.GroupConfig.DEFINITIONS);

    /** Every topic-level key: the storage engine's, the controller's and replication's. */
    public static final ConfigDefinitions TOPIC_DEFINITIONS = io.brook.storage.LogConfig.DEFINITIONS
            .plus(ReplicationConfig.TOPIC_DEFINITIONS);

    private final ConfigValues values;
    private final List<Listener> listeners;

    private NodeConfig(ConfigValues values) {
        this.values = values;
        this.listeners = Listener.parseAll(LISTENERS.name(), values.get(LISTENERS));
        if (values.get(ADVERTISED_LISTENERS) != null) {
            Listener.parseAll(ADVERTISED_LISTENERS.name(), values.get(ADVERTISED_LISTENERS));
        }
        if (isController()) {
            String name = controllerListenerName();
            if (listeners.stream().noneMatch(l -> l.name().equals(name))) {
                throw new ConfigException(LISTENERS.name(), "A node with the controller role needs a listener named "
                        + name + " (controller.listener.names) in listeners, for example "
                        + name + "://127.0.0.1:9093.");
            }
            if (values.get(QuorumConfig.LISTEN_ADDRESS) == null && QuorumConfig.parseVoters(values.get(QuorumConfig.VOTERS))
                    .stream().noneMatch(v -> v.id() == nodeId())) {
                throw new ConfigException(QuorumConfig.VOTERS.name(), "Node " + nodeId() + " has the controller role "
                        + "but is not in controller.quorum.voters; list it there, or set "
                        + QuorumConfig.LISTEN_ADDRESS.name() + " to join a running quorum.");
            }
        }
        checkBroker();
    }

    private void checkBroker() {
        if (isBroker() && !isController() && values.get(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS) == null) {
            throw new ConfigException(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS.name(), "A broker-only node needs "
                    + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS.name() + ": the controllers' controller listeners "
                    + "(host:port, comma-separated).");
        }
        if (isBroker() && isController() && values.get(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS) == null
                && QuorumConfig.parseVoters(values.get(QuorumConfig.VOTERS)).size() > 1) {
            throw new ConfigException(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS.name(), "A combined node in a quorum of "
                    + "several controllers needs " + CONTROLLER_QUORUM_BOOTSTRAP_SERVERS.name() + ": every controller's "
                    + "controller listener (host:port, comma-separated), so that its broker finds the active one.");
        }
        if (isBroker() && brokerListeners().isEmpty()) {
            throw new ConfigException(LISTENERS.name(), "A node with the broker role needs a listener besides "
                    + controllerListenerName() + ", for example PLAINTEXT://127.0.0.1:9092.");
        }
    }

    /** The listeners clients use (advertised.listeners if set, else listeners), without the controller's. */
    public List<Listener> brokerListeners() {
        List<String> advertised = values.get(ADVERTISED_LISTENERS);
        List<Listener> all = advertised != null ? Listener.parseAll(ADVERTISED_LISTENERS.name(), advertised) : listeners;
        String controllerName = controllerListenerName();
        return all.stream().filter(l -> !l.name().equals(controllerName)).toList();
    }

    /** The listeners the broker role binds (listeners, without the controller's). */
    public List<Listener> brokerBindListeners() {
        String controllerName = controllerListenerName();
        return listeners.stream().filter(l -> !l.name().equals(controllerName)).toList();
    }

    /** Where this node's broker role finds the controllers. */
    public List<String> controllerAddresses() {
        List<String> bootstrap = values.get(CONTROLLER_QUORUM_BOOTSTRAP_SERVERS);
        if (bootstrap != null) {
            return bootstrap;
        }
        Listener own = controllerListener();
        return List.of((own.host().isEmpty() || own.host().equals("0.0.0.0") ? "127.0.0.1" : own.host()) + ":" + own.port());
    }

    /**
     * Parses and checks a configuration: unknown keys, invalid values and inconsistent roles fail
     * with a {@link ConfigException} naming the key.
     */
    public static NodeConfig parse(Map<String, String> raw) {
        return new NodeConfig(DEFINITIONS.parse(raw));
    }

    /** Reads a properties file and {@link #parse}s it. */
    public static NodeConfig load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> raw = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> raw.put(name, properties.getProperty(name).trim()));
        return parse(raw);
    }

    public ConfigValues values() {
        return values;
    }

    public int nodeId() {
        return values.get(NODE_ID);
    }

    public boolean isController() {
        return values.get(PROCESS_ROLES).contains("controller");
    }

    public boolean isBroker() {
        return values.get(PROCESS_ROLES).contains("broker");
    }

    public List<Listener> listeners() {
        return listeners;
    }

    public String controllerListenerName() {
        return values.get(CONTROLLER_LISTENER_NAMES).get(0).toUpperCase(java.util.Locale.ROOT);
    }

    /** The listener the controller service binds (controller role only). */
    public Listener controllerListener() {
        String name = controllerListenerName();
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    public List<Path> logDirs() {
        return values.get(LogManager.LOG_DIRS).stream().map(Path::of).toList();
    }

    /** metadata.log.dir, or the first of log.dirs. */
    public Path metadataDir() {
        String dir = values.get(METADATA_LOG_DIR);
        return dir != null ? Path.of(dir) : logDirs().get(0);
    }
}
