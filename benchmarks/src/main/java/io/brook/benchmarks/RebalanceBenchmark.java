package io.brook.benchmarks;

import io.brook.client.BrookAdmin;
import io.brook.client.GroupDescription;
import io.brook.client.MemberDescription;
import io.brook.client.TopicPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Consumer-group rebalance after a member crash: a 3-node cluster in this JVM, a 6-partition topic
 * (replication factor 3), and three members of one group, each its own JVM process
 * ({@link GroupMemberProcess}, a {@code BrookConsumer} subscribed to the topic). Each round kills
 * one member's process with SIGKILL and measures the time from the kill until the coordinator shows
 * every partition owned again by the two survivors with the group Stable (polled through
 * {@code BrookAdmin.describeGroups} every 5 ms). A new member then joins and the next round starts
 * once the three are Stable again. Median, p90, min and max over {@code runs} rounds.
 *
 * <p>The figure is bounded below by the session timeout (nothing tells the coordinator that a
 * member died but its missing heartbeats) plus up to one heartbeat interval (the survivors learn of
 * the new assignment at their next heartbeat).
 *
 * <p>Run: {@code mvn -B -ntp package -pl benchmarks -am -DskipTests && java -cp
 * benchmarks/target/benchmarks.jar io.brook.benchmarks.RebalanceBenchmark} (system properties:
 * {@code runs} = 10, {@code session.timeout.ms} = 3000, {@code heartbeat.interval.ms} = 300, the
 * coordinator's {@code group.consumer.heartbeat.interval.ms}).
 */
public final class RebalanceBenchmark {
    private static final String GROUP = "rebalance";
    private static final String TOPIC = "events";
    private static final int PARTITIONS = 6;

    private RebalanceBenchmark() {}

    public static void main(String[] args) throws Exception {
        QuietLogs.apply();
        int runs = Integer.getInteger("runs", 10);
        int session = Integer.getInteger("session.timeout.ms", 3000);
        int heartbeat = Integer.getInteger("heartbeat.interval.ms", 300);
        Path dir = Files.createTempDirectory("brook-rebalance");
        List<Process> members = new ArrayList<>();
        try (BenchCluster cluster = BenchCluster.start(dir, 3, Map.of("group.consumer.heartbeat.interval.ms",
                String.valueOf(heartbeat), "group.consumer.min.session.timeout.ms", "1000"));
                BrookAdmin admin = new BrookAdmin(Map.of("bootstrap.servers", cluster.bootstrap()))) {
            cluster.createTopic(TOPIC, PARTITIONS, 3, Map.of());
            for (int i = 0; i < 3; i++) {
                members.add(startMember(cluster.bootstrap(), session, dir.resolve("member-" + i + ".log")));
            }
            awaitStable(admin, 3, 120);
            long[] millis = new long[runs];
            for (int run = 0; run < runs; run++) {
                Process victim = members.remove(run % members.size());
                long start = System.nanoTime();
                victim.destroyForcibly();
                awaitStable(admin, 2, 120);
                millis[run] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.printf(Locale.ROOT, "round %d: kill -9 of a member -> its partitions owned again: %d ms%n",
                        run + 1, millis[run]);
                victim.waitFor();
                members.add(startMember(cluster.bootstrap(), session, dir.resolve("member-r" + run + ".log")));
                awaitStable(admin, 3, 120);
            }
            long[] sorted = millis.clone();
            Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "session.timeout.ms=%d heartbeat.interval.ms=%d runs=%d: median %d ms, "
                    + "p90 %d ms, min %d ms, max %d ms; per round %s%n", session, heartbeat, runs,
                    sorted[(runs - 1) / 2], sorted[Math.min(runs - 1, (int) Math.ceil(runs * 0.9) - 1)], sorted[0],
                    sorted[runs - 1], Arrays.toString(millis));
        } finally {
            members.forEach(Process::destroyForcibly);
        }
    }

    private static Process startMember(String bootstrap, int session, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                GroupMemberProcess.class.getName(), bootstrap, GROUP, TOPIC, String.valueOf(session))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until {@code size} members own every partition, each exactly once, and the group is Stable. */
    private static void awaitStable(BrookAdmin admin, int size, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try {
                GroupDescription group = admin.describeGroups(List.of(GROUP)).get(GROUP);
                if (group != null && group.state() == io.brook.client.GroupState.STABLE && group.members().size() == size) {
                    Set<TopicPartition> owned = new HashSet<>();
                    int count = 0;
                    for (MemberDescription member : group.members()) {
                        owned.addAll(member.assignment());
                        count += member.assignment().size();
                    }
                    if (owned.size() == PARTITIONS && count == PARTITIONS) {
                        return;
                    }
                }
            } catch (RuntimeException e) {
                // the coordinator may be loading or moving: ask again
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new IllegalStateException("the group did not become Stable with " + size + " members in " + seconds + " s");
    }
}
