package io.brook.metadata;

import io.brook.api.internal.metadata.BrokerRegistrationChangeRecord;
import io.brook.api.internal.metadata.ConfigRecord;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.internal.metadata.MetadataRecord;
import io.brook.api.internal.metadata.PartitionChangeRecord;
import io.brook.api.internal.metadata.PartitionRecord;
import io.brook.api.internal.metadata.TopicRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The changes made by a run of committed records on top of a base image. {@link #replay} applies
 * records one at a time; {@link #apply} gives the next immutable image. Publishers receive the
 * delta with the new image so that they can act on what changed (for example, a broker creates
 * logs for the partitions in {@link #changedTopics()}) without diffing two images.
 *
 * <p>Replay is deterministic: the result depends only on the base image and the records. A
 * record that contradicts the image (a partition of an unknown topic, a second topic with the
 * same name) means the log is not what this code expects; replay throws
 * {@link MetadataReplayException} and the caller treats that as fatal. The one tolerated case is
 * a broker state change for an older broker epoch, which is ignored: it was decided about a
 * registration that has since been replaced.
 *
 * <p>Not thread-safe: one thread replays, then hands out the delta (effectively immutable
 * afterwards) with its image.
 */
public final class MetadataDelta {
    private final MetadataImage base;

    private Map<String, Integer> features;
    private final Map<Integer, BrokerRegistration> changedBrokers = new HashMap<>();
    private final Set<Integer> removedBrokers = new HashSet<>();
    /** Topics created or changed in this delta (never a topic removed in it). */
    private final Map<UUID, TopicBuilder> changedTopics = new LinkedHashMap<>();
    /** Topics of the base image removed in this delta, as they were in the base image. */
    private final Map<UUID, TopicImage> removedTopics = new HashMap<>();
    private final Map<ConfigResource, Map<String, String>> changedConfigs = new HashMap<>();
    private Map<UUID, AclEntry> acls;
    private boolean aclsChanged;
    private long nextProducerId;
    private final List<MetadataRecord> records = new ArrayList<>();

    public MetadataDelta(MetadataImage base) {
        this.base = base;
        this.nextProducerId = base.producerIds().nextProducerId();
    }

    public MetadataImage base() {
        return base;
    }

    /** Applies one committed record to this delta. */
    public void replay(MetadataRecord record) {
        records.add(record);
        switch (record.getRecordCase()) {
            case REGISTER_BROKER -> {
                BrokerRegistration broker = BrokerRegistration.fromRecord(record.getRegisterBroker());
                changedBrokers.put(broker.id(), broker);
                removedBrokers.remove(broker.id());
            }
            case UNREGISTER_BROKER -> {
                int id = record.getUnregisterBroker().getBrokerId();
                BrokerRegistration current = broker(id);
                if (current != null && current.epoch() == record.getUnregisterBroker().getBrokerEpoch()) {
                    changedBrokers.remove(id);
                    if (base.cluster().broker(id) != null) {
                        removedBrokers.add(id);
                    }
                }
            }
            case BROKER_REGISTRATION_CHANGE -> replayBrokerChange(record.getBrokerRegistrationChange());
            case TOPIC -> replayTopic(record.getTopic());
            case PARTITION -> replayPartition(record.getPartition());
            case PARTITION_CHANGE -> replayPartitionChange(record.getPartitionChange());
            case REMOVE_TOPIC -> replayRemoveTopic(Uuids.fromProto(record.getRemoveTopic().getTopicId()));
            case CONFIG -> replayConfig(record.getConfig());
            case ACCESS_CONTROL_ENTRY -> {
                AclEntry acl = AclEntry.fromRecord(record.getAccessControlEntry());
                mutableAcls().put(acl.id(), acl);
            }
            case REMOVE_ACCESS_CONTROL_ENTRY ->
                    mutableAcls().remove(Uuids.fromProto(record.getRemoveAccessControlEntry().getId()));
            case PRODUCER_IDS -> {
                long next = record.getProducerIds().getNextProducerId();
                if (next < nextProducerId) {
                    throw new MetadataReplayException("producer ids move backwards: " + next + " < " + nextProducerId);
                }
                nextProducerId = next;
            }
            case FEATURE_LEVEL -> {
                if (features == null) {
                    features = new HashMap<>(base.features().levels());
                }
                var level = record.getFeatureLevel();
                if (level.getFeatureLevel() == 0) {
                    features.remove(level.getName());
                } else {
                    features.put(level.getName(), level.getFeatureLevel());
                }
            }
            case NO_OP -> { }
            case RECORD_NOT_SET -> throw new MetadataReplayException("a metadata record of an unknown type: " + record);
        }
    }

    /** Applies every record of a batch, in order. */
    public void replayAll(Iterable<MetadataRecord> records) {
        for (MetadataRecord record : records) {
            replay(record);
        }
    }

    private BrokerRegistration broker(int id) {
        if (changedBrokers.containsKey(id)) {
            return changedBrokers.get(id);
        }
        return removedBrokers.contains(id) ? null : base.cluster().broker(id);
    }

    private void replayBrokerChange(BrokerRegistrationChangeRecord change) {
        BrokerRegistration current = broker(change.getBrokerId());
        if (current == null || current.epoch() != change.getBrokerEpoch()) {
            return; // about a registration that no longer exists
        }
        BrokerRegistration next = current;
        if (change.hasFenced()) {
            next = next.withFenced(change.getFenced());
        }
        if (change.hasInControlledShutdown()) {
            next = next.withInControlledShutdown(change.getInControlledShutdown());
        }
        changedBrokers.put(next.id(), next);
    }

    /** The topic as it stands in this delta, or null. */
    private TopicBuilder topicForChange(UUID id) {
        TopicBuilder builder = changedTopics.get(id);
        if (builder != null) {
            return builder;
        }
        if (removedTopics.containsKey(id)) {
            return null;
        }
        TopicImage topic = base.topics().topic(id);
        if (topic == null) {
            return null;
        }
        builder = new TopicBuilder(topic.name(), id, new HashMap<>(topic.partitions()));
        changedTopics.put(id, builder);
        return builder;
    }

    private boolean nameTaken(String name) {
        for (TopicBuilder topic : changedTopics.values()) {
            if (topic.name.equals(name)) {
                return true;
            }
        }
        TopicImage existing = base.topics().topic(name);
        return existing != null && !removedTopics.containsKey(existing.id()) && !changedTopics.containsKey(existing.id());
    }

    private void replayTopic(TopicRecord record) {
        UUID id = Uuids.fromProto(record.getTopicId());
        if (changedTopics.containsKey(id) || (base.topics().topic(id) != null && !removedTopics.containsKey(id))) {
            throw new MetadataReplayException("topic id " + id + " already exists (" + record.getName() + ")");
        }
        if (nameTaken(record.getName())) {
            throw new MetadataReplayException("topic name " + record.getName() + " already exists");
        }
        changedTopics.put(id, new TopicBuilder(record.getName(), id, new HashMap<>()));
    }

    private void replayPartition(PartitionRecord record) {
        UUID id = Uuids.fromProto(record.getTopicId());
        TopicBuilder topic = topicForChange(id);
        if (topic == null) {
            throw new MetadataReplayException("partition " + record.getPartitionId() + " of unknown topic id " + id);
        }
        topic.partitions.put(record.getPartitionId(), PartitionRegistration.fromRecord(record));
        topic.changedPartitions.add(record.getPartitionId());
    }

    private void replayPartitionChange(PartitionChangeRecord change) {
        UUID id = Uuids.fromProto(change.getTopicId());
        TopicBuilder topic = topicForChange(id);
        PartitionRegistration current = topic == null ? null : topic.partitions.get(change.getPartitionId());
        if (current == null) {
            throw new MetadataReplayException("change of unknown partition " + id + "-" + change.getPartitionId());
        }
        topic.partitions.put(change.getPartitionId(), current.merge(change));
        topic.changedPartitions.add(change.getPartitionId());
    }

    private void replayRemoveTopic(UUID id) {
        TopicBuilder removed = changedTopics.remove(id);
        TopicImage inBase = base.topics().topic(id);
        if (removed == null && (inBase == null || removedTopics.containsKey(id))) {
            throw new MetadataReplayException("removal of unknown topic id " + id);
        }
        String name = removed != null ? removed.name : inBase.name();
        if (inBase != null) {
            removedTopics.put(id, inBase);
        }
        // A topic's configs go with it (a new topic of the same name starts with none).
        ConfigResource resource = ConfigResource.topic(name);
        changedConfigs.put(resource, new HashMap<>());
    }

    private void replayConfig(ConfigRecord record) {
        if (record.getResourceType() == ConfigResourceType.CONFIG_RESOURCE_UNKNOWN
                || record.getResourceType() == ConfigResourceType.UNRECOGNIZED) {
            throw new MetadataReplayException("config record without a resource type: " + record);
        }
        ConfigResource resource = new ConfigResource(record.getResourceType(), record.getResourceName());
        Map<String, String> entries = changedConfigs.computeIfAbsent(resource,
                r -> new HashMap<>(base.configs().configs(r)));
        if (record.hasValue()) {
            entries.put(record.getName(), record.getValue());
        } else {
            entries.remove(record.getName());
        }
    }

    private Map<UUID, AclEntry> mutableAcls() {
        if (acls == null) {
            acls = new HashMap<>(base.acls().acls());
        }
        aclsChanged = true;
        return acls;
    }

    /** The number of records replayed into this delta. */
    public int recordCount() {
        return records.size();
    }

    /**
     * The records replayed into this delta, in order. With a {@link #base()} of
     * {@link MetadataImage#EMPTY} they describe the whole image (a loaded snapshot).
     */
    public List<MetadataRecord> records() {
        return Collections.unmodifiableList(records);
    }

    /** Brokers registered or changed in this delta, as they are now. */
    public Map<Integer, BrokerRegistration> changedBrokers() {
        return Collections.unmodifiableMap(changedBrokers);
    }

    /** Ids of brokers of the base image unregistered in this delta. */
    public Set<Integer> removedBrokers() {
        return Collections.unmodifiableSet(removedBrokers);
    }

    /** Topics created or changed in this delta, by id, with the ids of their changed partitions. */
    public Map<UUID, Set<Integer>> changedTopics() {
        Map<UUID, Set<Integer>> out = new LinkedHashMap<>();
        changedTopics.forEach((id, topic) -> out.put(id, Collections.unmodifiableSet(new TreeSet<>(topic.changedPartitions))));
        return out;
    }

    /** Topics of the base image removed in this delta, as they were before removal. */
    public Map<UUID, TopicImage> removedTopics() {
        return Collections.unmodifiableMap(removedTopics);
    }

    /** Resources whose configs changed in this delta. */
    public Set<ConfigResource> changedConfigResources() {
        return Collections.unmodifiableSet(changedConfigs.keySet());
    }

    public boolean aclsChanged() {
        return aclsChanged;
    }

    /** The next image, at the given log position. The delta can keep replaying afterwards. */
    public MetadataImage apply(MetadataProvenance provenance) {
        FeaturesImage newFeatures = features == null ? base.features() : new FeaturesImage(features);

        ClusterImage newCluster = base.cluster();
        if (!changedBrokers.isEmpty() || !removedBrokers.isEmpty()) {
            Map<Integer, BrokerRegistration> brokers = new HashMap<>(base.cluster().brokers());
            removedBrokers.forEach(brokers::remove);
            brokers.putAll(changedBrokers);
            newCluster = new ClusterImage(brokers);
        }

        TopicsImage newTopics = base.topics();
        if (!changedTopics.isEmpty() || !removedTopics.isEmpty()) {
            Map<UUID, TopicImage> byId = new HashMap<>(base.topics().topicsById());
            removedTopics.keySet().forEach(byId::remove);
            changedTopics.forEach((id, topic) -> byId.put(id, new TopicImage(topic.name, id, topic.partitions)));
            newTopics = new TopicsImage(byId);
        }

        ConfigsImage newConfigs = base.configs();
        if (!changedConfigs.isEmpty()) {
            Map<ConfigResource, Map<String, String>> resources = new HashMap<>(base.configs().resources());
            changedConfigs.forEach((resource, entries) -> {
                if (entries.isEmpty()) {
                    resources.remove(resource);
                } else {
                    resources.put(resource, Map.copyOf(entries));
                }
            });
            newConfigs = new ConfigsImage(resources);
        }

        AclsImage newAcls = acls == null ? base.acls() : new AclsImage(acls);
        ProducerIdsImage newProducerIds = nextProducerId == base.producerIds().nextProducerId()
                ? base.producerIds() : new ProducerIdsImage(nextProducerId);
        return new MetadataImage(provenance, newFeatures, newCluster, newTopics, newConfigs, newAcls, newProducerIds);
    }

    /** A topic being built by this delta; its partition map is a private copy. */
    private static final class TopicBuilder {
        final String name;
        final UUID id;
        final Map<Integer, PartitionRegistration> partitions;
        final Set<Integer> changedPartitions = new HashSet<>();

        TopicBuilder(String name, UUID id, Map<Integer, PartitionRegistration> partitions) {
            this.name = name;
            this.id = id;
            this.partitions = partitions;
        }
    }
}
