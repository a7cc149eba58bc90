package io.brook.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code brook dev}: a local cluster of N combined nodes in this process (see {@link DevCluster}),
 * until Ctrl-C or SIGTERM.
 */
@Command(name = "dev", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run a local Brook cluster in this process until Ctrl-C or SIGTERM: N nodes with "
                    + "process.roles=broker,controller on 127.0.0.1, started as `brook server start` starts a node "
                    + "(real Ratis quorum, real gRPC on loopback, real files).",
            "",
            "Ports, for node i = 1..N and base port P (--port):",
            "  P+i-1       the broker's PLAINTEXT listener (the bootstrap servers)",
            "  P+100+i-1   the controller service (the CONTROLLER listener)",
            "  P+200+i-1   the controller's Raft server (controller.quorum.voters)",
            "With the defaults: brokers 9092-9094, controllers 9192-9194, Raft 9292-9294.",
            "",
            "Data: DIR/node-i for node i, and DIR/" + DevCluster.MARKER + " (cluster id, nodes, port). The "
                    + "first run formats DIR for a new cluster; later runs keep its data and need the same "
                    + "--nodes (and, with more than one node, the same --port). Delete DIR to start afresh.",
            "",
            "Topics get min(N, 3) replicas by default; from 3 nodes on, min.insync.replicas is 2.",
            ""})
final class DevCommand implements Runnable {
    /** How long the brokers may take to be unfenced before the command gives up. */
    static final Duration UP_TIMEOUT = Duration.ofSeconds(60);

    /** How the running cluster is stopped: by default a JVM shutdown hook (Ctrl-C, SIGTERM). */
    interface Lifetime {
        /**
         * Called once, before any node starts.
         *
         * @param stop stops the cluster and returns when it is stopped; the command then returns
         */
        void attach(DevCluster cluster, Runnable stop);
    }

    static final Lifetime SHUTDOWN_HOOK = (cluster, stop) ->
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "brook-dev-shutdown"));

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "Number of nodes, 1 to " + DevCluster.MAX_NODES + " (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./data",
            description = "Where the nodes keep their data, kept across runs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", paramLabel = "P", defaultValue = "9092",
            description = "Base port: node i's broker listens on P+i-1, see the layout above (default: "
                    + "${DEFAULT-VALUE}).")
    int port;

    private final Lifetime lifetime;

    DevCommand() {
        this(SHUTDOWN_HOOK);
    }

    DevCommand(Lifetime lifetime) {
        this.lifetime = lifetime;
    }

    @Override
    public void run() {
        if (nodes < 1 || nodes > DevCluster.MAX_NODES) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--nodes must be between 1 and " + DevCluster.MAX_NODES + ", not " + nodes + ".");
        }
        int maxPort = DevCluster.Layout.maxBasePort(nodes);
        if (port < 1 || port > maxPort) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 1 and " + maxPort
                    + " with " + nodes + " node" + (nodes == 1 ? "" : "s") + " (the cluster uses up to --port+"
                    + (2 * DevCluster.PORT_STRIDE + nodes - 1) + "), not " + port + ".");
        }
        PrintWriter out = spec.commandLine().getOut();
        DevCluster cluster = new DevCluster(new DevCluster.Layout(nodes, port, dataDir));
        DevCluster.Layout layout = cluster.layout();
        String existing = cluster.checkStorage();
        cluster.checkPortsFree();
        boolean formatted = cluster.prepareStorage(existing, out);
        out.println((formatted ? "Formatted " : "Reusing the data in ") + layout.dataDir() + " for a " + nodes
                + "-node cluster (cluster id " + cluster.clusterId() + ").");
        for (int node : layout.nodeIds()) {
            out.println("  node " + node + ": broker " + DevCluster.HOST + ":" + layout.brokerPort(node)
                    + ", controller service " + DevCluster.HOST + ":" + layout.controllerPort(node) + ", Raft "
                    + DevCluster.HOST + ":" + layout.raftPort(node) + ", data " + layout.nodeDir(node));
        }
        out.println("Starting " + nodes + " node" + (nodes == 1 ? "" : "s") + "...");
        out.flush();
        lifetime.attach(cluster, () -> {
            if (cluster.stop()) {
                out.println("Brook dev cluster stopped; its data stays in " + layout.dataDir() + ".");
                out.flush();
            }
        });
        if (!cluster.start(UP_TIMEOUT)) {
            cluster.awaitStopped();
            return;
        }
        out.println("Brook dev cluster with " + nodes + " node" + (nodes == 1 ? "" : "s")
                + " is up. Bootstrap servers: " + layout.bootstrapServers());
        out.println("Controller services: " + layout.controllerServers() + ". Data in " + layout.dataDir()
                + " (kept across restarts).");
        out.println("Ctrl-C stops it.");
        out.flush();
        cluster.awaitStopped();
    }
}
