package io.brook.client;

import java.util.UUID;

/** A topic {@link BrookAdmin#createTopics} created: its id and the counts it got (defaults resolved). */
public record CreatedTopic(String name, UUID topicId, int partitions, int replicationFactor) {}
