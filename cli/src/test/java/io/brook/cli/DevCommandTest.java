package io.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreateTopicsRequest;
import io.brook.api.internal.controller.CreateTopicsResponse;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.v1.ErrorCode;
import io.brook.broker.BrookNode;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.StorageFormatter;
import io.brook.metadata.TopicImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * `brook dev` through the picocli entry point, on loopback ports probed free, in a temp
 * directory; stopped through its lifetime's stop handle instead of a JVM shutdown hook.
 */
class DevCommandTest extends CliTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void oneNodeComesUpUnfencedAndKeepsItsDataAcrossARestart() throws Exception {
        int port = freeBasePort(1);
        Path data = dir.resolve("data");
        String[] args = {"dev", "--nodes", "1", "--port", Integer.toString(port), "--data-dir", data.toString()};
        String clusterId;
        try (Run run = Run.start(args)) {
            run.awaitUp();
            assertTrue(run.out().contains("Brook dev cluster with 1 node is up. Bootstrap servers: 127.0.0.1:" + port
                    + "\n"), run.out());
            assertTrue(run.out().contains("Formatted " + data), run.out());
            BrookNode node = run.cluster().node(1);
            assertFalse(node.brokerLifecycle().isFenced());
            clusterId = node.clusterId();
            assertEquals(clusterId, StorageFormatter.read(data.resolve("node-1")).clusterId());
            try (ControllerClient client = ControllerClient.connect(List.of("127.0.0.1:" + (port + 100)),
                    Duration.ofSeconds(30))) {
                DescribeQuorumResponse quorum = client.describeQuorum().get(30, TimeUnit.SECONDS);
                assertEquals(ErrorCode.NONE, quorum.getError().getCode(), quorum.toString());
                assertEquals(1, quorum.getLeaderId());
                CreateTopicsResponse created = client.createTopics(CreateTopicsRequest.newBuilder()
                        .addTopics(CreatableTopic.newBuilder().setName("kept").setNumPartitions(1)
                                .setReplicationFactor(-1)).build()).get(30, TimeUnit.SECONDS);
                assertEquals(ErrorCode.NONE, created.getTopics(0).getErrorCode(), created.toString());
            }
            assertEquals(0, run.stop(), run.err());
            assertTrue(run.out().contains("Brook dev cluster stopped"), run.out());
        }

        try (Run again = Run.start(args)) {
            again.awaitUp();
            assertTrue(again.out().contains("Reusing the data in " + data + " for a 1-node cluster (cluster id "
                    + clusterId + ")"), again.out());
            BrookNode node = again.cluster().node(1);
            assertEquals(clusterId, node.clusterId());
            assertFalse(node.brokerLifecycle().isFenced());
            awaitTrue("the topic of the first run is back", () -> node.metadataImage().topics().topic("kept") != null);
            assertEquals(0, again.stop(), again.err());
        }

