package io.brook.chaos.check;

import io.brook.chaos.check.internal.Describe;
import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds reorders: one producer's acknowledged sends to one partition stored in another order
 * than it sent them. An idempotent producer ({@code max.in.flight} up to 5) sequences its
 * batches per partition in send order and the broker appends them in sequence order, retries
 * included, so its records land in the order it sent them.
 *
 * <p>Exactly: take the OK sends of one process (one producer instance; the workload calls
 * {@code send} from that one thread, in invocation order) to one partition, ordered by
 * invocation index. Each must have been acknowledged a larger offset than every send of the
 * same process to the same partition invoked before it. Failed and indeterminate sends are left
 * out. Each out-of-order send is reported once, against the earlier-invoked send with the
 * largest offset, and classed:
 * <ul>
 *   <li>after completion: the earlier send had completed OK before the later one was invoked
 *       (so the log had already given out its offset: this breaks even a non-idempotent
 *       producer's guarantee);
 *   <li>in flight: the two were in flight together (allowed without idempotence, not with it).
 * </ul>
 *
 * <p>Figures: acknowledged, producer-partitions, reorders, reorders-after-completion,
 * reorders-in-flight. Stateless and thread-safe.
 */
public final class ReorderChecker implements Checker {
    public static final String NAME = "reorder";

    private record Key(int process, TopicPartition partition) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<Key, List<Operation>> sends = new LinkedHashMap<>();
        long acknowledged = 0;
        for (Operation send : history.operations()) {
            if (send.f().equals(Op.SEND) && send.outcome() == Op.Type.OK && send.invocation() != null) {
                Op ok = send.completion();
                if (ok.topicPartition() != null && ok.offset() >= 0) {
                    acknowledged++;
                    sends.computeIfAbsent(new Key(send.process(), ok.topicPartition()), k -> new ArrayList<>())
                            .add(send);
                }
            }
        }
        List<String> anomalies = new ArrayList<>();
        long afterCompletion = 0;
        long inFlight = 0;
        // operations() is in invocation order, so each list is too
        Map<Key, List<Operation>> ordered = new TreeMap<>((a, b) -> a.process() != b.process()
                ? Integer.compare(a.process(), b.process())
                : a.partition().compareTo(b.partition()));
        ordered.putAll(sends);
        for (Map.Entry<Key, List<Operation>> e : ordered.entrySet()) {
            Operation highest = null;
            for (Operation send : e.getValue()) {
                long offset = send.completion().offset();
                if (highest != null && offset <= highest.completion().offset()) {
                    boolean completedBefore = highest.completeIndex() < send.invokeIndex();
                    if (completedBefore) {
                        afterCompletion++;
                    } else {
                        inFlight++;
                    }
                    anomalies.add("reorder: process " + e.getKey().process() + ", " + e.getKey().partition() + ": "
                            + Describe.send(send) + " got offset " + offset + ", but "
                            + Describe.send(highest) + ", invoked before it"
                            + (completedBefore ? " and acknowledged before it was invoked" : " and in flight with it")
                            + ", got offset " + highest.completion().offset());
                } else {
                    highest = send;
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("acknowledged", acknowledged);
        figures.put("producer-partitions", (long) sends.size());
        figures.put("reorders", afterCompletion + inFlight);
        figures.put("reorders-after-completion", afterCompletion);
        figures.put("reorders-in-flight", inFlight);
        return CheckResult.of(NAME, anomalies, figures);
    }
}
