package io.brook.chaos.history.testing;

import io.brook.chaos.history.History;
import io.brook.chaos.history.Message;
import io.brook.chaos.history.Op;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds hand-made histories for tests: each op is recorded at the builder's current time,
 * which then moves on by one millisecond; {@link #at} sets it. Single-threaded.
 *
 * <pre>{@code
 * HistoryBuilder h = new HistoryBuilder();
 * Op ok = h.send(1, Q0, "a", 0);           // invoke + ok, acknowledged at offset 0
 * h.read(9, Q0, "a");                      // the final read: "a" at offset 0
 * History history = h.build();
 * }</pre>
 */
public final class HistoryBuilder {
    public static final String TOPIC = "queue";
    public static final TopicPartition Q0 = new TopicPartition(TOPIC, 0);
    public static final TopicPartition Q1 = new TopicPartition(TOPIC, 1);

    private long nowNanos;
    private final History history = new History(() -> nowNanos);

    /** Moves the clock to {@code millis} since the start. */
    public HistoryBuilder at(long millis) {
        nowNanos = millis * 1_000_000L;
        return this;
    }

    /** Records {@code op} now, then moves the clock on by one millisecond. */
    public Op add(Op op) {
        Op recorded = history.record(op);
        nowNanos += 1_000_000L;
        return recorded;
    }

    /** The history built so far. */
    public History build() {
        return history;
    }

    // ---- sends

    public Op invokeSend(int process, String value) {
        return add(Op.invokeSend(process, TOPIC, null, value));
    }

    public Op okSend(int process, TopicPartition tp, String value, long offset) {
        return add(Op.okSend(process, tp.topic(), null, value, tp.partition(), offset));
    }

    public Op failSend(int process, String value) {
        return add(Op.failSend(process, TOPIC, null, value, "not enough replicas"));
    }

    public Op infoSend(int process, String value) {
        return add(Op.infoSend(process, TOPIC, null, value, "timed out"));
    }

    /** An invoke and its OK, acknowledged at {@code tp}, {@code offset}; returns the OK op. */
    public Op send(int process, TopicPartition tp, String value, long offset) {
        invokeSend(process, value);
        return okSend(process, tp, value, offset);
    }

    // ---- reads and polls

    /** The final read of {@code tp}: {@code values} at offsets 0, 1, ...; returns the OK op. */
    public Op read(int process, TopicPartition tp, String... values) {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            messages.add(Message.of(tp, i, null, values[i]));
        }
        return read(process, tp, messages);
    }

    /** The final read of {@code tp} returning {@code messages}; returns the OK op. */
    public Op read(int process, TopicPartition tp, List<Message> messages) {
        add(Op.invokeRead(process, tp));
        return add(Op.okRead(process, tp, messages));
    }

    /** An invoke and OK poll returning {@code messages}; returns the OK op. */
    public Op poll(int process, Message... messages) {
        add(Op.invokePoll(process));
        return add(Op.okPoll(process, List.of(messages)));
    }

    /** {@code value} at {@code tp}, {@code offset}. */
    public static Message message(TopicPartition tp, long offset, String value) {
        return Message.of(tp, offset, null, value);
    }

    // ---- groups

    /** An invoke and OK commit of {@code offset} for {@code tp}; returns the OK op. */
    public Op commit(int process, String group, TopicPartition tp, long offset) {
        add(Op.invokeCommit(process, group, Map.of(tp, offset)));
        return add(Op.okCommit(process, group, Map.of(tp, offset)));
    }

    /** An invoke and OK committed read returning {@code offset} for {@code tp}; returns the OK op. */
    public Op committed(int process, String group, TopicPartition tp, long offset) {
        add(Op.invokeCommitted(process, group, List.of(tp)));
        return add(Op.okCommitted(process, group, Map.of(tp, offset)));
    }

    public Op assign(int process, String group, TopicPartition... partitions) {
        return add(Op.assigned(process, group, List.of(partitions)));
    }

    public Op revoke(int process, String group, TopicPartition... partitions) {
        return add(Op.revoked(process, group, List.of(partitions)));
    }
}
