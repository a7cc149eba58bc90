package io.brook.broker;

import io.brook.common.ConfigException;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataDelta;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.MetadataPublisher;
import io.brook.metadata.PartitionRegistration;
import io.brook.metadata.TopicImage;
import io.brook.storage.LogConfig;
import io.brook.storage.LogManager;
import io.brook.storage.TopicPartition;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this broker's partition logs in line with the committed metadata: a log exists for every
 * partition whose replicas include this broker, with the topic's configs (topic entries over the
 * storage defaults), and goes when its topic is deleted or the partition moves away. A snapshot
 * (a delta from the empty image) reconciles everything, so logs of topics deleted while the broker
 * was down go too.
 *
 * <p>Runs on the metadata follower's publishing thread, in log order.
 */
final class LocalLogs implements MetadataPublisher {
    private static final Logger log = LoggerFactory.getLogger(LocalLogs.class);

    private final int brokerId;
    private final LogManager logs;

    LocalLogs(int brokerId, LogManager logs) {
        this.brokerId = brokerId;
        this.logs = logs;
    }

    @Override
    public void onMetadataUpdate(MetadataDelta delta, MetadataImage image) {
        if (delta.base().equals(MetadataImage.EMPTY) && !image.equals(MetadataImage.EMPTY)) {
            reconcileAll(image);
            return;
        }
        for (TopicImage removed : delta.removedTopics().values()) {
            for (int p : removed.partitions().keySet()) {
                delete(new TopicPartition(removed.name(), p));
            }
        }
        for (Map.Entry<UUID, Set<Integer>> changed : delta.changedTopics().entrySet()) {
            TopicImage topic = image.topics().topic(changed.getKey());
            for (int p : changed.getValue()) {
                apply(image, topic, p);
            }
        }
        for (ConfigResource resource : delta.changedConfigResources()) {
            TopicImage topic = resource.type() == io.brook.api.internal.metadata.ConfigResourceType.CONFIG_RESOURCE_TOPIC
                    ? image.topics().topic(resource.name()) : null;
            if (topic != null) {
                LogConfig config = configOf(image, topic.name());
                for (int p : topic.partitions().keySet()) {
                    logs.get(new TopicPartition(topic.name(), p)).ifPresent(l -> l.updateConfig(config));
                }
            }
        }
    }

    private void reconcileAll(MetadataImage image) {
        Set<TopicPartition> assigned = new HashSet<>();
        for (TopicImage topic : image.topics().topicsById().values()) {
            for (Map.Entry<Integer, PartitionRegistration> p : topic.partitions().entrySet()) {
                if (p.getValue().replicas().contains(brokerId)) {
                    assigned.add(new TopicPartition(topic.name(), p.getKey()));
                    apply(image, topic, p.getKey());
                }
            }
        }
        for (TopicPartition local : new HashMap<>(logs.logs()).keySet()) {
            if (!assigned.contains(local)) {
                delete(local);
            }
        }
    }

    private void apply(MetadataImage image, TopicImage topic, int partition) {
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        PartitionRegistration registration = topic.partition(partition);
        if (registration != null && registration.replicas().contains(brokerId)) {
            if (logs.get(tp).isEmpty()) {
                logs.getOrCreate(tp, configOf(image, topic.name()));
            }
        } else {
            delete(tp);
        }
    }

    private LogConfig configOf(MetadataImage image, String topic) {
        Map<String, String> entries = new HashMap<>(image.configs().configs(ConfigResource.topic(topic)));
        entries.keySet().retainAll(LogConfig.DEFINITIONS.keys().stream().map(k -> k.name()).toList());
        try {
            return LogConfig.of(entries);
        } catch (ConfigException e) {
            log.warn("Topic {} has configs the storage engine refuses ({}); using the defaults", topic, e.getMessage());
            return LogConfig.defaults();
        }
    }

    private void delete(TopicPartition tp) {
        if (logs.get(tp).isEmpty()) {
            return;
        }
        try {
            logs.delete(tp);
            log.info("Broker {} deleted its log of {}", brokerId, tp);
        } catch (IOException e) {
            log.error("Broker {} could not delete its log of {}", brokerId, tp, e);
        }
    }
}
