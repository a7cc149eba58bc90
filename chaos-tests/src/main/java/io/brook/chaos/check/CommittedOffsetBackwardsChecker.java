package io.brook.chaos.check;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds committed offsets moving backwards: a group's committed offset for a partition going
 * down, which re-delivers what the group had finished with (a zombie member's late commit, a
 * coordinator failover that lost a commit).
 *
 * <p>Exactly: the observations of one group's committed offset for one partition are its OK
 * commits (the offset committed) and its OK "committed" reads (the offset returned). If
 * observation {@code a} completed before observation {@code b} was invoked, {@code b}'s offset
 * must be at least {@code a}'s: a commit after a commit must not go back, and a read after a
 * commit must see it or a later one. For observations that never overlap in time this is the
 * completion order the brief states; two that overlapped (two members committing at once) are
 * not compared, since the history cannot tell in which order the coordinator applied them.
 * Failed and indeterminate commits are left out. Each observation below an earlier one is one
 * anomaly, reported against the highest earlier one.
 *
 * <p>Figures: commits, committed-reads, backwards. Stateless and thread-safe.
 */
public final class CommittedOffsetBackwardsChecker implements Checker {
    public static final String NAME = "committed-offset-backwards";

    private record Key(String group, TopicPartition partition) {}

    private record Observation(Operation operation, long offset) {
        long invokeIndex() {
            return operation.invokeIndex();
        }

        long completeIndex() {
            return operation.completeIndex();
        }

        String describe() {
            boolean commit = operation.f().equals(Op.COMMIT);
            return (commit ? "commit" : "committed read") + " by process " + operation.process() + " ("
                    + operation.describeOps() + ") " + (commit ? "set " : "returned ") + offset;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<Key, List<Observation>> observations = new TreeMap<>(Comparator
                .comparing((Key k) -> k.group() == null ? "" : k.group())
                .thenComparing(Key::partition));
        long commits = 0;
        long reads = 0;
        for (Operation operation : history.operations()) {
            boolean commit = operation.f().equals(Op.COMMIT);
            if (operation.outcome() != Op.Type.OK || !(commit || operation.f().equals(Op.COMMITTED))) {
                continue;
            }
            Op ok = operation.completion();
            Map<TopicPartition, Long> offsets = ok.offsets();
            if (commit && offsets.isEmpty() && operation.invocation() != null) {
                offsets = operation.invocation().offsets();
            }
            if (commit) {
                commits++;
            } else {
                reads++;
            }
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                observations.computeIfAbsent(new Key(ok.group(), e.getKey()), k -> new ArrayList<>())
                        .add(new Observation(operation, e.getValue()));
            }
        }
        List<String> anomalies = new ArrayList<>();
        observations.forEach((key, list) -> check(key, list, anomalies));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("commits", commits);
        figures.put("committed-reads", reads);
        figures.put("backwards", (long) anomalies.size());
        return CheckResult.of(NAME, anomalies, figures);
    }

    /** Sweeps {@code list} in invocation order, knowing the highest offset completed before each invocation. */
    private static void check(Key key, List<Observation> list, List<String> anomalies) {
        List<Observation> byInvocation = new ArrayList<>(list);
        byInvocation.sort(Comparator.comparingLong(Observation::invokeIndex));
        List<Observation> byCompletion = new ArrayList<>(list);
        byCompletion.sort(Comparator.comparingLong(Observation::completeIndex));
        Observation highest = null;
        int completed = 0;
        for (Observation b : byInvocation) {
            while (completed < byCompletion.size() && byCompletion.get(completed).completeIndex() < b.invokeIndex()) {
                Observation a = byCompletion.get(completed++);
                if (highest == null || a.offset() > highest.offset()) {
                    highest = a;
                }
            }
            if (highest != null && b.offset() < highest.offset()) {
                anomalies.add("committed offset backwards: group " + (key.group() == null ? "(none)" : key.group())
                        + ", " + key.partition() + ": " + b.describe() + " after " + highest.describe());
            }
        }
    }
}
