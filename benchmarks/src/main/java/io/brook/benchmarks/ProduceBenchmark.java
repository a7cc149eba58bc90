package io.brook.benchmarks;

import io.brook.api.v1.PartitionMetadata;
import io.brook.broker.BrookNode;
import io.brook.storage.PartitionLog;
import io.brook.storage.TopicPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

/**
 * Produce throughput and latency through the public gRPC API ({@code brook.v1.BrokerService/
 * ProduceStream}) against nodes started in this JVM ({@link BenchCluster}: real Ratis, real gRPC
 * on 127.0.0.1, real files in a temporary directory deleted afterwards), and the catch-up rate of
 * a restarted follower. A plain main; the client is {@link ProducerLoad}.
 *
 * <p>{@code --mode produce} (the default) runs each of {@code --scenarios} on a fresh cluster, one
 * after the other, so their ratios come from the same sitting:
 * <ul>
 *   <li>{@code single}: 1 node, RF 1, acks=1;
 *   <li>{@code rf3-flush}: 3 nodes, RF 3, {@code min.insync.replicas=2}, acks=all,
 *       {@code log.flush.on.ack=true} (the default: the leader and every in-sync follower fsync
 *       before the ack, by group commit);
 *   <li>{@code rf3-noflush}: the same with {@code log.flush.on.ack=false} (page cache only, as Kafka);
 *   <li>{@code single-noflush}: {@code single} with {@code log.flush.on.ack=false} (not in the
 *       default list);
 *   <li>{@code custom}: from {@code --nodes}, {@code --replication-factor},
 *       {@code --min-insync-replicas}, {@code --acks}, {@code --flush-on-ack}.
 * </ul>
 * Each scenario creates a topic of {@code --partitions} partitions, produces {@code --batch-records}
 * records of {@code --record-bytes} per batch with {@code --in-flight} batches outstanding per
 * partition for {@code --warmup-seconds}, then measures {@code --iterations} windows of
 * {@code --seconds} each: records/s, MB/s (batch bytes, 10^6) and latency per batch (send to ack)
 * p50/p95/p99/max from an HdrHistogram. It prints one line per window and, at the end, the median
 * over the windows per scenario. A watcher polls GetMetadata every 500 ms and reports the smallest
 * ISR and any leader change it saw. The first scenario of an invocation runs in a cold JVM and
 * comes out slower than the same scenario run later (seen on a loaded 2-core machine with the
 * 10 s warm-up): compare scenarios across invocations with different orders, or warm up longer.
 *
 * <p>{@code --mode catchup}: 3 nodes, a topic of {@code --partitions} (default 1) partitions, RF 3,
 * {@code min.insync.replicas=1}; per round, a follower of partition 0 is stopped (controlled
 * shutdown), {@code --catchup-megabytes} MB are produced with acks=1, the other follower is let catch
 * up, and the stopped node is started again on the same directories and ports. The time runs from
 * that start until the restarted follower's log end offsets (its {@code LogManager}'s logs, read
 * in-process every 5 ms) equal the leader's; the time until GetMetadata shows a full ISR again is
 * reported beside it. Bytes are the growth of the leader's logs while the follower was down.
 * {@code --flush-on-ack} (default true) sets {@code log.flush.on.ack} on every node.
 *
 * <p>Run: {@code mvn -B -ntp package -pl benchmarks -am -DskipTests && java -Xmx4g -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.ProduceBenchmark [--mode produce|catchup]
 * [--scenarios single,rf3-flush,rf3-noflush] [--partitions 6] [--in-flight 5] [--batch-records 16]
 * [--record-bytes 1024] [--warmup-seconds 10] [--seconds 20] [--iterations 3] [--timeout-ms 30000]
 * [--catchup-megabytes 200] [--rounds 3] [--flush-on-ack true]} (the defaults shown).
 */
