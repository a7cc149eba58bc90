package io.brook.benchmarks;

import io.brook.common.LoopbackPorts;
import com.google.protobuf.ByteString;
import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.BrokerServiceGrpc;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.DescribeClusterRequest;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.MetadataRequest;
import io.brook.api.v1.MetadataResponse;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.PartitionMetadata;
import io.brook.api.v1.PartitionProduceData;
import io.brook.api.v1.PartitionProduceResponse;
import io.brook.api.v1.ProduceRequest;
import io.brook.api.v1.Record;
import io.brook.api.v1.RecordList;
import io.brook.api.v1.TopicProduceData;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Broker failover: three combined nodes (controller + broker) as separate processes launched from
 * the cli's shaded jar ({@code brook storage format}, {@code brook server start}) on 127.0.0.1, a
 * topic with one partition, replication factor 3 and min.insync.replicas 2. Each round produces
 * acks=all successfully, kills the partition leader's process with SIGKILL ({@code destroyForcibly})
 * and measures the time from the kill to the first acks=all produce answered NONE by the new
 * leader; the client retries every {@code retry.ms}, reading the leader from a surviving node's
 * metadata after each failure. The killed node is then restarted on its directories, and the next
 * round starts once the ISR is full again. Each round prints whether the killed node was also the
 * active controller (then the quorum elects a new one too). Median, p90 and max over {@code runs}
 * rounds.
 *
 * <p>The figure is bounded below by {@code broker.session.timeout.ms}: nothing tells the controller
 * that a broker died but the missing heartbeats.
 *
 * <p>Run: {@code mvn -B -ntp package -pl cli,benchmarks -am -DskipTests && java -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.FailoverBenchmark [cli/target/cli-*-all.jar]}
 * (the jar defaults to the one in {@code cli/target}; system properties: {@code runs} = 10,
 * {@code broker.session.timeout.ms} = 3000, {@code broker.heartbeat.interval.ms} = 200,
 * {@code retry.ms} = 10). Node logs go to a temporary directory, deleted at the end unless
 * {@code keep=true}.
 */
public final class FailoverBenchmark {
    private static final String HOST = "127.0.0.1";
    private static final String TOPIC = "failover";
    private static final int NODES = 3;

    private final Path jar;
    private final Path root;
    private final int[] brokerPorts = new int[NODES + 1];
    private final int[] controllerPorts = new int[NODES + 1];
    private final int[] raftPorts = new int[NODES + 1];
    private final Process[] processes = new Process[NODES + 1];
    private final ManagedChannel[] channels = new ManagedChannel[NODES + 1];
    /** Failed produce attempts of the current round, by error code (or what kept the client from sending). */
    private final Map<String, Integer> failures = new TreeMap<>();
    private long lastCallMs;
    /** Each node's log size when it was last launched: its "started" line comes after. */
    private final long[] launchedAt = new long[NODES + 1];
    private final long retryNanos = TimeUnit.MILLISECONDS.toNanos(Long.getLong("retry.ms", 10));

