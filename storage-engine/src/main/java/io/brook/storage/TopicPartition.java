package io.brook.storage;

import java.util.Objects;

/**
 * A partition of a topic: the name of a partition log and of its directory,
 * {@code <topic>-<partition>} as in Kafka.
 *
 * @param topic     the topic name (Kafka's rules: {@code [a-zA-Z0-9._-]{1,249}})
 * @param partition the partition number, at least 0
 */
public record TopicPartition(String topic, int partition) {
    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty() || topic.length() > 249 || !topic.matches("[a-zA-Z0-9._-]+")
                || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("invalid topic name '" + topic
                    + "': use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be at least 0: " + partition);
        }
    }

    /** The directory name of this partition's log. */
    public String directoryName() {
        return topic + "-" + partition;
    }

    /**
     * Parses a directory name made by {@link #directoryName()}; the partition is after the last
     * dash, since topic names may contain dashes.
     *
     * @throws IllegalArgumentException when the name is not of that form
     */
    public static TopicPartition fromDirectoryName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            throw new IllegalArgumentException("not a partition directory name: " + name);
        }
        try {
            return new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a partition directory name: " + name, e);
        }
    }

    @Override
    public String toString() {
        return directoryName();
    }
}
