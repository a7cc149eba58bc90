package io.brook.chaos.check;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds non-monotonic polls: a consumer handed a partition's records at an offset not after
 * the last one it handed out, while its assignment of that partition stayed the same. Between
 * rebalances a consumer's position only moves forward.
 *
 * <p>Exactly: for each consumer process and partition, a stable assignment runs from one
 * assignment change of that partition (an OK "assign" or "revoke" op of that process naming
 * it, or naming no partition at all, which means every partition) to the next; the run's start
 * opens the first. Within it, the offsets of that partition's records, over the process's OK
 * polls in history order and within each poll in the order returned, must strictly increase.
 * A failed or indeterminate poll changes nothing. Each offset that does not increase is one
 * anomaly, after which checking goes on from the offset it returned.
 *
 * <p>Figures: polls, records-polled, assignment-changes, non-monotonic. Stateless and
 * thread-safe.
 */
public final class NonMonotonicPollChecker implements Checker {
    public static final String NAME = "non-monotonic-poll";

    private record Key(int process, TopicPartition partition) {}

    /** The offset of the last record of a partition a process polled, and the poll that returned it. */
    private record Last(long offset, long pollIndex) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<Key, Last> last = new HashMap<>();
        Map<Key, Long> stableSince = new HashMap<>();
        Map<Integer, Long> allChangedAt = new HashMap<>();
        List<String> anomalies = new ArrayList<>();
        long polls = 0;
        long records = 0;
        long changes = 0;
        for (Op op : history.ops()) {
            if (op.type() != Op.Type.OK) {
                continue;
            }
            if (op.f().equals(Op.ASSIGN) || op.f().equals(Op.REVOKE)) {
                changes++;
                if (op.partitions().isEmpty()) {
                    int process = op.process();
                    last.keySet().removeIf(k -> k.process() == process);
                    stableSince.keySet().removeIf(k -> k.process() == process);
                    allChangedAt.put(process, op.index());
                } else {
                    for (TopicPartition tp : op.partitions()) {
                        Key key = new Key(op.process(), tp);
                        last.remove(key);
                        stableSince.put(key, op.index());
                    }
                }
            } else if (op.f().equals(Op.POLL)) {
                polls++;
                for (Message m : op.messages()) {
                    records++;
                    Key key = new Key(op.process(), m.topicPartition());
                    Last previous = last.put(key, new Last(m.offset(), op.index()));
                    if (previous != null && m.offset() <= previous.offset()) {
                        Long since = stableSince.getOrDefault(key, allChangedAt.get(op.process()));
                        anomalies.add("non-monotonic poll: process " + op.process() + ", " + m.topicPartition()
                                + ": poll op " + op.index() + " returned offset " + m.offset()
                                + (previous.pollIndex() == op.index()
                                        ? " after offset " + previous.offset() + " in the same poll"
                                        : " after poll op " + previous.pollIndex() + " returned offset "
                                                + previous.offset())
                                + ", with no assignment change since "
                                + (since == null ? "the start" : "op " + since));
                    }
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("polls", polls);
        figures.put("records-polled", records);
        figures.put("assignment-changes", changes);
        figures.put("non-monotonic", (long) anomalies.size());
        return CheckResult.of(NAME, anomalies, figures);
    }
}
