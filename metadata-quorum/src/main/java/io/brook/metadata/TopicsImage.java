package io.brook.metadata;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** All topics, by id and by name. */
public final class TopicsImage {
    public static final TopicsImage EMPTY = new TopicsImage(Map.of());

    private final Map<UUID, TopicImage> byId;
    private final Map<String, TopicImage> byName;

    /** Takes ownership of {@code byId}: the caller must not change it afterwards. */
    TopicsImage(Map<UUID, TopicImage> byId) {
        this.byId = Collections.unmodifiableMap(byId);
        Map<String, TopicImage> names = new HashMap<>(byId.size() * 2);
        for (TopicImage topic : byId.values()) {
            names.put(topic.name(), topic);
        }
        this.byName = Collections.unmodifiableMap(names);
    }

    public Map<UUID, TopicImage> topicsById() {
        return byId;
    }

    public Map<String, TopicImage> topicsByName() {
        return byName;
    }

    public TopicImage topic(UUID id) {
        return byId.get(id);
    }

    public TopicImage topic(String name) {
        return byName.get(name);
    }

    public int partitionCount() {
        int count = 0;
        for (TopicImage topic : byId.values()) {
            count += topic.partitionCount();
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicsImage other && byId.equals(other.byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return "TopicsImage" + byId.values();
    }
}
