package io.brook.chaos.history;

import io.brook.client.TopicPartition;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One entry of a chaos run's {@link History}: a client operation's invocation or its completion,
 * as in Jepsen. A client process (a workload thread with its own client) first records an
 * {@link Type#INVOKE} and later the outcome of that invocation: {@link Type#OK}, {@link Type#FAIL}
 * (it certainly did not happen) or {@link Type#INFO} (indeterminate: a timeout, a lost
 * connection; it may or may not have happened). Immutable.
 *
 * <p>The payload is flat: each kind of op ({@link #f}) uses the fields it needs and leaves the
 * others at their empty value (null, -1, an empty collection). The factory methods build the
 * combinations the checkers read; {@link #ok()}, {@link #fail(String)} and {@link #info(String)}
 * turn an invocation into its completion with the same payload.
 *
 * <table>
 *   <caption>Payload per kind</caption>
 *   <tr><th>{@code f}</th><th>invoke</th><th>ok</th></tr>
 *   <tr><td>send</td><td>topic, key, value</td><td>+ partition, offset (as acknowledged)</td></tr>
 *   <tr><td>read</td><td>topic, partition</td><td>+ messages: the whole partition read at the end</td></tr>
 *   <tr><td>poll</td><td>-</td><td>messages returned, from any partitions, in the order returned</td></tr>
 *   <tr><td>commit</td><td>group, offsets</td><td>group, offsets (next offset to consume, as Kafka)</td></tr>
 *   <tr><td>committed</td><td>group, partitions</td><td>group, offsets (as the coordinator answered)</td></tr>
 *   <tr><td>assign / revoke</td><td colspan="2">a notification (one OK op, no invocation): group,
 *       partitions added to / removed from the process's assignment; empty = all of them</td></tr>
 *   <tr><td>create-topic</td><td>topic, partitions (those it creates)</td><td>the same</td></tr>
 *   <tr><td>delete-topic</td><td>topic</td><td>topic</td></tr>
 *   <tr><td>list-topics</td><td>-</td><td>partitions: every partition of every (non-internal) topic listed</td></tr>
 * </table>
 *
 * <p>An op built by a factory method is not yet recorded: its {@link #index} and
 * {@link #timeNanos} are -1 until {@link History#record(Op)} stamps them.
 *
 * @param index position in the history, from 0 in recording order; -1 before recording
 * @param timeNanos when it was recorded, in nanoseconds since the run started; -1 before recording
 * @param process the client process that did it (one producer or consumer instance)
 * @param type invocation or outcome
 * @param f what was done: {@link #SEND}, {@link #READ}, {@link #POLL}, {@link #COMMIT}, ...
 * @param node the node the client talked to, or -1 when none or unknown
 * @param topic the topic, or null
 * @param partition the partition number, or -1
 * @param key the record key, or null
 * @param value the record value, or null
 * @param offset the acknowledged offset of a send, or -1
 * @param group the consumer group, or null
 * @param messages the records a poll or read returned, never null
 * @param offsets per partition the offset committed or read back as committed, never null
 * @param partitions the partitions an assign or revoke concerns, never null
 * @param error why a FAIL or INFO op failed, or null
 */
public record Op(
        long index,
        long timeNanos,
        int process,
        Type type,
        String f,
        int node,
        String topic,
        int partition,
        String key,
        String value,
        long offset,
        String group,
        List<Message> messages,
        Map<TopicPartition, Long> offsets,
        List<TopicPartition> partitions,
        String error) {

    /** Invocation or outcome. */
    public enum Type {
        /** The client started the operation. */
        INVOKE,
        /** It happened. */
        OK,
        /** It certainly did not happen. */
        FAIL,
        /** Indeterminate: it may or may not have happened (a timeout, a lost connection). */
        INFO
    }

    /** A producer sends one record. */
    public static final String SEND = "send";
    /** The final read of one whole partition, after the workload stopped. */
    public static final String READ = "read";
    /** A consumer's poll. */
    public static final String POLL = "poll";
    /** A consumer commits offsets for its group. */
    public static final String COMMIT = "commit";
    /** A sample of a group's committed offsets. */
    public static final String COMMITTED = "committed";
    /** Notification: partitions were added to a consumer's assignment. */
    public static final String ASSIGN = "assign";
    /** Notification: partitions were taken from a consumer's assignment. */
    public static final String REVOKE = "revoke";
    /** An admin client creates a topic. */
    public static final String CREATE_TOPIC = "create-topic";
    /** An admin client deletes a topic. */
    public static final String DELETE_TOPIC = "delete-topic";
    /** An admin client lists the topics (the final listing, after the workload stopped). */
    public static final String LIST_TOPICS = "list-topics";

    public Op {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(f, "f");
        if (index < -1) {
            throw new IllegalArgumentException("index must be at least -1: " + index);
        }
        if (partition < -1) {
            throw new IllegalArgumentException("partition must be at least -1: " + partition);
        }
        if (offset < -1) {
            throw new IllegalArgumentException("offset must be at least -1: " + offset);
        }
        messages = messages == null ? List.of() : List.copyOf(messages);
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
        if (offsets == null || offsets.isEmpty()) {
            offsets = Map.of();
        } else {
            TreeMap<TopicPartition, Long> sorted = new TreeMap<>();
            offsets.forEach((tp, o) -> sorted.put(Objects.requireNonNull(tp), Objects.requireNonNull(o)));
            offsets = Collections.unmodifiableSortedMap(sorted);
        }
    }

    // ---- generic

    /** An invocation of {@code f} with no payload (add one with the {@code with...} methods). */
    public static Op invoke(int process, String f) {
        return new Op(-1, -1, process, Type.INVOKE, f, -1, null, -1, null, null, -1, null, null, null, null, null);
    }

    /** This invocation's successful completion, with the same payload. */
    public Op ok() {
        return completion(Type.OK, null);
    }

    /** This invocation's definite failure, with the same payload. */
    public Op fail(String error) {
        return completion(Type.FAIL, error);
    }

    /** This invocation's indeterminate outcome, with the same payload. */
    public Op info(String error) {
        return completion(Type.INFO, error);
    }

    private Op completion(Type outcome, String why) {
        if (type != Type.INVOKE) {
            throw new IllegalStateException("not an invocation: " + this);
        }
        return new Op(-1, -1, process, outcome, f, node, topic, partition, key, value, offset, group,
                messages, offsets, partitions, why);
    }

    // ---- send

    /** A producer process starts sending {@code value} (unique in the run) to {@code topic}. */
    public static Op invokeSend(int process, String topic, String key, String value) {
        return new Op(-1, -1, process, Type.INVOKE, SEND, -1, topic, -1, key, value, -1, null, null, null, null, null);
    }

    /** The send of {@code value} was acknowledged at {@code partition}, {@code offset}. */
    public static Op okSend(int process, String topic, String key, String value, int partition, long offset) {
        return new Op(-1, -1, process, Type.OK, SEND, -1, topic, partition, key, value, offset, null, null, null, null,
                null);
    }

    /** The send of {@code value} certainly failed. */
    public static Op failSend(int process, String topic, String key, String value, String error) {
        return invokeSend(process, topic, key, value).fail(error);
    }

    /** The send of {@code value} may or may not have happened. */
    public static Op infoSend(int process, String topic, String key, String value, String error) {
        return invokeSend(process, topic, key, value).info(error);
    }

    // ---- read (the final read of a partition)

    /** A process starts reading all of {@code partition}, after the workload stopped. */
    public static Op invokeRead(int process, TopicPartition partition) {
        return new Op(-1, -1, process, Type.INVOKE, READ, -1, partition.topic(), partition.partition(), null, null, -1,
                null, null, null, null, null);
    }

    /** The final read of {@code partition} returned {@code messages}, in offset order. */
    public static Op okRead(int process, TopicPartition partition, List<Message> messages) {
        return invokeRead(process, partition).ok().withMessages(messages);
    }

    // ---- poll

    /** A consumer process starts a poll. */
    public static Op invokePoll(int process) {
        return invoke(process, POLL);
    }

    /** The poll returned {@code messages}, in the order the consumer handed them out. */
    public static Op okPoll(int process, List<Message> messages) {
        return invokePoll(process).ok().withMessages(messages);
    }

    // ---- commit, committed

    /** A consumer process starts committing {@code offsets} (the next offset to consume) for {@code group}. */
    public static Op invokeCommit(int process, String group, Map<TopicPartition, Long> offsets) {
        return invoke(process, COMMIT).withGroup(group).withOffsets(offsets);
    }

    /** The commit of {@code offsets} for {@code group} succeeded. */
    public static Op okCommit(int process, String group, Map<TopicPartition, Long> offsets) {
        return invokeCommit(process, group, offsets).ok();
    }

    /** A process starts reading {@code group}'s committed offsets of {@code partitions}. */
    public static Op invokeCommitted(int process, String group, List<TopicPartition> partitions) {
        return new Op(-1, -1, process, Type.INVOKE, COMMITTED, -1, null, -1, null, null, -1, group, null, null,
                partitions, null);
    }

    /** {@code group}'s committed offsets were {@code offsets} (partitions with none left out). */
    public static Op okCommitted(int process, String group, Map<TopicPartition, Long> offsets) {
        return invokeCommitted(process, group, List.copyOf(offsets.keySet())).ok().withOffsets(offsets);
    }

    // ---- assignment notifications

    /** {@code partitions} were added to the process's assignment in {@code group} (a rebalance callback). */
    public static Op assigned(int process, String group, List<TopicPartition> partitions) {
        return new Op(-1, -1, process, Type.OK, ASSIGN, -1, null, -1, null, null, -1, group, null, null, partitions,
                null);
    }

    /** {@code partitions} were taken from the process's assignment; empty means all of them. */
    public static Op revoked(int process, String group, List<TopicPartition> partitions) {
        return new Op(-1, -1, process, Type.OK, REVOKE, -1, null, -1, null, null, -1, group, null, null, partitions,
                null);
    }

    // ---- topics

    /** An admin process starts creating {@code topic}. */
    public static Op invokeCreateTopic(int process, String topic) {
        return invoke(process, CREATE_TOPIC).withTopic(topic);
    }

    /** An admin process starts creating {@code topic} with {@code partitions} partitions. */
    public static Op invokeCreateTopic(int process, String topic, int partitions) {
        List<TopicPartition> created = new java.util.ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            created.add(new TopicPartition(topic, p));
        }
        return invokeCreateTopic(process, topic).withPartitions(created);
    }

    /** An admin process starts deleting {@code topic}. */
    public static Op invokeDeleteTopic(int process, String topic) {
        return invoke(process, DELETE_TOPIC).withTopic(topic);
    }

    /** A process starts listing the topics. */
    public static Op invokeListTopics(int process) {
        return invoke(process, LIST_TOPICS);
    }

    /** The listing returned topics with {@code partitions}: every partition of every topic listed. */
    public static Op okListTopics(int process, List<TopicPartition> partitions) {
        return invokeListTopics(process).ok().withPartitions(partitions);
    }

    // ---- accessors

    /** The op's topic and partition, or null when it names no single partition. */
    public TopicPartition topicPartition() {
        return topic != null && partition >= 0 ? new TopicPartition(topic, partition) : null;
    }

    /** Whether this is an invocation. */
    public boolean isInvoke() {
        return type == Type.INVOKE;
    }

    /** Whether this op is of kind {@code f} and of type {@code type}. */
    public boolean is(String kind, Type expected) {
        return type == expected && f.equals(kind);
    }

    // ---- copies

    /** This op as recorded at {@code index} and {@code timeNanos}. */
    public Op recordedAt(long newIndex, long newTimeNanos) {
        return new Op(newIndex, newTimeNanos, process, type, f, node, topic, partition, key, value, offset, group,
                messages, offsets, partitions, error);
    }

    /** A copy that names {@code newNode} as the node the client talked to. */
    public Op withNode(int newNode) {
        return new Op(index, timeNanos, process, type, f, newNode, topic, partition, key, value, offset, group,
                messages, offsets, partitions, error);
    }

    /** A copy with {@code newTopic}. */
    public Op withTopic(String newTopic) {
        return new Op(index, timeNanos, process, type, f, node, newTopic, partition, key, value, offset, group,
                messages, offsets, partitions, error);
    }

    /** A copy with {@code newPartition} and {@code newOffset}. */
    public Op withPosition(int newPartition, long newOffset) {
        return new Op(index, timeNanos, process, type, f, node, topic, newPartition, key, value, newOffset, group,
                messages, offsets, partitions, error);
    }

    /** A copy with {@code newGroup}. */
    public Op withGroup(String newGroup) {
        return new Op(index, timeNanos, process, type, f, node, topic, partition, key, value, offset, newGroup,
                messages, offsets, partitions, error);
    }

    /** A copy with {@code newMessages}. */
    public Op withMessages(List<Message> newMessages) {
        return new Op(index, timeNanos, process, type, f, node, topic, partition, key, value, offset, group,
                newMessages, offsets, partitions, error);
    }

    /** A copy with {@code newOffsets}. */
    public Op withOffsets(Map<TopicPartition, Long> newOffsets) {
        return new Op(index, timeNanos, process, type, f, node, topic, partition, key, value, offset, group,
                messages, newOffsets, partitions, error);
    }

    /** A copy with {@code newPartitions}. */
    public Op withPartitions(List<TopicPartition> newPartitions) {
        return new Op(index, timeNanos, process, type, f, node, topic, partition, key, value, offset, group,
                messages, offsets, newPartitions, error);
    }
}
