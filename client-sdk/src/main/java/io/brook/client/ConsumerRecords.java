package io.brook.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one {@link BrookConsumer#poll} returned: records by partition, each partition's in offset order. */
public final class ConsumerRecords implements Iterable<ConsumerRecord> {
    static final ConsumerRecords EMPTY = new ConsumerRecords(Map.of());

    private final Map<TopicPartition, List<ConsumerRecord>> records;

    public ConsumerRecords(Map<TopicPartition, List<ConsumerRecord>> records) {
        this.records = Collections.unmodifiableMap(new LinkedHashMap<>(records));
    }

    public int count() {
        int count = 0;
        for (List<ConsumerRecord> list : records.values()) {
            count += list.size();
        }
        return count;
    }

    public boolean isEmpty() {
        return count() == 0;
    }

    public Set<TopicPartition> partitions() {
        return records.keySet();
    }

    public List<ConsumerRecord> records(TopicPartition partition) {
        return records.getOrDefault(partition, List.of());
    }

    @Override
    public Iterator<ConsumerRecord> iterator() {
        List<ConsumerRecord> all = new ArrayList<>();
        records.values().forEach(all::addAll);
        return all.iterator();
    }
}
