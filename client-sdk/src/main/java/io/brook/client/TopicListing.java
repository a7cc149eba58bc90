package io.brook.client;

import java.util.UUID;

/**
 * One topic as {@link BrookAdmin#listTopics} lists it. Internal topics are the cluster's own
 * (names starting with {@code __}, such as {@code __consumer_offsets}).
 */
public record TopicListing(String name, UUID topicId, int partitions, boolean internal) {}
