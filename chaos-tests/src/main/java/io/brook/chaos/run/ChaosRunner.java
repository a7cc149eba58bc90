package io.brook.chaos.run;

import io.brook.chaos.check.CheckResult;
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
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
     * What to run. Build with {@link #builder}.
     *
     * @param nodes broker nodes (combined controller+broker nodes unless {@code controllers} > 0)
     * @param controllers separate controller-only nodes (0: combined nodes)
     * @param duration how long the workload runs under faults
     * @param workloads what the clients do (always includes {@link Workload#QUEUE})
     * @param consumers consumer processes of the group workload
     * @param nodeConfig extra node configuration (for example faster session timeouts)
     * @param nodeJvmOptions extra JVM options of every node (for example a test-only switch)
     */
    public record Options(int nodes, int controllers, Duration duration, List<FaultKind> faults,
            Set<Workload> workloads, int rate, long seed, Path reportDir, Path jar, int producers, int consumers,
            int partitions, NetworkMode network, Map<String, String> nodeConfig, List<String> nodeJvmOptions) {
        public Options {
            if (nodes < 1 || controllers < 0 || producers < 1 || consumers < 1 || partitions < 1 || rate < 1) {
                throw new IllegalArgumentException("--nodes, --producers, --consumers, --partitions and --rate must be"
                        + " at least 1 and --controllers at least 0");
            }
            if (faults.isEmpty()) {
                throw new IllegalArgumentException("at least one fault kind");
            }
            if (network == NetworkMode.LOOPBACK && faults.contains(FaultKind.PARTITION)) {
                throw new IllegalArgumentException("--network loopback cannot partition nodes (partitions need network "
                        + "namespaces, as root): use --faults kill,pause");
            }
            faults = List.copyOf(faults);
            workloads = Collections.unmodifiableSet(EnumSet.copyOf(workloads));
            nodeConfig = Map.copyOf(nodeConfig);
            nodeJvmOptions = List.copyOf(nodeJvmOptions);
        }

        public static Builder builder(Path jar, Path reportDir) {
            return new Builder(jar, reportDir);
        }

        /** The replication factor of the workloads' topics: 3, or fewer brokers. */
        int replication() {
            return Math.min(3, nodes);
        }

        /** Defaults as {@code brook chaos run}'s: 3 combined nodes, 60 s, every fault, queue, 500/s, seed 1. */
        public static final class Builder {
            private final Path jar;
            private final Path reportDir;
            private int nodes = 3;
            private int controllers;
            private Duration duration = Duration.ofSeconds(60);
            private List<FaultKind> faults = List.of(FaultKind.values());
            private Set<Workload> workloads = EnumSet.of(Workload.QUEUE);
            private int rate = 500;
            private long seed = 1;
            private int producers = 3;
            private int consumers = 3;
            private int partitions = 6;
            private NetworkMode network = NetworkMode.NAMESPACES;
            private Map<String, String> nodeConfig = fastFailover();
            private List<String> nodeJvmOptions = List.of();

            private Builder(Path jar, Path reportDir) {
                this.jar = jar;
                this.reportDir = reportDir;
            }

            public Builder nodes(int count) {
                nodes = count;
                return this;
            }

            public Builder controllers(int count) {
                controllers = count;
                return this;
            }

            public Builder duration(Duration value) {
                duration = value;
                return this;
            }

            public Builder faults(List<FaultKind> kinds) {
                faults = kinds;
                return this;
            }

            public Builder workloads(Set<Workload> value) {
                workloads = value;
                return this;
            }

            public Builder rate(int perSecond) {
                rate = perSecond;
                return this;
            }

            public Builder seed(long value) {
                seed = value;
                return this;
            }

            public Builder producers(int count) {
                producers = count;
                return this;
            }

            public Builder consumers(int count) {
                consumers = count;
                return this;
            }

            public Builder partitions(int count) {
                partitions = count;
                return this;
            }

            public Builder network(NetworkMode mode) {
                network = mode;
                return this;
            }

            /** Replaces the node configuration (default {@link #fastFailover()}). */
            public Builder nodeConfig(Map<String, String> config) {
                nodeConfig = config;
                return this;
            }

            public Builder nodeJvmOptions(List<String> options) {
                nodeJvmOptions = options;
                return this;
            }

            public Options build() {
                return new Options(nodes, controllers, duration, faults, workloads, rate, seed, reportDir, jar,
                        producers, consumers, partitions, network, nodeConfig, nodeJvmOptions);
            }
        }
    }

    /** What a run found. */
    public record Outcome(boolean valid, List<CheckResult> results, Path reportDir, long seed, String summary) {}

    /**
     * Node settings for a chaos run: detection within seconds (the defaults take 9 s and more),
     * consumer sessions down to 3 s, and 10 {@code __consumer_offsets} partitions (50 cost a
     * 2-core machine more start-up than the run is long).
     */
    public static Map<String, String> fastFailover() {
        return Map.of("broker.session.timeout.ms", "3000", "broker.heartbeat.interval.ms", "300",
                "replica.lag.time.max.ms", "3000", "group.consumer.min.session.timeout.ms", "3000",
                "group.consumer.heartbeat.interval.ms", "500", "offsets.topic.num.partitions", "10");
    }

    private ChaosRunner() {}

    public static Outcome run(Options options) throws Exception {
        Files.createDirectories(options.reportDir());
        Clock clock = Clock.system();
        Instant startedAt = Instant.ofEpochMilli(clock.milliseconds());
        int replication = options.replication();
        ChaosCluster.Settings settings = ChaosCluster.Settings.builder(options.jar(), options.reportDir().resolve("cluster"))
                .nodes(options.nodes()).separateControllers(options.controllers()).network(options.network())
                .config(options.nodeConfig())
                .jvmOptions(jvmOptions(options.nodeJvmOptions()))
                .config("default.replication.factor", replication).config("min.insync.replicas", Math.min(2, replication))
                .build();
        History history;
        List<FaultWindow> windows = new ArrayList<>();
        String finalPhaseError = null;
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
            GroupWorkload group = options.workloads().contains(Workload.GROUP)
                    ? new GroupWorkload(cluster.bootstrapServers(), TOPIC, options.partitions(), options.consumers(),
                            options.seed(), history)
                    : null;
            MetadataWorkload metadata = options.workloads().contains(Workload.METADATA)
                    ? new MetadataWorkload(cluster.bootstrapServers(), replication, options.seed(), history)
                    : null;
            List<TopicPartition> leaderTargets = new ArrayList<>();
            for (int p = 0; p < options.partitions(); p++) {
                leaderTargets.add(new TopicPartition(TOPIC, p));
            }
            Nemesis nemesis = Nemesis.create(cluster, NemesisOptions.of(options.faults().toArray(FaultKind[]::new))
                    .withPartitions(leaderTargets), options.seed(), options.duration(), clock, start,
                    new Nemesis.Listener() {});
            log.info("chaos run: seed {}, schedule {}", options.seed(), nemesis.schedule());
            workload.start();
            if (group != null) {
                group.start();
            }
            if (metadata != null) {
                metadata.start();
            }
            Nemesis.Run run = nemesis.start();
            List<Fault> faults = run.await();
            // The schedule may end (its last fault healed) before the run's duration: the workload
            // keeps going, healthy, until the duration is over.
            long end = start + options.duration().toNanos();
            while (clock.nanoseconds() - end < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(end - clock.nanoseconds());
            }
            workload.stop();
            if (metadata != null) {
                metadata.stop();
            }
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
            try {
                Map<TopicPartition, Long> ends = workload.finalRead(Duration.ofSeconds(120));
                if (group != null && !group.drain(ends, Duration.ofSeconds(90))) {
                    log.warn("the group did not commit the end of every partition within 90 s");
                }
                if (metadata != null) {
                    metadata.finalListing(Duration.ofSeconds(30));
                }
            } catch (RuntimeException e) {
                // Check and report what was recorded all the same; the run cannot pass.
                log.error("the final read of the chaos run failed", e);
                finalPhaseError = e.toString();
            }
        }
        List<CheckResult> results = Checkers.checkAll(history, windows);
        boolean valid = finalPhaseError == null && results.stream().allMatch(CheckResult::valid);
        Summary checked = Summary.of(results);
        String summary = header(options, startedAt, valid)
                + (finalPhaseError == null ? "" : "**The final read failed** (" + finalPhaseError + "): the checkers "
                        + "below saw only what was recorded before it.\n\n")
                + checked.markdownTable() + "\n"
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
        String workloads = options.workloads().stream().map(Workload::label).collect(Collectors.joining(","));
        return "# Chaos run " + (valid ? "passed" : "FOUND ANOMALIES") + "\n\n"
                + "- started: " + startedAt + "\n"
                + "- seed: " + options.seed() + " (replay: `brook chaos run --seed " + options.seed() + " --nodes "
                + options.nodes() + " --duration " + options.duration().toSeconds() + "s --faults "
                + options.faults().stream().map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(","))
                + " --rate " + options.rate() + " --workload " + workloads + (options.controllers() > 0
                        ? " --controllers " + options.controllers() : "")
                + options.nodeJvmOptions().stream().map(o -> " --node-jvm-option=" + o).collect(Collectors.joining())
                + "`)\n"
                + "- nodes: " + options.nodes() + (options.controllers() > 0 ? " brokers and " + options.controllers()
                        + " controllers" : " combined") + ", network: " + options.network() + ", workload: " + workloads
                + " (" + options.producers() + " producers" + (options.workloads().contains(Workload.GROUP)
                        ? ", " + options.consumers() + " consumers in group " + GroupWorkload.GROUP : "")
                + ", " + options.partitions() + " partitions, acks=all, idempotent, RF " + options.replication()
                + ", min.insync.replicas " + Math.min(2, options.replication()) + ")\n\n";
    }

    private static void writeReport(Path dir, History history, List<FaultWindow> windows, String summary)
            throws IOException {
        history.writeJsonLines(dir.resolve("history.jsonl"));
        FaultHistory.writeJsonLines(dir.resolve("faults.jsonl"), windows);
        Files.writeString(dir.resolve("summary.md"), summary);
        ThroughputPlot.write(history, windows, dir.resolve("plot.png"));
    }
}
