package io.brook.chaos.check;

import io.brook.chaos.check.internal.Describe;
import io.brook.chaos.check.internal.Sightings;
import io.brook.chaos.check.internal.Sightings.Sighting;
import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds lost writes: a send acknowledged (OK) at a partition whose value is absent from every
 * final read of that partition (OK "read" ops). The one promise users buy a Kafka-style log for.
 *
 * <p>Exactly: for every OK send naming partition {@code p}, some OK read must return a record of
 * {@code p} with the send's value (at any offset: a value at another offset than acknowledged
 * is {@link InconsistentOffsetsChecker}'s business). An OK send that names no partition must be
 * found in a final read of its topic. An acknowledged send to a partition that no final read
 * covers cannot be verified, and that is an anomaly too: the run proved nothing about it.
 *
 * <p>Sends that failed (FAIL) or are indeterminate (INFO, or never completed) may be absent. A
 * failed send that is present is no lost write, but it means the client called a failure what
 * was a success (Kafka's {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} is one such): it is counted
 * and noted. Indeterminate sends are counted present or absent.
 *
 * <p>Figures: acknowledged, lost, unverified, failed-present, indeterminate-present,
 * indeterminate-absent, partitions-read. Stateless and thread-safe.
 */
public final class LostWriteChecker implements Checker {
    public static final String NAME = "lost-write";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<TopicPartition, Set<Long>> readOps = new TreeMap<>();
        Map<TopicPartition, Integer> recordsRead = new HashMap<>();
        for (Op op : history.ops()) {
            if (op.is(Op.READ, Op.Type.OK) && op.topicPartition() != null) {
                readOps.computeIfAbsent(op.topicPartition(), tp -> new TreeSet<>()).add(op.index());
                recordsRead.merge(op.topicPartition(), op.messages().size(), Math::max);
            }
        }
        Map<String, List<Sighting>> whereRead = new HashMap<>();
        for (Sighting s : Sightings.reads(history)) {
            readOps.computeIfAbsent(s.position().partition(), tp -> new TreeSet<>()).add(s.opIndex());
            if (s.value() != null) {
                whereRead.computeIfAbsent(s.value(), v -> new ArrayList<>()).add(s);
            }
        }
        Set<String> topicsRead = new TreeSet<>();
        readOps.keySet().forEach(tp -> topicsRead.add(tp.topic()));

        List<String> anomalies = new ArrayList<>();
        Map<String, List<Long>> unverified = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        long acknowledged = 0;
        long lost = 0;
        long failedPresent = 0;
        long indeterminatePresent = 0;
        long indeterminateAbsent = 0;
        for (Operation send : history.operations()) {
            if (!send.f().equals(Op.SEND)) {
                continue;
            }
            Op payload = send.last();
            List<Sighting> seen = whereRead.getOrDefault(payload.value(), List.of());
            switch (send.outcome()) {
                case OK -> {
                    acknowledged++;
                    TopicPartition tp = payload.topicPartition();
                    boolean covered = tp != null ? readOps.containsKey(tp) : topicsRead.contains(payload.topic());
                    if (!covered) {
                        unverified.computeIfAbsent(tp != null ? tp.toString() : payload.topic() + " (no partition)",
                                k -> new ArrayList<>()).add(send.completion().index());
                        continue;
                    }
                    boolean present = seen.stream().anyMatch(s -> tp != null
                            ? s.position().partition().equals(tp)
                            : s.position().partition().topic().equals(payload.topic()));
                    if (!present) {
                        lost++;
                        anomalies.add(describeLost(send, tp, readOps, recordsRead, seen));
                    }
                }
                case FAIL -> {
                    if (!seen.isEmpty()) {
                        failedPresent++;
                        notes.add("failed " + Describe.send(send) + " is present at " + seen.get(0).position()
                                + " (" + seen.get(0).describeSource() + "): the client reported as failed a write"
                                + " that happened");
                    }
                }
                default -> {
                    if (seen.isEmpty()) {
                        indeterminateAbsent++;
                    } else {
                        indeterminatePresent++;
                    }
                }
            }
        }
        long unverifiedCount = 0;
        for (Map.Entry<String, List<Long>> e : unverified.entrySet()) {
            unverifiedCount += e.getValue().size();
            anomalies.add("unverified writes: no final read of " + e.getKey() + ", so " + e.getValue().size()
                    + " acknowledged send(s) cannot be checked (ok " + Describe.ops(e.getValue()) + ")");
        }

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("acknowledged", acknowledged);
        figures.put("lost", lost);
        figures.put("unverified", unverifiedCount);
        figures.put("failed-present", failedPresent);
        figures.put("indeterminate-present", indeterminatePresent);
        figures.put("indeterminate-absent", indeterminateAbsent);
        figures.put("partitions-read", (long) readOps.size());
        if (!notes.isEmpty()) {
            figures.put(CheckResult.NOTES, notes);
        }
        return CheckResult.of(NAME, anomalies, figures);
    }

    private static String describeLost(Operation send, TopicPartition tp, Map<TopicPartition, Set<Long>> readOps,
            Map<TopicPartition, Integer> recordsRead, List<Sighting> seenElsewhere) {
        Op ok = send.completion();
        StringBuilder out = new StringBuilder("lost write: ").append(Describe.send(send));
        if (tp == null) {
            out.append(" acknowledged on topic ").append(ok.topic()).append(" is absent from its final reads");
        } else {
            out.append(" acknowledged at ").append(tp).append(" offset ").append(ok.offset())
                    .append(" is absent from the final read of ").append(tp).append(" (")
                    .append(Describe.ops(readOps.get(tp))).append(", ").append(recordsRead.getOrDefault(tp, 0))
                    .append(" records)");
        }
        if (!seenElsewhere.isEmpty()) {
            out.append("; it was read at ").append(seenElsewhere.get(0).position()).append(" instead");
        }
        return out.toString();
    }
}
