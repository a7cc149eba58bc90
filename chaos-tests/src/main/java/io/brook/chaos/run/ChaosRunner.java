package io.brook.chaos.run;

import io.brook.chaos.check.CheckResult;
import io.brook.chaos.check.Checker;
import io.brook.chaos.check.Checkers;
import io.brook.chaos.check.Summary;
import io.brook.chaos.cluster.Await;
import io.brook.chaos.cluster.ChaosCluster;
import io.brook.chaos.cluster.Fault;
import io.brook.chaos.cluster.FaultKind;
import io.brook.chaos.cluster.Nemesis;
import io.brook.chaos.cluster.NemesisOptions;
import io.brook.chaos.cluster.NetworkMode;
import io.brook.chaos.history.FaultHistory;
import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.client.BrookAdmin;
import io.brook.client.NewTopic;
import io.brook.client.PartitionInfo;
import io.brook.client.TopicPartition;
import io.brook.common.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run: a cluster of real node processes ({@link ChaosCluster}), the queue workload
 * against a replicated topic, the nemesis faulting the cluster on a schedule drawn from the seed;
 * then everything healed, the final read, the checkers over the recorded history, and the report
 * directory (history, faults, summary, plot, node logs).
 */
public final class ChaosRunner {
    private static final Logger log = LoggerFactory.getLogger(ChaosRunner.class);
    static final String TOPIC = "chaos-queue";

    /**
     * @param nodeConfig extra node configuration (for example faster session timeouts)
     */
    public record Options(int nodes, Duration duration, List<FaultKind> faults, String workload, int rate, long seed,
            Path reportDir, Path jar, int producers, int partitions, NetworkMode network,
            Map<String, String> nodeConfig, List<String> nodeJvmOptions) {
        public Options {
            if (!workload.equals("queue")) {
                throw new IllegalArgumentException("Unknown workload '" + workload + "': only 'queue' exists so far.");
            }
            faults = List.copyOf(faults);
            nodeConfig = Map.copyOf(nodeConfig);
            nodeJvmOptions = List.copyOf(nodeJvmOptions);
        }
    }

    /** What a run found. */
    public record Outcome(boolean valid, List<CheckResult> results, Path reportDir, long seed, String summary) {}

    /** Node settings for a chaos run: detection within seconds (the defaults take 9 s and more). */
    public static Map<String, String> fastFailover() {
        return Map.of("broker.session.timeout.ms", "3000", "broker.heartbeat.interval.ms", "300",
                "replica.lag.time.max.ms", "3000");
    }

    private ChaosRunner() {}

