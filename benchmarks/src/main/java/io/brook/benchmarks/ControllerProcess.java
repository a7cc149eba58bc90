package io.brook.benchmarks;

import io.brook.common.ConfigDefinitions;
import io.brook.metadata.ControllerConfig;
import io.brook.metadata.ControllerNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One controller as its own process, for {@link ControllerFailoverBenchmark}: arguments
 * {@code <node id> <metadata dir (formatted)> <controller.quorum.voters> <rpc port> <election timeout ms>}.
 * Prints {@code READY} once started and runs until killed. Not a user-facing command (the broker
 * issue brings {@code brook server start}).
 */
public final class ControllerProcess {
    private ControllerProcess() {}

    public static void main(String[] args) throws Exception {
        QuietLogs.apply();
        int nodeId = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        ControllerNode node = new ControllerNode(new ControllerNode.Settings(nodeId, dir, "127.0.0.1",
                Integer.parseInt(args[3]), ControllerNode.DEFINITIONS.parse(Map.of("controller.quorum.voters", args[2],
                        "controller.quorum.election.timeout.ms", args[4], "broker.session.timeout.ms", "600000")),
                ConfigDefinitions.of(), ControllerConfig.DEFINITIONS), java.util.List.of());
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        System.out.println("READY " + nodeId);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