    private FailoverBenchmark(Path jar, Path root) {
        this.jar = jar;
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        QuietLogs.apply();
        Path jar = args.length > 0 ? Path.of(args[0]) : findJar();
        int runs = Integer.getInteger("runs", 10);
        String sessionTimeout = System.getProperty("broker.session.timeout.ms", "3000");
        String heartbeat = System.getProperty("broker.heartbeat.interval.ms", "200");
        Path root = Files.createTempDirectory("brook-broker-failover");
        FailoverBenchmark bench = new FailoverBenchmark(jar, root);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::killAll));
        try {
            bench.run(runs, "broker.session.timeout.ms=" + sessionTimeout + "\nbroker.heartbeat.interval.ms=" + heartbeat
                    + "\nreplica.lag.time.max.ms=3000\ndefault.replication.factor=3\nmin.insync.replicas=2\n");
        } finally {
            bench.killAll();
            if (!Boolean.getBoolean("keep")) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            } else {
                System.out.println("node logs kept in " + root);
            }
        }
        System.exit(0);
    }

    private void run(int runs, String extraConfig) throws Exception {
        int[] ports = LoopbackPorts.free(3 * NODES);
        for (int i = 1; i <= NODES; i++) {
            brokerPorts[i] = ports[3 * i - 3];
            controllerPorts[i] = ports[3 * i - 2];
            raftPorts[i] = ports[3 * i - 1];
        }
        // io.brook at INFO in the node logs: fencing, leader and ISR changes, to see where a failover's time goes.
        Files.writeString(root.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.brook" level="INFO"/>
                  <logger name="org.apache.ratis.grpc.server.GrpcLogAppender" level="ERROR"/>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        String clusterId = brook(root.resolve("random-uuid.log"), "storage", "random-uuid");
        clusterId = clusterId.strip().lines().reduce((a, b) -> b).orElseThrow().strip();
        for (int i = 1; i <= NODES; i++) {
            Files.writeString(config(i), configText(i) + extraConfig);
            brook(log(i), "storage", "format", "--config", config(i).toString(), "--cluster-id", clusterId);
        }
        for (int i = 1; i <= NODES; i++) {
            launch(i);
        }
        for (int i = 1; i <= NODES; i++) {
            awaitServing(i);
        }
        String id = clusterId;
        await("the topic exists", () -> {
            ErrorCode code = AdminServiceGrpc.newBlockingStub(channel(1)).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .createTopics(CreateTopicsRequest.newBuilder().addTopics(NewTopic.newBuilder().setName(TOPIC)
                            .setNumPartitions(1).setReplicationFactor(3).putConfigs("min.insync.replicas", "2")).build())
                    .getTopics(0).getErrorCode();
            return code == ErrorCode.NONE || code == ErrorCode.TOPIC_ALREADY_EXISTS;
        });
        System.out.printf(Locale.ROOT, "cluster %s up (logs in %s); %s%n", id, root, extraConfig.replace('\n', ' '));

        awaitFullIsr();
        long[] failoverMs = new long[runs];
        List<Long> withController = new ArrayList<>();
        List<Long> brokerOnly = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            for (int i = 0; i < 20; i++) {
                produceUntilAcknowledged(); // warm the path to the current leader
            }
            int leader = partition().getLeaderId();
            // GetMetadata's controller_id is always -1 so far; DescribeCluster asks the quorum.
            boolean alsoController = AdminServiceGrpc.newBlockingStub(channel(leader))
                    .withDeadlineAfter(30, TimeUnit.SECONDS).describeCluster(DescribeClusterRequest.getDefaultInstance())
                    .getControllerId() == leader;
            String killedAt = java.time.LocalTime.now().toString();
            long kill = System.nanoTime();
            processes[leader].destroyForcibly();
            channels[leader].shutdownNow();
            channels[leader] = null;
            failures.clear();
            int newLeader = produceUntilAcknowledged();
            failoverMs[run] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - kill);
            String retried = failures + ", the successful call took " + lastCallMs + " ms";
            (alsoController ? withController : brokerOnly).add(failoverMs[run]);
            processes[leader].waitFor(30, TimeUnit.SECONDS);
            long restart = System.nanoTime();
            launch(leader);
            awaitServing(leader);
            long serving = System.nanoTime();
            awaitFullIsr();
            System.out.printf(Locale.ROOT, "round %d: killed node %d (partition leader%s) at %s, new leader %d, first "
                    + "acks=all produce after %d ms (failed attempts %s); restarted: serving after %.1f s, back in the "
                    + "ISR %.1f s later%n", run + 1, leader, alsoController ? " and active controller" : "", killedAt,
                    newLeader, failoverMs[run], retried,
                    (serving - restart) / 1e9, (System.nanoTime() - serving) / 1e9);
        }
        long[] sorted = failoverMs.clone();
        Arrays.sort(sorted);
        double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2.0;
        long p90 = sorted[Math.min(runs - 1, (int) Math.ceil(0.9 * runs) - 1)];
        System.out.printf(Locale.ROOT, "%d kills: failover median %.0f ms, p90 %d ms, min %d ms, max %d ms; all %s; "
                + "load average %s%n", runs, median, p90, sorted[0], sorted[runs - 1], Arrays.toString(failoverMs),
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.printf(Locale.ROOT, "median when the killed node was also the active controller: %s (%d rounds); "
                + "when it was not: %s (%d rounds)%n", median(withController), withController.size(),
                median(brokerOnly), brokerOnly.size());
    }

    private static String median(List<Long> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return String.format(Locale.ROOT, "%.0f ms", n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1)
                + sorted.get(n / 2)) / 2.0);
    }

    /**
     * One small acks=all batch (not idempotent: a retry after a cut call may write it twice, which
     * this benchmark does not mind), retried every {@code retry.ms} until answered NONE, for up to
     * 120 s; returns the node that answered.
     */
    private int produceUntilAcknowledged() {
        ProduceRequest request = ProduceRequest.newBuilder().setAcks(-1).setTimeoutMs(5_000)
                .addTopics(TopicProduceData.newBuilder().setTopic(TOPIC).addPartitions(PartitionProduceData.newBuilder()
                        .setPartition(0).setRecords(RecordList.newBuilder().setProducerId(-1).setProducerEpoch(-1)
                                .setBaseSequence(-1).addRecords(Record.newBuilder()
                                        .setValue(ByteString.copyFromUtf8("x"))))))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                int leader = partition().getLeaderId();
                if (leader > 0 && channels[leader] != null) {
                    long call = System.nanoTime();
                    PartitionProduceResponse answer = BrokerServiceGrpc.newBlockingStub(channels[leader])
                            .withDeadlineAfter(10, TimeUnit.SECONDS).produce(request).getTopics(0).getPartitions(0);
                    lastCallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call);
                    if (answer.getErrorCode() == ErrorCode.NONE) {
                        return leader;
                    }
                    failures.merge(answer.getErrorCode().name(), 1, Integer::sum);
                } else {
                    failures.merge(leader > 0 ? "metadata names the killed node" : "no leader", 1, Integer::sum);
                }
            } catch (StatusRuntimeException e) {
                failures.merge("gRPC " + e.getStatus().getCode(), 1, Integer::sum); // cut or refused: retry
            }
            LockSupport.parkNanos(retryNanos);
        }
        throw new IllegalStateException("no acks=all produce succeeded within 120 s; see the logs in " + root);
    }

    private void awaitFullIsr() {
        await("a leader and a full ISR", () -> {
            PartitionMetadata m = partition();
            return m.getIsrCount() == NODES && m.getLeaderId() > 0 && channels[m.getLeaderId()] != null;
        });
    }

    private MetadataResponse metadata() {
        for (int i = 1; i <= NODES; i++) {
            if (channels[i] != null) {
                return BrokerServiceGrpc.newBlockingStub(channels[i]).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getMetadata(MetadataRequest.newBuilder().addTopics(TOPIC).build());
            }
        }
        throw new IllegalStateException("no node serves");
    }

    private PartitionMetadata partition() {
        return metadata().getTopics(0).getPartitions(0);
    }

    private String configText(int node) {
        StringBuilder voters = new StringBuilder();
        StringBuilder controllers = new StringBuilder();
        for (int i = 1; i <= NODES; i++) {
            voters.append(i > 1 ? "," : "").append(i).append('@').append(HOST).append(':').append(raftPorts[i]);
            controllers.append(i > 1 ? "," : "").append(HOST).append(':').append(controllerPorts[i]);
        }
        return "node.id=" + node + "\nprocess.roles=broker,controller\nlisteners=PLAINTEXT://" + HOST + ":"
                + brokerPorts[node] + ",CONTROLLER://" + HOST + ":" + controllerPorts[node] + "\n"
                + "controller.quorum.voters=" + voters + "\ncontroller.quorum.bootstrap.servers=" + controllers + "\n"
                + "log.dirs=" + root.resolve("node-" + node) + "\n";
    }

    private void launch(int node) throws IOException {
        processes[node] = start(log(node), "server", "start", "--config", config(node).toString());
    }

    /** Waits until the node printed that it started (its listeners are bound), then opens a channel to it. */
    private void awaitServing(int node) {
        String started = "Brook node " + node + " started";
        long from = launchedAt[node];
        await("node " + node + " started", () -> {
            if (!processes[node].isAlive()) {
                throw new IllegalStateException("node " + node + " exited; see " + log(node));
            }
            return Files.readString(log(node), StandardCharsets.ISO_8859_1).substring((int) from).contains(started);
        });
        channels[node] = Grpc.newChannelBuilderForAddress(HOST, brokerPorts[node], InsecureChannelCredentials.create())
                .build();
    }

    private Process start(Path log, String... args) throws IOException {
        for (int i = 1; i <= NODES; i++) {
            if (log.equals(log(i))) {
                launchedAt[i] = Files.exists(log) ? Files.size(log) : 0;
            }
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + root.resolve("logback.xml"),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Runs a short {@code brook} command to its end; returns its log. */
    private String brook(Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("brook " + String.join(" ", args) + " failed; see " + log);
        }
        return Files.readString(log);
    }

    private Path log(int node) {
        return root.resolve("node-" + node + ".log");
    }

    private Path config(int node) {
        return root.resolve("node-" + node + ".properties");
    }

    private ManagedChannel channel(int node) {
        if (channels[node] == null) {
            throw new IllegalStateException("node " + node + " does not serve");
        }
        return channels[node];
    }

    private void killAll() {
        for (int i = 1; i <= NODES; i++) {
            if (channels[i] != null) {
                channels[i].shutdownNow();
            }
            if (processes[i] != null) {
                processes[i].destroyForcibly();
            }
        }
    }

    private static Path findJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("cli", "target"), "cli-*-all.jar")) {
            for (Path jar : jars) {
                return jar;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // below
        }
        throw new IllegalStateException("no cli/target/cli-*-all.jar: build it (mvn -B -ntp package -pl cli -am "
                + "-DskipTests) or pass the jar's path as the argument");
    }


    /** Polls every 20 ms for up to 120 s; an exception counts as "not yet". */
    private static void await(String what, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        throw new IllegalStateException("timed out waiting until " + what + (last != null ? " (" + last + ")" : ""));
    }
}
