package io.brook.benchmarks;

import io.brook.common.LoopbackPorts;
import io.brook.api.internal.controller.AlterConfigOp;
import io.brook.api.internal.controller.AlterConfigsResource;
import io.brook.api.internal.controller.AlterableConfig;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.IncrementalAlterConfigsRequest;
import io.brook.api.internal.controller.IncrementalAlterConfigsResponse;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.v1.ErrorCode;
import io.brook.metadata.ControllerClient;
import io.brook.metadata.StorageFormatter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Controller failover (goal &lt; 1 s): three controllers as separate processes (real Ratis and
 * gRPC on 127.0.0.1), a client writing one cluster config change at a time through
 * {@link ControllerClient}; the active controller's process is killed with SIGKILL
 * ({@code destroyForcibly}), and the figure is the time from the kill to the first write that
 * commits afterwards (answered NONE by the new active controller). The killed controller is then
 * restarted and caught up before the next run. Median and max over {@code runs} kills.
 *
 * <p>Run: {@code mvn -B -ntp package -pl benchmarks -am -DskipTests && java -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.ControllerFailoverBenchmark} (system
 * properties: {@code runs} = 10, {@code election.timeout.ms} = the default of
 * {@code controller.quorum.election.timeout.ms}).
 */
public final class ControllerFailoverBenchmark {
    private static final List<Process> CHILDREN = new ArrayList<>();

    private ControllerFailoverBenchmark() {}

    public static void main(String[] args) throws Exception {
        QuietLogs.apply();
        int runs = Integer.getInteger("runs", 10);
        String electionTimeout = System.getProperty("election.timeout.ms",
                String.valueOf(io.brook.metadata.internal.ratis.QuorumConfig.ELECTION_TIMEOUT_MS.defaultValue()));
        Runtime.getRuntime().addShutdownHook(new Thread(ControllerFailoverBenchmark::killAll));
        Path root = Files.createTempDirectory("brook-failover");
        String clusterId = StorageFormatter.randomClusterId(new Random());
        int[] rpcPorts = new int[3];
        StringBuilder voters = new StringBuilder();
        List<String> rpc = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(LoopbackPorts.free());
            rpcPorts[i] = LoopbackPorts.free();
            rpc.add("127.0.0.1:" + rpcPorts[i]);
        }
        Process[] processes = new Process[3];
        ControllerClient client = null;
        try {
            for (int i = 0; i < 3; i++) {
                StorageFormatter.format(root.resolve("c" + (i + 1)), clusterId, i + 1, false);
                processes[i] = launch(root, i + 1, voters.toString(), rpcPorts[i], electionTimeout);
            }
            client = ControllerClient.connect(rpc, Duration.ofSeconds(60));
            long[] failoverMs = new long[runs];
            int value = 0;
            for (int run = 0; run < runs; run++) {
                awaitCaughtUp(client);
                for (int i = 0; i < 5; i++) {
                    write(client, value++); // warm the path to the current leader
                }
                int leader = client.describeQuorum().get(60, TimeUnit.SECONDS).getLeaderId();
                long kill = System.nanoTime();
                processes[leader - 1].destroyForcibly();
                while (true) {
                    IncrementalAlterConfigsResponse response = write(client, value++);
                    if (response.getError().getCode() == ErrorCode.NONE) {
                        break;
                    }
                }
                failoverMs[run] = (System.nanoTime() - kill) / 1_000_000;
                int newLeader = client.describeQuorum().get(60, TimeUnit.SECONDS).getLeaderId();
                System.out.printf(Locale.ROOT, "run %d: killed controller %d, new leader %d, first committed write "
                        + "after %d ms%n", run + 1, leader, newLeader, failoverMs[run]);
                processes[leader - 1].waitFor(10, TimeUnit.SECONDS);
                processes[leader - 1] = launch(root, leader, voters.toString(), rpcPorts[leader - 1], electionTimeout);
            }
            long[] sorted = failoverMs.clone();
            Arrays.sort(sorted);
            double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2.0;
            System.out.printf(Locale.ROOT, "election timeout %s ms, %d kills: failover median %.0f ms, min %d ms, "
                    + "max %d ms; all %s; load average %s%n", electionTimeout, runs, median, sorted[0],
                    sorted[runs - 1], Arrays.toString(failoverMs), Files.readString(Path.of("/proc/loadavg")).trim());
        } finally {
            if (client != null) {
                client.close();
            }
            killAll();
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static IncrementalAlterConfigsResponse write(ControllerClient client, int value) throws Exception {
        return client.incrementalAlterConfigs(IncrementalAlterConfigsRequest.newBuilder()
                .addResources(AlterConfigsResource.newBuilder().setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER)
                        .addConfigs(AlterableConfig.newBuilder().setName("num.partitions")
                                .setOp(AlterConfigOp.ALTER_CONFIG_SET).setValue(String.valueOf(1 + value % 1000))))
                .build()).get(60, TimeUnit.SECONDS);
    }

    /** Waits until a leader reports every voter with no lag (a restarted controller caught up). */
    private static void awaitCaughtUp(ControllerClient client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            DescribeQuorumResponse quorum = client.describeQuorum().get(60, TimeUnit.SECONDS);
            if (quorum.getError().getCode() == ErrorCode.NONE && quorum.getVotersCount() == 3
                    && quorum.getVotersList().stream().allMatch(v -> v.getLag() == 0)) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new IllegalStateException("the quorum did not catch up within 60 s");
    }

    private static Process launch(Path root, int id, String voters, int rpcPort, String electionTimeout)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), ControllerProcess.class.getName(), String.valueOf(id),
                root.resolve("c" + id).toString(), voters, String.valueOf(rpcPort), electionTimeout)
                .redirectError(root.resolve("c" + id + ".log").toFile())
                .start();
        synchronized (CHILDREN) {
            CHILDREN.add(process);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("READY")) {
            throw new IllegalStateException("controller " + id + " did not start; see " + root.resolve("c" + id + ".log"));
        }
        return process;
    }

    private static void killAll() {
        synchronized (CHILDREN) {
            for (Process p : CHILDREN) {
                p.destroyForcibly();
            }
        }
    }
}