        // The data now belongs to a 1-node cluster.
        assertEquals(1, brook("dev", "--nodes", "3", "--port", Integer.toString(port), "--data-dir", data.toString()));
        assertTrue(err.toString().contains("holds a 1-node dev cluster"), err.toString());
        assertTrue(err.toString().contains("--nodes 1"), err.toString());
        assertEquals(1, err.toString().trim().lines().count(), err.toString());
    }

    @Test
    void threeNodesElectAControllerAndEveryBrokerIsUnfenced() throws Exception {
        int port = freeBasePort(3);
        Path data = dir.resolve("data3");
        try (Run run = Run.start("dev", "--nodes", "3", "--port", Integer.toString(port), "--data-dir",
                data.toString())) {
            run.awaitUp();
            assertTrue(run.out().contains("Brook dev cluster with 3 nodes is up. Bootstrap servers: 127.0.0.1:" + port
                    + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2) + "\n"), run.out());
            assertTrue(run.out().contains("node 2: broker 127.0.0.1:" + (port + 1) + ", controller service 127.0.0.1:"
                    + (port + 101) + ", Raft 127.0.0.1:" + (port + 201) + ", data " + data.resolve("node-2")), run.out());
            String clusterId = run.cluster().clusterId();
            for (int id = 1; id <= 3; id++) {
                BrookNode node = run.cluster().node(id);
                assertFalse(node.brokerLifecycle().isFenced(), "broker " + id);
                assertEquals(clusterId, node.clusterId());
            }
            try (ControllerClient client = ControllerClient.connect(List.of("127.0.0.1:" + (port + 100),
                    "127.0.0.1:" + (port + 101), "127.0.0.1:" + (port + 102)), Duration.ofSeconds(30))) {
                DescribeQuorumResponse quorum = client.describeQuorum().get(30, TimeUnit.SECONDS);
                assertEquals(ErrorCode.NONE, quorum.getError().getCode(), quorum.toString());
                assertTrue(quorum.getLeaderId() >= 1 && quorum.getLeaderId() <= 3, quorum.toString());
                // A topic without a replication factor gets default.replication.factor=3.
                CreateTopicsResponse created = client.createTopics(CreateTopicsRequest.newBuilder()
                        .addTopics(CreatableTopic.newBuilder().setName("three").setNumPartitions(1)
                                .setReplicationFactor(-1)).build()).get(30, TimeUnit.SECONDS);
                assertEquals(ErrorCode.NONE, created.getTopics(0).getErrorCode(), created.toString());
            }
            BrookNode node = run.cluster().node(1);
            awaitTrue("broker 1 sees the topic", () -> node.metadataImage().topics().topic("three") != null);
            TopicImage topic = node.metadataImage().topics().topic("three");
            assertEquals(3, topic.partition(0).replicas().size(), topic.toString());
            assertEquals(0, run.stop(), run.err());
        }
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertEquals(2, brook("dev", "--nodes", "0", "--data-dir", dir.resolve("d").toString()));
        assertTrue(err.toString().contains("--nodes must be between 1 and 9"), err.toString());
        assertEquals(2, brook("dev", "--nodes", "10", "--data-dir", dir.resolve("d").toString()));
        assertEquals(2, brook("dev", "--port", "65400", "--data-dir", dir.resolve("d").toString()));
        assertEquals(2, brook("dev", "--nodes", "many"));
        assertFalse(Files.exists(dir.resolve("d")), "nothing formatted");
    }

    @Test
    void aPortInUseIsOneClearLineAndFormatsNothing() throws IOException {
        int port = freeBasePort(1);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port + 200));
            assertEquals(1, brook("dev", "--nodes", "1", "--port", Integer.toString(port), "--data-dir",
                    dir.resolve("d").toString()));
        }
        String error = err.toString();
        assertTrue(error.startsWith("Error: Port " + (port + 200) + " on 127.0.0.1 (node 1's Raft server) is in use"),
                error);
        assertEquals(1, error.trim().lines().count(), error);
        assertFalse(Files.exists(dir.resolve("d")), "nothing formatted");
    }

    @Test
    void aDataDirThatCannotBeADirectoryIsOneClearLine() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        int port = freeBasePort(1);
        assertEquals(1, brook("dev", "--nodes", "1", "--port", Integer.toString(port), "--data-dir", file.toString()));
        assertTrue(err.toString().contains("is a file, not a directory"), err.toString());
        assertEquals(1, brook("dev", "--nodes", "1", "--port", Integer.toString(port), "--data-dir",
                file.resolve("data").toString()));
        assertTrue(err.toString().contains("Cannot create data directory " + file.resolve("data")), err.toString());
        assertEquals(2, err.toString().trim().lines().count(), err.toString());
    }

    /** A base port whose derived ports (see DevCluster.Layout) are all free on 127.0.0.1 now. */
    private static int freeBasePort(int nodes) throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            // Below Linux's ephemeral range (32768-60999), so outgoing connections do not take them.
            int base = 10_000 + random.nextInt(22_000);
            List<ServerSocket> probes = new ArrayList<>();
            try {
                for (int offset : new int[] {0, 100, 200}) {
                    for (int i = 0; i < nodes; i++) {
                        ServerSocket socket = new ServerSocket();
                        probes.add(socket);
                        socket.setReuseAddress(true);
                        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), base + offset + i));
                    }
                }
                return base;
            } catch (IOException inUse) {
                // try another base
            } finally {
                for (ServerSocket socket : probes) {
                    socket.close();
                }
            }
        }
        throw new IOException("no free base port found");
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** `brook dev` on a background thread, with its own output and a stop handle. */
    private static final class Run implements AutoCloseable {
        private final StringWriter out = new StringWriter();
        private final StringWriter err = new StringWriter();
        private final AtomicReference<DevCluster> cluster = new AtomicReference<>();
        private final AtomicReference<Runnable> stop = new AtomicReference<>();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        static Run start(String... args) {
            Run run = new Run();
            DevCommand.Lifetime lifetime = (cluster, stop) -> {
                run.cluster.set(cluster);
                run.stop.set(stop);
            };
            CommandLine.IFactory factory = new CommandLine.IFactory() {
                @Override
                public <K> K create(Class<K> type) throws Exception {
                    return type == DevCommand.class ? type.cast(new DevCommand(lifetime))
                            : CommandLine.defaultFactory().create(type);
                }
            };
            Thread thread = new Thread(() -> {
                try {
                    run.exit.complete(Brook.execute(new PrintWriter(run.out, true), new PrintWriter(run.err, true),
                            factory, args));
                } catch (Throwable t) {
                    run.exit.completeExceptionally(t);
                }
            }, "brook-dev-test");
            thread.setDaemon(true);
            thread.start();
            return run;
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        DevCluster cluster() {
            DevCluster c = cluster.get();
            assertNotNull(c, "the command attached its cluster");
            return c;
        }

        /** Waits for the "is up" line; fails if the command ends first. */
        void awaitUp() {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!out().contains(" is up. Bootstrap servers: ")) {
                if (exit.isDone()) {
                    throw new AssertionError("brook dev ended with " + exit.join() + " before it was up; out: " + out()
                            + " err: " + err());
                }
                assertTrue(System.nanoTime() < deadline, "brook dev up within " + WAIT + "; out: " + out());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }

        /** Stops the cluster as Ctrl-C would and returns the command's exit status. */
        int stop() throws Exception {
            Runnable s = stop.get();
            if (s != null) {
                s.run();
            }
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (!exit.isDone()) {
                stop();
            }
        }
    }
}
