package io.brook.cli;

import io.brook.chaos.cluster.FaultKind;
import io.brook.chaos.cluster.NetworkMode;
import io.brook.chaos.run.ChaosRunner;
import io.brook.chaos.run.Workload;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code brook chaos run}: a real multi-process cluster under faults, its history checked for anomalies. */
@Command(name = "chaos", mixinStandardHelpOptions = true, description = "Run Brook under faults and check what clients saw.",
        subcommands = {ChaosCommand.Run.class})
final class ChaosCommand extends CommandGroup {
    /** Where the report goes when the command line does not say (tests set it). */
    static PrintStream out = System.out;

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Start --nodes nodes as separate processes (this jar; each in its own network namespace, "
                    + "so partitions cut traffic both ways: needs root), run the workloads (--workload: producers with "
                    + "acks=all and idempotence on a replicated topic, then a full read; consumers in a group; topic "
                    + "creates and deletes), and fault the cluster on a "
                    + "schedule drawn from --seed: kill -9 and restart, SIGSTOP/SIGCONT, network partitions. Then "
                    + "check the recorded history for lost, duplicated, reordered and inconsistent records, polls going "
                    + "back, committed offsets going back, records a group skipped, lost topic changes, and report "
                    + "availability. Writes the report directory (history.jsonl, faults.jsonl, summary.md, plot.png, "
                    + "node logs); exits 1 when an anomaly was found, with the seed to replay.", ""})
    static final class Run implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--nodes", defaultValue = "3", description = "Broker nodes: combined controller+broker nodes "
                + "unless --controllers is given (default 3).")
        int nodes;

        @Option(names = "--controllers", defaultValue = "0", description = "Separate controller-only nodes beside the "
                + "--nodes brokers (default 0: combined nodes; 3 for 3 controllers + 3 brokers).")
        int controllers;

        @Option(names = "--duration", defaultValue = "60s", description = "How long the faults run (e.g. 45s, 30m).")
        String duration;

        @Option(names = "--faults", defaultValue = "kill,pause,partition", split = ",",
                description = "Fault kinds, rotated: kill, pause, partition (default all three).")
        List<String> faults;

        @Option(names = "--workload", defaultValue = "queue", description = "Comma-separated: queue (default; "
                + "producers, then a full read), group (consumers in one group poll and commit; committed offsets "
                + "sampled), metadata (topics created and deleted), or all. The queue producers always run.")
        String workload;

        @Option(names = "--consumers", defaultValue = "3", description = "Consumer processes of the group workload "
                + "(default 3).")
        int consumers;

        @Option(names = "--rate", defaultValue = "500", description = "Sends per second over all producers (default 500).")
        int rate;

        @Option(names = "--seed", description = "The schedule's seed (default: random, printed).")
        Long seed;

        @Option(names = "--report", description = "The report directory (default: ./chaos-report-<seed>).")
        Path report;

        @Option(names = "--producers", defaultValue = "3", description = "Producer processes (default 3).")
        int producers;

        @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the workload's topic (default 6).")
        int partitions;

        @Option(names = "--network", defaultValue = "namespaces",
                description = "namespaces (default; root) or loopback (no partitions: kill and pause only).")
        String network;

        @Option(names = "--jar", description = "The node jar (default: the jar this command runs from).")
        Path jar;

        @Option(names = "--node-jvm-option", paramLabel = "OPTION", description = "An extra JVM option for every node "
                + "process, repeatable (for example -Dbrook.test.unsafeAckBeforeReplication=true, the deliberately "
                + "broken build the checkers must catch).")
        List<String> nodeJvmOptions = new ArrayList<>();

        @Override
        public void run() {
            long chosenSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            List<FaultKind> kinds = new ArrayList<>();
            for (String f : faults) {
                try {
                    kinds.add(FaultKind.valueOf(f.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "Unknown fault '" + f
                            + "': expected kill, pause or partition.");
                }
            }
            NetworkMode mode = switch (network) {
                case "namespaces" -> NetworkMode.NAMESPACES;
                case "loopback" -> NetworkMode.LOOPBACK;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--network must be namespaces "
                        + "or loopback, not '" + network + "'.");
            };
            Duration runFor = parseDuration(duration);
            java.util.Set<Workload> workloads;
            try {
                workloads = Workload.parse(workload);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Path nodeJar = jar != null ? jar : ownJar();
            Path dir = report != null ? report : Path.of("chaos-report-" + chosenSeed);
            ChaosRunner.Options options;
            try {
                options = ChaosRunner.Options.builder(nodeJar, dir).nodes(nodes).controllers(controllers)
                        .duration(runFor).faults(kinds).workloads(workloads).rate(rate).seed(chosenSeed)
                        .producers(producers).consumers(consumers).partitions(partitions).network(mode)
                        .nodeJvmOptions(nodeJvmOptions).build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            out.println("Chaos run: seed " + chosenSeed + ", report in " + dir.toAbsolutePath());
            ChaosRunner.Outcome outcome;
            try {
                outcome = ChaosRunner.run(options);
            } catch (Exception e) {
                throw new CliException("The chaos run failed: " + e.getMessage());
            }
            out.println(outcome.summary());
            if (!outcome.valid()) {
                throw new CliException("Anomalies found (see " + dir.resolve("summary.md") + "); replay with --seed "
                        + chosenSeed + ".");
            }
        }

        private Duration parseDuration(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            try {
                if (t.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                } else if (t.endsWith("s")) {
                    return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
                } else if (t.endsWith("m")) {
                    return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
                } else if (t.endsWith("h")) {
                    return Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1)));
                }
                return Duration.ofSeconds(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Invalid --duration '" + text
                        + "': expected for example 45s, 30m or 1h.");
            }
        }

        private Path ownJar() {
            try {
                Path self = Path.of(ChaosCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isRegularFile(self)) {
                    return self;
                }
            } catch (Exception e) {
                // fall through
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "Not running from the brook jar: give --jar "
                    + "(cli/target/cli-*-all.jar).");
        }
    }
}
