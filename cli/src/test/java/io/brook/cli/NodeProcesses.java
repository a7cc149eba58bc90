package io.brook.cli;

import io.brook.common.LoopbackPorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.PartitionMetadata;
import io.brook.metadata.StorageFormatter;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Combined nodes (controller + broker) as separate JVM processes running the cli's shaded jar
 * ({@code brook storage format}, then {@code brook server start}) on 127.0.0.1 ports probed free
 * beforehand, each with its data directory, configuration and log file ({@code node-N.log}: its
 * stdout and stderr, appended across restarts) under one temporary directory. A node can be
 * killed with SIGKILL and started again on the same directories and ports.
 *
 * <p>Thread-safe (a test may kill or restart a node from another thread while it produces): the
 * processes and channels are guarded by this object's lock, and {@link #start} waits for a node
 * outside it. {@link #close} kills every process it started and is also run by a shutdown hook, so
 * no node outlives the test JVM.
 */
final class NodeProcesses implements AutoCloseable {
    private static final String HOST = "127.0.0.1";

    private final Path jar;
    private final Path dir;
    private final int size;
    private final int[] brokerPorts;
    private final int[] controllerPorts;
    private final int[] raftPorts;
    private final Process[] processes;
    private final ManagedChannel[] channels;
    private boolean closed;
    private final Thread shutdownHook = new Thread(this::close, "node-processes-kill");

    NodeProcesses(Path jar, Path dir, int size) throws IOException {
        assertTrue(Files.isRegularFile(jar), "the shaded jar " + jar + " exists (run through `mvn verify`, which "
                + "packages it first)");
        this.jar = jar;
        this.dir = dir;
        this.size = size;
        this.processes = new Process[size + 1];
        this.channels = new ManagedChannel[size + 1];
        int[] ports = LoopbackPorts.free(3 * size);
        brokerPorts = new int[size + 1];
        controllerPorts = new int[size + 1];
        raftPorts = new int[size + 1];
        for (int i = 1; i <= size; i++) {
            brokerPorts[i] = ports[3 * i - 3];
            controllerPorts[i] = ports[3 * i - 2];
            raftPorts[i] = ports[3 * i - 1];
        }
        // io.brook at INFO: the state changes (leader, ISR, truncation, fencing) a failure needs.
        Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.brook" level="INFO"/>
                  <!-- A WARN per failed append while a peer is down would fill the log tails. -->
                  <logger name="org.apache.ratis.grpc.server.GrpcLogAppender" level="ERROR"/>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Writes every node's configuration (with {@code extra} lines) and formats its directories. */
    void format(String extra) throws IOException, InterruptedException {
        String clusterId = StorageFormatter.randomClusterId(new Random()); // as `brook storage random-uuid`, one JVM less
        List<Process> formatting = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            Files.writeString(config(i), configText(i) + extra);
            formatting.add(brook(i, "storage", "format", "--config", config(i).toString(), "--cluster-id", clusterId));
        }
        for (int i = 1; i <= size; i++) {
            Process p = formatting.get(i - 1);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "storage format of node " + i + " finished");
            assertEquals(0, p.exitValue(), "storage format of node " + i + ": see " + log(i));
        }
    }

    private String configText(int node) {
        StringBuilder voters = new StringBuilder();
        StringBuilder controllers = new StringBuilder();
        for (int i = 1; i <= size; i++) {
            voters.append(i > 1 ? "," : "").append(i).append('@').append(HOST).append(':').append(raftPorts[i]);
            controllers.append(i > 1 ? "," : "").append(HOST).append(':').append(controllerPorts[i]);
        }
        return "node.id=" + node + "\nprocess.roles=broker,controller\n"
                + "listeners=PLAINTEXT://" + HOST + ":" + brokerPorts[node] + ",CONTROLLER://" + HOST + ":"
                + controllerPorts[node] + "\n"
                + "controller.quorum.voters=" + voters + "\ncontroller.quorum.bootstrap.servers=" + controllers + "\n"
                + "log.dirs=" + dir.resolve("node-" + node) + "\n";
    }

    /**
     * Starts (or restarts) a node's {@code brook server start} and waits until it serves: it printed
     * that it started (its listeners are bound then), so a fresh channel connects at once rather than
     * after a reconnect backoff.
     */
    void start(int node) throws IOException {
        long logStart = Files.exists(log(node)) ? Files.size(log(node)) : 0;
        Process p;
        synchronized (this) {
            assertTrue(!closed && (processes[node] == null || !processes[node].isAlive()),
                    "node " + node + " is not running already");
            p = brook(node, "server", "start", "--config", config(node).toString());
            processes[node] = p;
        }
        String started = "Brook node " + node + " started";
        await("node " + node + " started", () -> {
            assertTrue(p.isAlive(), () -> "node " + node + " exited with " + p.exitValue() + "; see " + log(node));
            return Files.readString(log(node), StandardCharsets.ISO_8859_1).substring((int) logStart).contains(started);
        });
        synchronized (this) {
            if (!closed) {
                channels[node] = Grpc.newChannelBuilderForAddress(HOST, brokerPorts[node],
                        InsecureChannelCredentials.create()).build();
            }
        }
    }

    /** SIGKILL (on Linux, {@code destroyForcibly} is {@code kill -9}), and waits until the process is gone. */
    synchronized void kill(int node) {
        Process p = processes[node];
        p.destroyForcibly();
        if (channels[node] != null) {
            channels[node].shutdownNow();
            channels[node] = null;
        }
        try {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "node " + node + " died");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the node's process runs and has started serving ({@link #start} returned). */
    synchronized boolean isServing(int node) {
        return channels[node] != null && processes[node].isAlive();
    }

    /** A serving node, trying {@code preferred} first. */
    synchronized int anyServing(int preferred) {
        for (int k = 0; k < size; k++) {
            int node = (preferred - 1 + k) % size + 1;
            if (isServing(node)) {
                return node;
            }
        }
        throw new AssertionError("no node serves");
    }

    /** A stub for calls to the node (10 s deadline); a node that does not serve fails them as UNAVAILABLE. */
    BrokerServiceGrpc.BrokerServiceBlockingStub broker(int node) {
        return BrokerServiceGrpc.newBlockingStub(channel(node)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    AdminServiceGrpc.AdminServiceBlockingStub admin(int node) {
        return AdminServiceGrpc.newBlockingStub(channel(node)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private synchronized ManagedChannel channel(int node) {
        if (channels[node] == null) {
            throw Status.UNAVAILABLE.withDescription("node " + node + " does not serve").asRuntimeException();
        }
        return channels[node];
    }

    /** Starts every node in parallel, and waits until each sees all of them as live (unfenced) brokers. */
    void startAll() throws Exception {
        List<CompletableFuture<Void>> starting = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            int node = i;
            starting.add(CompletableFuture.runAsync(() -> {
                try {
                    start(node);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        try {
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        await("every node sees " + size + " live brokers", () -> {
            for (int i = 1; i <= size; i++) {
                assertTrue(isServing(i), "node " + i + " exited; see " + log(i));
                if (broker(i).getMetadata(MetadataRequest.getDefaultInstance()).getBrokersCount() != size) {
                    return false;
                }
            }
            return true;
        });
    }

    /** The partition as a running node sees it, or null when it does not know it. */
    PartitionMetadata partition(String topic, int partition) {
        MetadataResponse response = broker(anyServing(1)).getMetadata(MetadataRequest.newBuilder().addTopics(topic).build());
        if (response.getTopicsCount() == 0 || response.getTopics(0).getPartitionsCount() <= partition) {
            return null;
        }
        return response.getTopics(0).getPartitions(partition);
    }

    /**
     * Polls {@code condition} every 20 ms for up to 60 s. A runtime exception counts as "not yet"
     * (a node still starting, a call cut) and the last one is reported on timeout; an
     * {@link AssertionError} fails at once.
     */
    static void await(String what, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 60 s waiting until " + what
                        + (last != null ? " (last attempt: " + last + ")" : ""));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** The last {@code lines} lines of every node's log, for a failure report. */
    void printLogTails(PrintStream out, int lines) {
        for (int i = 1; i <= size; i++) {
            out.println("===== last " + lines + " lines of " + log(i));
            try {
                List<String> all = new String(Files.readAllBytes(log(i)), StandardCharsets.UTF_8).lines().toList();
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(out::println);
            } catch (IOException e) {
                out.println("(cannot read it: " + e + ")");
            }
        }
    }

    Path log(int node) {
        return dir.resolve("node-" + node + ".log");
    }

    private Path config(int node) {
        return dir.resolve("node-" + node + ".properties");
    }

    private Process brook(int node, String... args) throws IOException {
        return launch(log(node), args);
    }

    private Process launch(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }


    /** Kills every process still running (SIGKILL) and waits for each to be gone. */
    @Override
    public synchronized void close() {
        closed = true;
        for (int i = 1; i <= size; i++) {
            if (channels[i] != null) {
                channels[i].shutdownNow();
            }
            if (processes[i] != null) {
                processes[i].destroyForcibly();
            }
        }
        for (int i = 1; i <= size; i++) {
            if (processes[i] != null) {
                try {
                    processes[i].waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran: nothing to remove
            }
        }
    }
}