public final class ProduceBenchmark {
    private ProduceBenchmark() {}

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("mode", "produce");
        DEFAULTS.put("scenarios", "single,rf3-flush,rf3-noflush");
        DEFAULTS.put("partitions", null); // 6 for produce, 1 for catchup
        DEFAULTS.put("in-flight", "5");
        DEFAULTS.put("batch-records", "16");
        DEFAULTS.put("record-bytes", "1024");
        DEFAULTS.put("warmup-seconds", "10");
        DEFAULTS.put("seconds", "20");
        DEFAULTS.put("iterations", "3");
        DEFAULTS.put("timeout-ms", "30000");
        DEFAULTS.put("catchup-megabytes", "200");
        DEFAULTS.put("rounds", "3");
        DEFAULTS.put("flush-on-ack", "true");
        DEFAULTS.put("nodes", "3");
        DEFAULTS.put("replication-factor", "3");
        DEFAULTS.put("min-insync-replicas", "2");
        DEFAULTS.put("acks", "-1");
    }

    /** One cluster shape and produce setting. */
    record Scenario(String name, int nodes, int replicationFactor, int minInsyncReplicas, int acks,
            boolean flushOnAck) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %d node%s, RF %d, min.insync.replicas %d, acks=%s, "
                    + "log.flush.on.ack=%s", name, nodes, nodes == 1 ? "" : "s", replicationFactor,
                    minInsyncReplicas, acks == -1 ? "all" : Integer.toString(acks), flushOnAck);
        }
    }

    private record Options(Map<String, String> values) {
        String get(String key) {
            return values.get(key);
        }

        int integer(String key) {
            try {
                return Integer.parseInt(values.get(key));
            } catch (NumberFormatException e) {
                throw usage("--" + key + " takes an integer, not '" + values.get(key) + "'");
            }
        }

        boolean bool(String key) {
            String v = values.get(key);
            if (!v.equals("true") && !v.equals("false")) {
                throw usage("--" + key + " takes true or false, not '" + v + "'");
            }
            return Boolean.parseBoolean(v);
        }
    }

    private static IllegalArgumentException usage(String message) {
        return new IllegalArgumentException(message);
    }

    private static Options parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw usage("unexpected argument '" + arg + "'");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw usage("--" + key + " needs a value");
            }
            if (!DEFAULTS.containsKey(key)) {
                throw usage("unknown option --" + key + "; known: --" + String.join(", --", DEFAULTS.keySet()));
            }
            values.put(key, value);
        }
        if (values.get("partitions") == null) {
            values.put("partitions", values.get("mode").equals("catchup") ? "1" : "6");
        }
        return new Options(values);
    }

    public static void main(String[] args) throws Exception {
        QuietLogs.apply();
        Options options;
        try {
            options = parse(args);
            switch (options.get("mode")) {
                case "produce" -> runProduce(options);
                case "catchup" -> runCatchup(options);
                default -> throw usage("--mode is produce or catchup, not '" + options.get("mode") + "'");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
        System.exit(0);
    }

    private static Scenario scenario(String name, Options o) {
        return switch (name) {
            case "single" -> new Scenario(name, 1, 1, 1, 1, true);
            case "single-noflush" -> new Scenario(name, 1, 1, 1, 1, false);
            case "rf3-flush" -> new Scenario(name, 3, 3, 2, -1, true);
            case "rf3-noflush" -> new Scenario(name, 3, 3, 2, -1, false);
            case "custom" -> new Scenario(name, o.integer("nodes"), o.integer("replication-factor"),
                    o.integer("min-insync-replicas"), o.integer("acks"), o.bool("flush-on-ack"));
            default -> throw usage("unknown scenario '" + name
                    + "'; known: single, single-noflush, rf3-flush, rf3-noflush, custom");
        };
    }

    private static String header(Options o) throws Exception {
        return String.format(Locale.ROOT, "%d partitions, %d in flight per partition, %d records x %d B per batch; "
                + "load average %s", o.integer("partitions"), o.integer("in-flight"), o.integer("batch-records"),
                o.integer("record-bytes"), loadAverage());
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    // --------------------------------------------------------------------------------- produce

    private static void runProduce(Options o) throws Exception {
        List<Scenario> scenarios = new ArrayList<>();
        for (String name : o.get("scenarios").split(",")) {
            scenarios.add(scenario(name.trim(), o));
        }
        System.out.println(header(o));
        Map<Scenario, List<ProducerLoad.Window>> results = new LinkedHashMap<>();
        for (Scenario s : scenarios) {
            results.put(s, runScenario(s, o));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "medians over %d windows of %d s (load average now %s):%n",
                o.integer("iterations"), o.integer("seconds"), loadAverage());
        System.out.println("| scenario | records/s | MB/s | p50 ms | p95 ms | p99 ms | max ms | vs first |");
        double first = Double.NaN;
        for (Map.Entry<Scenario, List<ProducerLoad.Window>> e : results.entrySet()) {
            List<ProducerLoad.Window> w = e.getValue();
            double rps = median(w, ProducerLoad.Window::recordsPerSecond);
            if (Double.isNaN(first)) {
                first = rps;
            }
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                    e.getKey().name(), rps, median(w, ProducerLoad.Window::megabytesPerSecond),
                    median(w, x -> x.latencyMs(50)), median(w, x -> x.latencyMs(95)), median(w, x -> x.latencyMs(99)),
                    median(w, ProducerLoad.Window::maxLatencyMs), rps / first);
        }
    }

    private static double median(List<ProducerLoad.Window> windows, ToDoubleFunction<ProducerLoad.Window> f) {
        double[] values = windows.stream().mapToDouble(f).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static List<ProducerLoad.Window> runScenario(Scenario s, Options o) throws Exception {
        System.out.println();
        System.out.println(s);
        Path dir = BenchmarkData.scratchDirectory("brook-produce-bench");
        List<ProducerLoad.Window> windows = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start(dir, s.nodes(), Map.of("log.flush.on.ack",
                Boolean.toString(s.flushOnAck())))) {
            String topic = "bench";
            int partitions = o.integer("partitions");
            cluster.createTopic(topic, partitions, s.replicationFactor(),
                    Map.of("min.insync.replicas", Integer.toString(s.minInsyncReplicas())));
            List<PartitionMetadata> metadata = cluster.partitions(topic);
            int[] leaders = new int[partitions];
            for (PartitionMetadata m : metadata) {
                leaders[m.getPartition()] = m.getLeaderId();
            }
            System.out.println("leaders by partition: " + Arrays.toString(leaders));
            ProducerLoad load = new ProducerLoad(topic, partitions, p -> cluster.channel(leaders[p]), s.acks(),
                    o.integer("timeout-ms"), o.integer("in-flight"), o.integer("batch-records"),
                    o.integer("record-bytes"), 42);
            IsrWatch watch = new IsrWatch(cluster, topic, leaders, s.replicationFactor());
            watch.start();
            try {
                load.start();
                sleepSeconds(o.integer("warmup-seconds"));
                ProducerLoad.Window warmup = load.takeWindow();
                System.out.printf(Locale.ROOT, "  warm-up %.1f s: %,.0f records/s%s%n", warmup.seconds(),
                        warmup.recordsPerSecond(), warmup.errors().isEmpty() ? "" : ", errors " + warmup.errors());
                for (int i = 1; i <= o.integer("iterations"); i++) {
                    sleepSeconds(o.integer("seconds"));
                    ProducerLoad.Window w = load.takeWindow();
                    windows.add(w);
                    System.out.printf(Locale.ROOT, "  window %d: %,.0f records/s, %.1f MB/s, latency ms p50 %.2f "
                            + "p95 %.2f p99 %.2f max %.2f (%,d batches)%s; load %s%n", i, w.recordsPerSecond(),
                            w.megabytesPerSecond(), w.latencyMs(50), w.latencyMs(95), w.latencyMs(99),
                            w.maxLatencyMs(), w.batches(), w.errors().isEmpty() ? "" : "; errors " + w.errors(),
                            loadAverage());
                }
                long unanswered = load.stopAndDrain(o.integer("timeout-ms") + 5_000L);
                ProducerLoad.Window tail = load.takeWindow();
                if (unanswered > 0 || !tail.errors().isEmpty()) {
                    System.out.printf(Locale.ROOT, "  after the last window: %d batches never answered, errors %s%n",
                            unanswered, tail.errors());
                }
            } finally {
                watch.stop();
            }
            System.out.println("  " + watch.summary());
        } finally {
            BenchmarkData.deleteRecursively(dir);
        }
        return windows;
    }

    private static void sleepSeconds(int seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);
    }

    /** Polls GetMetadata every 500 ms: the smallest ISR of the topic and leader changes seen. */
    private static final class IsrWatch {
        private final BenchCluster cluster;
        private final String topic;
        private final int[] leaders;
        private final int replicationFactor;
        private final Thread thread;
        private volatile boolean running = true;
        private final AtomicInteger smallestIsr;
        private final List<String> events = new ArrayList<>();

        IsrWatch(BenchCluster cluster, String topic, int[] leaders, int replicationFactor) {
            this.cluster = cluster;
            this.topic = topic;
            this.leaders = leaders.clone();
            this.replicationFactor = replicationFactor;
            this.smallestIsr = new AtomicInteger(replicationFactor);
            this.thread = new Thread(this::run, "isr-watch");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            long start = System.nanoTime();
            while (running) {
                try {
                    for (PartitionMetadata m : cluster.partitions(topic)) {
                        double at = (System.nanoTime() - start) / 1e9;
                        if (m.getIsrCount() < smallestIsr.get()) {
                            smallestIsr.set(m.getIsrCount());
                        }
                        synchronized (events) {
                            if (m.getIsrCount() < replicationFactor && events.size() < 20) {
                                events.add(String.format(Locale.ROOT, "%.1fs p%d ISR %s", at, m.getPartition(),
                                        m.getIsrList()));
                            }
                            if (m.getLeaderId() != leaders[m.getPartition()] && events.size() < 20) {
                                events.add(String.format(Locale.ROOT, "%.1fs p%d leader %d -> %d", at,
                                        m.getPartition(), leaders[m.getPartition()], m.getLeaderId()));
                                leaders[m.getPartition()] = m.getLeaderId();
                            }
                        }
                    }
                } catch (RuntimeException e) {
                    synchronized (events) {
                        if (events.size() < 20) {
                            events.add("GetMetadata failed: " + e);
                        }
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(5_000);
        }

        String summary() {
            synchronized (events) {
                return "ISR watch: smallest ISR seen " + smallestIsr.get() + " of " + replicationFactor
                        + (events.isEmpty() ? "; no ISR shrink or leader change" : "; " + String.join("; ", events));
            }
        }
    }

    // --------------------------------------------------------------------------------- catch-up

    private static void runCatchup(Options o) throws Exception {
        boolean flushOnAck = o.bool("flush-on-ack");
        int partitions = o.integer("partitions");
        long target = o.integer("catchup-megabytes") * 1_000_000L;
        System.out.printf(Locale.ROOT, "catch-up: 3 nodes, RF 3, min.insync.replicas 1, log.flush.on.ack=%s, "
                + "%d partition%s, %,d bytes produced (acks=1) per round while a follower is down; load average %s%n",
                flushOnAck, partitions, partitions == 1 ? "" : "s", target, loadAverage());
        Path dir = BenchmarkData.scratchDirectory("brook-catchup-bench");
        List<double[]> rounds = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start(dir, 3, Map.of("log.flush.on.ack",
                Boolean.toString(flushOnAck)))) {
            String topic = "catchup";
            cluster.createTopic(topic, partitions, 3, Map.of("min.insync.replicas", "1"));
            for (int round = 1; round <= o.integer("rounds"); round++) {
                rounds.add(catchupRound(cluster, topic, partitions, target, o, round));
            }
        } finally {
            BenchmarkData.deleteRecursively(dir);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "medians over %d rounds (load average now %s): restart to caught up %.0f ms, "
                + "%.1f MB/s; first record to caught up %.1f MB/s; restart to full ISR %.0f ms%n", rounds.size(),
                loadAverage(), medianOf(rounds, 0), medianOf(rounds, 1), medianOf(rounds, 2), medianOf(rounds, 3));
    }

    private static double medianOf(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** One stop / produce / restart round; returns {caught-up ms, MB/s from restart, MB/s copying, ISR ms}. */
    private static double[] catchupRound(BenchCluster cluster, String topic, int partitions, long targetBytes,
            Options o, int round) throws Exception {
        List<PartitionMetadata> metadata = cluster.partitions(topic);
        int[] leaders = new int[partitions];
        for (PartitionMetadata m : metadata) {
            leaders[m.getPartition()] = m.getLeaderId();
        }
        PartitionMetadata p0 = metadata.stream().filter(m -> m.getPartition() == 0).findFirst().orElseThrow();
        int follower = -1;
        for (int replica : p0.getReplicasList()) {
            if (replica != p0.getLeaderId()) {
                follower = replica; // the last follower in assignment order
            }
        }
        int stopped = follower;
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
            if (leaders[p] == stopped) {
                throw new IllegalStateException("node " + stopped + " leads " + topic + "-" + p
                        + "; use partitions whose leaders are not on the stopped follower");
            }
        }
        // Every replica equal before the stop, so the leader's growth is exactly what the follower lacks.
        awaitReplicasEqual(cluster, tps, leaders, Set.of(1, 2, 3));
        long[] sizeAtStop = new long[partitions];
        long[] endAtStop = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            PartitionLog leaderLog = log(cluster.node(leaders[p]), tps.get(p)).orElseThrow();
            sizeAtStop[p] = leaderLog.sizeInBytes();
            endAtStop[p] = leaderLog.logEndOffset();
        }
        System.out.printf(Locale.ROOT, "%nround %d: stopping node %d (follower of %s; leaders %s)%n", round, stopped,
                topic, Arrays.toString(leaders));
        cluster.stop(stopped);
        ProducerLoad load = new ProducerLoad(topic, partitions, p -> cluster.channel(leaders[p]), 1,
                o.integer("timeout-ms"), o.integer("in-flight"), o.integer("batch-records"), o.integer("record-bytes"),
                round);
        long fillStart = System.nanoTime();
        load.start();
        while (load.totalAckedBytes() < targetBytes) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        load.stopAndDrain(o.integer("timeout-ms") + 5_000L);
        ProducerLoad.Window fill = load.takeWindow();
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        Set<Integer> running = new java.util.HashSet<>(Set.of(1, 2, 3));
        running.remove(stopped);
        awaitReplicasEqual(cluster, tps, leaders, running);
        long bytes = 0;
        long[] leaderEnd = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            PartitionLog leaderLog = log(cluster.node(leaders[p]), tps.get(p)).orElseThrow();
            bytes += leaderLog.sizeInBytes() - sizeAtStop[p];
            leaderEnd[p] = leaderLog.logEndOffset();
        }
        System.out.printf(Locale.ROOT, "  produced %,d bytes (%,d records) in %.1f s with acks=1%s; "
                + "the leaders' logs grew by %,d bytes; load %s%n", fill.bytes(), fill.records(), fillSeconds,
                fill.errors().isEmpty() ? "" : ", errors " + fill.errors(), bytes, loadAverage());

        long t0 = System.nanoTime();
        cluster.startNode(stopped);
        long started = System.nanoTime();
        BrookNode node = cluster.node(stopped);
        long firstProgress = -1;
        long caughtUp = -1;
        long isrFull = -1;
        long lastMetadataCheck = 0;
        long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
        while (caughtUp < 0 || isrFull < 0) {
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException("node " + stopped + " did not catch up within 10 minutes");
            }
            if (caughtUp < 0) {
                boolean all = true;
                for (int p = 0; p < partitions; p++) {
                    Optional<PartitionLog> l = log(node, tps.get(p));
                    long end = l.map(PartitionLog::logEndOffset).orElse(-1L);
                    if (firstProgress < 0 && end > endAtStop[p]) {
                        firstProgress = now;
                    }
                    all &= end == leaderEnd[p];
                }
                if (all) {
                    caughtUp = now;
                }
            }
            if (isrFull < 0 && now - lastMetadataCheck > TimeUnit.MILLISECONDS.toNanos(20)) {
                lastMetadataCheck = now;
                try {
                    List<PartitionMetadata> m = cluster.partitions(topic);
                    if (m.size() == partitions && m.stream().allMatch(x -> x.getIsrCount() == 3)) {
                        isrFull = now;
                    }
                } catch (RuntimeException e) {
                    // the node is starting; ask again
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (firstProgress < 0) {
            firstProgress = caughtUp;
        }
        double total = (caughtUp - t0) / 1e6;
        double copying = (caughtUp - firstProgress) / 1e6;
        double fromRestart = bytes / ((caughtUp - t0) / 1e9) / 1e6;
        double copyRate = copying > 0 ? bytes / (copying / 1e3) / 1e6 : Double.NaN;
        double isrMs = (isrFull - t0) / 1e6;
        System.out.printf(Locale.ROOT, "  restarted node %d: start() took %.0f ms; first replicated record at %.0f ms; "
                + "log end offsets equal the leaders' at %.0f ms: %.1f MB/s from the restart, %.1f MB/s from the first "
                + "record; full ISR in GetMetadata at %.0f ms; load %s%n", stopped, (started - t0) / 1e6,
                (firstProgress - t0) / 1e6, total, fromRestart, copyRate, isrMs, loadAverage());
        cluster.awaitUnfenced(stopped);
        return new double[] {total, fromRestart, copyRate, isrMs};
    }

    private static Optional<PartitionLog> log(BrookNode node, TopicPartition tp) {
        return node.logManager().get(tp);
    }

    /** Waits until the logs of {@code nodes} have the leaders' log end offsets. */
    private static void awaitReplicasEqual(BenchCluster cluster, List<TopicPartition> tps, int[] leaders,
            Set<Integer> nodes) {
        BenchCluster.await("replicas " + nodes + " have the leaders' log end offsets", 600, () -> {
            for (int p = 0; p < tps.size(); p++) {
                long end = log(cluster.node(leaders[p]), tps.get(p)).orElseThrow().logEndOffset();
                for (int n : nodes) {
                    if (log(cluster.node(n), tps.get(p)).map(PartitionLog::logEndOffset).orElse(-1L) != end) {
                        return false;
                    }
                }
            }
            return true;
        });
    }
}