    public static Outcome run(Options options) throws Exception {
        Files.createDirectories(options.reportDir());
        Clock clock = Clock.system();
        Instant startedAt = Instant.ofEpochMilli(clock.milliseconds());
        int replication = Math.min(3, options.nodes());
        ChaosCluster.Settings settings = ChaosCluster.Settings.builder(options.jar(), options.reportDir().resolve("cluster"))
                .nodes(options.nodes()).network(options.network()).config(options.nodeConfig())
                .jvmOptions(jvmOptions(options.nodeJvmOptions()))
                .config("default.replication.factor", replication).config("min.insync.replicas", Math.min(2, replication))
                .build();
        History history;
        List<FaultWindow> windows = new ArrayList<>();
        try (ChaosCluster cluster = ChaosCluster.start(settings)) {
            try (BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, options.partitions(), replication,
                        Map.of("min.insync.replicas", String.valueOf(Math.min(2, replication))))));
            }
            awaitFullIsr(cluster, options.partitions(), replication, Duration.ofSeconds(60));
            long start = clock.nanoseconds();
            history = new History(() -> clock.nanoseconds() - start);
            QueueWorkload workload = new QueueWorkload(cluster.bootstrapServers(), TOPIC, options.partitions(),
                    options.producers(), options.rate(), history);
            List<TopicPartition> leaderTargets = new ArrayList<>();
            for (int p = 0; p < options.partitions(); p++) {
                leaderTargets.add(new TopicPartition(TOPIC, p));
            }
            Nemesis nemesis = Nemesis.create(cluster, NemesisOptions.of(options.faults().toArray(FaultKind[]::new))
                    .withPartitions(leaderTargets), options.seed(), options.duration(), clock, start,
                    new Nemesis.Listener() {});
            log.info("chaos run: seed {}, schedule {}", options.seed(), nemesis.schedule());
            workload.start();
            Nemesis.Run run = nemesis.start();
            List<Fault> faults = run.await();
            // The schedule may end (its last fault healed) before the run's duration: the workload
            // keeps going, healthy, until the duration is over.
            long end = start + options.duration().toNanos();
            while (clock.nanoseconds() - end < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(end - clock.nanoseconds());
            }
            workload.stop();
            for (Fault fault : faults) {
                windows.add(new FaultWindow(fault.kind().name().toLowerCase(Locale.ROOT), fault.targets(),
                        fault.detail(), fault.startNanos(), fault.healed() ? fault.healNanos() : FaultWindow.OPEN));
            }
            if (!run.errors().isEmpty()) {
                log.warn("the nemesis hit errors: {}", run.errors());
            }
            cluster.healAll();
            cluster.awaitBrokersUnfenced(Duration.ofSeconds(90));
            awaitFullIsr(cluster, options.partitions(), replication, Duration.ofSeconds(90));
            workload.finalRead(Duration.ofSeconds(120));
        }
        List<CheckResult> results = new ArrayList<>();
        for (Checker checker : Checkers.all()) {
            results.add(checker.check(history, windows));
        }
        boolean valid = results.stream().allMatch(CheckResult::valid);
        Summary checked = Summary.of(results);
        String summary = header(options, startedAt, valid) + checked.markdownTable() + "\n"
                + String.join("\n", checked.consoleLines(20)) + "\n";
        writeReport(options.reportDir(), history, windows, summary);
        return new Outcome(valid, results, options.reportDir(), options.seed(), summary);
    }

    /** The harness's JVM options for nodes, plus {@code extra} (for example a test-only switch). */
    private static List<String> jvmOptions(List<String> extra) {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        options.addAll(extra);
        return options;
    }

    private static void awaitFullIsr(ChaosCluster cluster, int partitions, int replication, Duration timeout) {
        Await.until("every partition of " + TOPIC + " with a leader and " + replication + " in-sync replicas", timeout,
                () -> {
                    for (int p = 0; p < partitions; p++) {
                        PartitionInfo info = cluster.partitionInfo(TOPIC, p).orElse(null);
                        if (info == null || info.leader() < 0 || info.isr().size() < replication) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    private static String header(Options options, Instant startedAt, boolean valid) {
        return "# Chaos run " + (valid ? "passed" : "FOUND ANOMALIES") + "\n\n"
                + "- started: " + startedAt + "\n"
                + "- seed: " + options.seed() + " (replay: `brook chaos run --seed " + options.seed() + " --nodes "
                + options.nodes() + " --duration " + options.duration().toSeconds() + "s --faults "
                + options.faults().stream().map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(","))
                + " --rate " + options.rate() + "`)\n"
                + "- nodes: " + options.nodes() + ", network: " + options.network() + ", workload: " + options.workload()
                + " (" + options.producers() + " producers, " + options.partitions() + " partitions, acks=all, "
                + "idempotent, RF " + Math.min(3, options.nodes()) + ", min.insync.replicas "
                + Math.min(2, Math.min(3, options.nodes())) + ")\n\n";
    }

    private static void writeReport(Path dir, History history, List<FaultWindow> windows, String summary)
            throws IOException {
        history.writeJsonLines(dir.resolve("history.jsonl"));
        FaultHistory.writeJsonLines(dir.resolve("faults.jsonl"), windows);
        Files.writeString(dir.resolve("summary.md"), summary);
        ThroughputPlot.write(history, windows, dir.resolve("plot.png"));
    }
}
