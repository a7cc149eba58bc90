package io.brook.chaos.history.testing;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A naive model of a correct cluster under the queue and group workloads, turning a list of
 * step codes into a history that every checker must pass. Property tests generate the codes
 * (a list of small integers shrinks well) and mutate the result to plant one anomaly.
 * Single-threaded; deterministic in its input.
 *
 * <p>The model: two partitions, each a list of values. Three producer processes (1 to 3) each
 * keep up to five sends in flight; a send first <em>lands</em> (is appended, in invocation order
 * per producer and partition, as an idempotent producer's batches are) or is dropped, and then
 * completes: landed ones OK (or INFO: the acknowledgement was lost), dropped ones FAIL or INFO.
 * A send may also time out (INFO) before it lands and land later, or never. Two consumers
 * (10, 11) of group "g" split the partitions, poll forward from their positions, commit them,
 * and on a rebalance the partitions that move restart from the committed offset. Process 12
 * samples the committed offsets. At the end every send resolves and process 20 reads each
 * partition whole.
 */
public final class QueueSimulation {
    public static final String GROUP = "g";
    public static final int READER = 20;
    public static final int SAMPLER = 12;
    private static final List<TopicPartition> PARTITIONS = List.of(HistoryBuilder.Q0, HistoryBuilder.Q1);
    private static final int PRODUCERS = 3;
    private static final int MAX_IN_FLIGHT = 5;
    private static final int[] CONSUMERS = {10, 11};

    private final HistoryBuilder h = new HistoryBuilder();
    private final Map<TopicPartition, List<String>> logs = new TreeMap<>();
    private final Map<Integer, List<Send>> pending = new HashMap<>();
    /** Per producer and partition, the sends not yet landed or dropped, in invocation order. */
    private final Map<String, List<Send>> unlanded = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new TreeMap<>();
    private final Map<Integer, Map<TopicPartition, Long>> positions = new HashMap<>();
    private int sent;

    private static final class Send {
        final int producer;
        final TopicPartition partition;
        final String value;
        Boolean landed;
        long offset = -1;
        boolean completed;

        Send(int producer, TopicPartition partition, String value) {
            this.producer = producer;
            this.partition = partition;
            this.value = value;
        }
    }

    private QueueSimulation() {
        PARTITIONS.forEach(tp -> logs.put(tp, new ArrayList<>()));
        for (int consumer : CONSUMERS) {
            positions.put(consumer, new TreeMap<>());
        }
    }

    /** The history of a run driven by {@code steps} (each in [0, 1200)). */
    public static History run(List<Integer> steps) {
        QueueSimulation sim = new QueueSimulation();
        sim.h.assign(CONSUMERS[0], GROUP, PARTITIONS.toArray(TopicPartition[]::new));
        PARTITIONS.forEach(tp -> sim.positions.get(CONSUMERS[0]).put(tp, 0L));
        for (int step : steps) {
            sim.step(step);
        }
        sim.finish();
        return sim.h.build();
    }

    private void step(int code) {
        int arg = code / 12;
        switch (code % 12) {
            case 0, 1, 2 -> invokeSend(1 + arg % PRODUCERS, PARTITIONS.get(arg / PRODUCERS % PARTITIONS.size()));
            case 3, 4 -> land(1 + arg % PRODUCERS, PARTITIONS.get(arg / PRODUCERS % PARTITIONS.size()),
                    arg / 6 % 5 != 0);
            case 5, 6 -> complete(1 + arg % PRODUCERS, arg / PRODUCERS);
            case 7, 8 -> poll(CONSUMERS[arg % 2], arg / 2 % 4);
            case 9 -> commit(CONSUMERS[arg % 2]);
            case 10 -> rebalance(arg);
            default -> sampleCommitted();
        }
    }

    private void invokeSend(int producer, TopicPartition tp) {
        List<Send> inFlight = pending.computeIfAbsent(producer, p -> new ArrayList<>());
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            return;
        }
        Send send = new Send(producer, tp, producer + "-" + sent++);
        inFlight.add(send);
        unlanded.computeIfAbsent(producer + "/" + tp, k -> new ArrayList<>()).add(send);
        h.add(Op.invokeSend(producer, tp.topic(), "k" + tp.partition(), send.value));
    }

    private void land(int producer, TopicPartition tp, boolean append) {
        List<Send> queue = unlanded.get(producer + "/" + tp);
        if (queue == null || queue.isEmpty()) {
            return;
        }
        Send send = queue.remove(0);
        send.landed = append;
        if (append) {
            List<String> log = logs.get(tp);
            send.offset = log.size();
            log.add(send.value);
        }
    }

    /**
     * Completes one of the producer's resolved sends (landed or dropped); when none is resolved,
     * one time in three a send still in flight times out instead.
     */
    private void complete(int producer, int choice) {
        List<Send> inFlight = pending.getOrDefault(producer, List.of());
        List<Send> resolved = inFlight.stream().filter(s -> s.landed != null).toList();
        if (resolved.isEmpty() && (inFlight.isEmpty() || choice % 3 != 0)) {
            return;
        }
        List<Send> candidates = resolved.isEmpty() ? inFlight : resolved;
        Send send = candidates.get(choice % candidates.size());
        inFlight.remove(send);
        send.completed = true;
        String key = "k" + send.partition.partition();
        if (send.landed == null) {
            h.add(Op.infoSend(producer, send.partition.topic(), key, send.value, "timed out")); // may land later
        } else if (send.landed) {
            h.add(choice / 7 % 6 == 0
                    ? Op.infoSend(producer, send.partition.topic(), key, send.value, "connection lost")
                    : Op.okSend(producer, send.partition.topic(), key, send.value, send.partition.partition(),
                            send.offset));
        } else {
            h.add(choice / 7 % 2 == 0
                    ? Op.failSend(producer, send.partition.topic(), key, send.value, "not enough replicas")
                    : Op.infoSend(producer, send.partition.topic(), key, send.value, "timed out"));
        }
    }

    private void poll(int consumer, int perPartition) {
        List<Message> messages = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : positions.get(consumer).entrySet()) {
            List<String> log = logs.get(e.getKey());
            long position = e.getValue();
            long end = Math.min(log.size(), position + perPartition);
            for (long offset = position; offset < end; offset++) {
                messages.add(Message.of(e.getKey(), offset, "k" + e.getKey().partition(), log.get((int) offset)));
            }
            e.setValue(end);
        }
        h.poll(consumer, messages.toArray(Message[]::new));
    }

    private void commit(int consumer) {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>(positions.get(consumer));
        if (offsets.isEmpty()) {
            return;
        }
        h.add(Op.invokeCommit(consumer, GROUP, offsets));
        h.add(Op.okCommit(consumer, GROUP, offsets));
        committed.putAll(offsets);
    }

    private void rebalance(int arg) {
        for (int i = 0; i < PARTITIONS.size(); i++) {
            TopicPartition tp = PARTITIONS.get(i);
            int owner = CONSUMERS[(arg >> i) & 1];
            int other = owner == CONSUMERS[0] ? CONSUMERS[1] : CONSUMERS[0];
            if (positions.get(other).remove(tp) != null) {
                h.revoke(other, GROUP, tp);
            }
            if (!positions.get(owner).containsKey(tp)) {
                positions.get(owner).put(tp, committed.getOrDefault(tp, 0L));
                h.assign(owner, GROUP, tp);
            }
        }
        if (arg / 4 % 5 == 0) {
            // a consumer restarts: it loses everything and gets the same partitions back
            int consumer = CONSUMERS[arg / 20 % 2];
            TreeSet<TopicPartition> owned = new TreeSet<>(positions.get(consumer).keySet());
            h.revoke(consumer, GROUP);
            positions.get(consumer).clear();
            for (TopicPartition tp : owned) {
                positions.get(consumer).put(tp, committed.getOrDefault(tp, 0L));
            }
            if (!owned.isEmpty()) {
                h.assign(consumer, GROUP, owned.toArray(TopicPartition[]::new));
            }
        }
    }

    private void sampleCommitted() {
        h.add(Op.invokeCommitted(SAMPLER, GROUP, PARTITIONS));
        h.add(Op.okCommitted(SAMPLER, GROUP, committed));
    }

    private void finish() {
        for (List<Send> queue : unlanded.values()) {
            while (!queue.isEmpty()) {
                Send send = queue.get(0);
                // a send that timed out lands or not; one still pending always lands
                land(send.producer, send.partition, !send.completed || send.value.hashCode() % 2 == 0);
            }
        }
        for (int producer = 1; producer <= PRODUCERS; producer++) {
            while (!pending.getOrDefault(producer, List.of()).isEmpty()) {
                complete(producer, 14); // landed: OK, dropped: FAIL
            }
        }
        for (TopicPartition tp : PARTITIONS) {
            h.read(READER, tp, logs.get(tp).toArray(String[]::new));
        }
    }
}
