package io.brook.chaos.check;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Finds records a consumer group skipped: a record of the final read below the group's final
 * committed offset of its partition that no consumer of the group ever polled. A committed offset
 * says "everything before it was processed"; committing past a record nobody was handed (a
 * position reset, a fetch that skipped a batch, an offset committed for another member's
 * partition) breaks at-least-once delivery.
 *
 * <p>Exactly: the group's members are the processes with an assign op naming the group; their
 * OK polls give the offsets polled per partition. The group's final committed offset of a
 * partition is the last OK "committed" read of the group that returned one for it. Every record of an OK final read of a partition with an
 * offset below that committed offset must be among the polled ones. Each record that is not is
 * one anomaly. A group without a committed read, or a partition without a final read, is not
 * checked.
 *
 * <p>Figures: groups, records-below-committed, skipped. Stateless and thread-safe.
 */
public final class SkippedByGroupChecker implements Checker {
    public static final String NAME = "skipped-by-group";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<String, Set<Integer>> members = new HashMap<>();
        Map<String, Map<TopicPartition, Op>> lastCommittedRead = new TreeMap<>();
        Map<TopicPartition, List<Message>> finalRead = new HashMap<>();
        for (Op op : history.ops()) {
            if (op.type() != Op.Type.OK) {
                continue;
            }
            switch (op.f()) {
                case Op.ASSIGN -> {
                    if (op.group() != null) {
                        members.computeIfAbsent(op.group(), g -> new HashSet<>()).add(op.process());
                    }
                }
                case Op.COMMITTED -> {
                    if (op.group() != null) {
                        Map<TopicPartition, Op> reads = lastCommittedRead.computeIfAbsent(op.group(),
                                g -> new HashMap<>());
                        op.offsets().keySet().forEach(tp -> reads.put(tp, op));
                    }
                }
                case Op.READ -> {
                    if (op.topicPartition() != null) {
                        finalRead.put(op.topicPartition(), op.messages());
                    }
                }
                default -> { }
            }
        }
        List<String> anomalies = new ArrayList<>();
        long below = 0;
        for (Map.Entry<String, Map<TopicPartition, Op>> e : lastCommittedRead.entrySet()) {
            String group = e.getKey();
            Set<Integer> processes = members.getOrDefault(group, Set.of());
            Map<TopicPartition, Set<Long>> polled = new HashMap<>();
            for (Op op : history.ops()) {
                if (op.is(Op.POLL, Op.Type.OK) && processes.contains(op.process())) {
                    for (Message m : op.messages()) {
                        polled.computeIfAbsent(m.topicPartition(), tp -> new HashSet<>()).add(m.offset());
                    }
                }
            }
            for (Map.Entry<TopicPartition, Op> read : new TreeMap<>(e.getValue()).entrySet()) {
                TopicPartition tp = read.getKey();
                long committed = read.getValue().offsets().get(tp);
                List<Message> records = finalRead.get(tp);
                if (records == null) {
                    continue;
                }
                Set<Long> seen = polled.getOrDefault(tp, Set.of());
                for (Message m : records) {
                    if (m.offset() >= committed) {
                        continue;
                    }
                    below++;
                    if (!seen.contains(m.offset())) {
                        anomalies.add("skipped: group " + group + ", " + tp + " offset " + m.offset() + " (value "
                                + m.value() + ") is below the committed offset " + committed + " (op "
                                + read.getValue().index() + ") but no member of the group polled it");
                    }
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("groups", (long) lastCommittedRead.size());
        figures.put("records-below-committed", below);
        figures.put("skipped", (long) anomalies.size());
        return CheckResult.of(NAME, anomalies, figures);
    }
}
