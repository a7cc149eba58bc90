package io.brook.cli;

import io.brook.broker.BrookNode;
import io.brook.broker.NodeConfig;
import io.brook.common.ConfigException;
import io.brook.metadata.StorageFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code brook server start --config FILE}: runs one node until it is stopped (SIGTERM, Ctrl-C). */
@Command(name = "server", description = "Run a Brook node.", mixinStandardHelpOptions = true,
        subcommands = {ServerCommand.Start.class})
final class ServerCommand extends CommandGroup {

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a node with the roles of its configuration (process.roles) and run it until "
                    + "stopped. Its directories must be formatted first (brook storage format).")
    static final class Start implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, required = true, description = "The node's configuration file.")
        Path config;

        @Override
        public void run() {
            NodeConfig nodeConfig;
            try {
                nodeConfig = NodeConfig.load(config);
            } catch (IOException e) {
                throw new CliException("Cannot read configuration " + config + ": " + e.getMessage());
            } catch (ConfigException | IllegalArgumentException e) {
                throw new CliException("Invalid configuration " + config + ": " + e.getMessage());
            }
            BrookNode node;
            try {
                node = BrookNode.start(nodeConfig);
            } catch (ConfigException | StorageFormatException e) {
                throw new CliException(e.getMessage());
            } catch (IOException e) {
                throw new CliException("Node " + nodeConfig.nodeId() + " could not start: " + e.getMessage());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "brook-shutdown"));
            spec.commandLine().getOut().println("Brook node " + nodeConfig.nodeId() + " started (cluster "
                    + node.clusterId() + ", roles " + nodeConfig.values().get(NodeConfig.PROCESS_ROLES)
                    + (nodeConfig.isController() ? ", controller service on port " + node.controllerPort() : "")
                    + "). Stop it with Ctrl-C or SIGTERM.");
            spec.commandLine().getOut().flush();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
