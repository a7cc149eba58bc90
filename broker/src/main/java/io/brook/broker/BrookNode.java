package io.brook.broker;

import io.brook.common.ConfigException;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.ControllerNode;
import io.brook.metadata.MetaProperties;
import io.brook.metadata.StorageFormatter;
import io.brook.storage.LogConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Brook node: the roles its configuration gives it, started and stopped together. What
 * {@code brook server start} runs. Today the controller role; the broker role comes with the
 * broker and replication work and is refused with a clear message until then.
 */
public final class BrookNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrookNode.class);

    private final NodeConfig config;
    private final String clusterId;
    private ControllerNode controller;

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
        if (config.isBroker()) {
            throw new ConfigException(NodeConfig.PROCESS_ROLES.name(), "The broker role is not available in this "
                    + "build yet; run nodes with process.roles=controller.");
        }
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
                        listener.bindHost(), listener.port(), config.values(), LogConfig.DEFINITIONS,
                        ControllerConfig.DEFINITIONS), List.of());
                node.controller.start();
            }
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        log.info("Brook node {} started in cluster {} with roles {}", config.nodeId(), meta.clusterId(),
                config.values().get(NodeConfig.PROCESS_ROLES));
        return node;
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

    @Override
    public void close() {
        if (controller != null) {
            controller.close();
        }
    }
}
